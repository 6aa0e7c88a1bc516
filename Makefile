# Feltkart: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEMO_STORE := data/demo.gpkg
LEAFLET_VERSION := 1.9.4
LEAFLET := static/vendor/leaflet/leaflet.js
LEAFLET_DRAW_VERSION := 1.0.4
LEAFLET_DRAW := static/vendor/leaflet-draw/leaflet.draw.js
BASEMAP := static/basemap/oslo_basemap.geojson

.PHONY: run test bench demo clean-venv

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Leaflet from the npm registry, served locally so maps draw with no internet.
$(LEAFLET):
	rm -rf .build/leaflet && mkdir -p .build/leaflet static/vendor/leaflet
	cd .build/leaflet && npm pack leaflet@$(LEAFLET_VERSION) --silent >/dev/null && tar -xzf leaflet-$(LEAFLET_VERSION).tgz
	cp -r .build/leaflet/package/dist/leaflet.js .build/leaflet/package/dist/leaflet.css \
	      .build/leaflet/package/dist/images .build/leaflet/package/LICENSE static/vendor/leaflet/
	rm -rf .build/leaflet

## Leaflet.draw (the area editor's drawing tools), served locally like Leaflet (MIT; see its package.json).
$(LEAFLET_DRAW):
	rm -rf .build/leaflet-draw && mkdir -p .build/leaflet-draw static/vendor/leaflet-draw
	cd .build/leaflet-draw && npm pack leaflet-draw@$(LEAFLET_DRAW_VERSION) --silent >/dev/null && tar -xzf leaflet-draw-$(LEAFLET_DRAW_VERSION).tgz
	cp -r .build/leaflet-draw/package/dist/leaflet.draw.js .build/leaflet-draw/package/dist/leaflet.draw.css \
	      .build/leaflet-draw/package/dist/images .build/leaflet-draw/package/package.json static/vendor/leaflet-draw/
	rm -rf .build/leaflet-draw

## The offline street map (data/, committed), served by the app so the browser fetches and caches it once.
$(BASEMAP): data/oslo_basemap.geojson
	mkdir -p $(dir $@) && cp $< $@

$(DEMO_STORE): | $(VENV)/.installed
	$(PY) -m geo demo --progress --store $(DEMO_STORE)

## Run the dashboard on the demo store (built on first run).
run: $(VENV)/.installed $(LEAFLET) $(LEAFLET_DRAW) $(BASEMAP) $(DEMO_STORE)
	FELTKART_STORE=$(DEMO_STORE) $(PY) -m ui.serve --server.headless true

## Run the whole test suite.
test: $(VENV)/.installed-dev $(LEAFLET) $(LEAFLET_DRAW) $(BASEMAP)
	$(PY) -m pytest -n 2 --dist loadfile

## Benchmarks (engine vs naive pipeline, GPX importer vs gpxpy).
bench: $(VENV)/.installed-dev
	$(PY) -m bench.run

demo: $(DEMO_STORE)

clean-venv:
	rm -rf $(VENV)
