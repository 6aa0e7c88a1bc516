"""Folium maps of field areas and H3 cells that work with no internet.

- No CDN: folium's default JavaScript/CSS links are dropped. In the dashboard,
  Leaflet is served by the app itself. The default basemap is the project's
  own street map (:mod:`geo.basemap`), drawn by Leaflet as one canvas layer
  from a file the app serves (or embedded when there is no server); tile
  basemaps are optional and need the internet.
- Legends are plain Leaflet controls (branca's legend needs d3 from a CDN).
- Colours come from classes computed here (:func:`log_classes`: limits on a
  log scale, whole numbers for counts, stated in the legend), so maps and
  exports agree.

Geometries are drawn in EPSG:4326. Nothing here imports streamlit.

Every text that reaches a map is HTML-escaped here (:func:`escaped_tooltip_frame`,
:func:`html.escape`): folium's ``GeoJsonTooltip`` builds its table with ``innerHTML``,
and the map's iframe may run scripts in the page, so an area, team or category name such
as ``<img src=x onerror=...>`` must arrive as text, never as markup.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template

from geo import formatting
from geo.basemap import ATTRIBUTION, BACKGROUND, CLASS_KEY, CLASSES, OSM_COPYRIGHT_URL, basemap_text
from geo.engine.cells import cell_polygons, cells_from_hex
from geo.schema import MEASURE_CRS, STORE_CRS

OSLO_CENTRE = (59.9127, 10.7565)
"""Default map centre (lat, lon): Oslo S / Jernbanetorget."""


@dataclass(frozen=True, slots=True)
class Basemap:
    """A basemap: a tile source (``url``), the offline vector street map (``vector``), or nothing."""

    key: str
    url: str | None
    attribution: str
    vector: bool = False


BASEMAPS: dict[str, Basemap] = {
    "offline": Basemap("offline", None, "", vector=True),
    "none": Basemap("none", None, ""),
    "osm": Basemap(
        "osm",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© <a href='https://www.openstreetmap.org/copyright'>OpenStreetMap</a>-bidragsytere",
    ),
    "kartverket_grey": Basemap(
        "kartverket_grey",
        "https://cache.kartverket.no/v1/wmts/1.0.0/topograatone/default/webmercator/{z}/{y}/{x}.png",
        "© <a href='https://www.kartverket.no/'>Kartverket</a>",
    ),
}

DEFAULT_BASEMAP = "offline"
"""The project's own street map: works with no internet."""

PALETTE = ("#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
"""Sequential orange palette, light → dark (ColorBrewer Oranges, 6 classes)."""

CONTRAST_PALETTE = ("#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b")
"""Diverging blue–red palette for differences (ColorBrewer RdBu, 6 classes)."""


def base_map(
    *,
    basemap: str = DEFAULT_BASEMAP,
    center: tuple[float, float] = OSLO_CENTRE,
    zoom: int = 14,
    leaflet_url: str | None = None,
    basemap_url: str | None = None,
    language: str = "nb",
) -> folium.Map:
    """An empty map with the chosen basemap and no CDN scripts.

    ``leaflet_url`` is where ``leaflet.js`` and ``leaflet.css`` are served
    (the dashboard serves them locally under ``/app/static/vendor/leaflet``);
    None adds no script links at all, for pages that embed Leaflet themselves.
    ``basemap_url`` is where the offline street map's GeoJSON is served (the
    browser fetches and caches it once); None embeds it in the map (0.7 MB).
    ``language`` (``nb``/``en``) picks the attribution text.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {', '.join(BASEMAPS)}; got {basemap!r}")
    if language not in ATTRIBUTION:
        raise ValueError(f"language must be one of {', '.join(ATTRIBUTION)}; got {language!r}")
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=False)
    fmap.default_js = [("leaflet", f"{leaflet_url}/leaflet.js")] if leaflet_url else []
    fmap.default_css = [("leaflet_css", f"{leaflet_url}/leaflet.css")] if leaflet_url else []
    source = BASEMAPS[basemap]
    if source.url:
        folium.TileLayer(tiles=source.url, attr=source.attribution, name=basemap, max_zoom=19).add_to(fmap)
    if source.vector:
        _VectorBasemap(url=basemap_url, language=language).add_to(fmap)
    fmap.feltkart_language = language  # legends read it (map_language)
    return fmap


VECTOR_PANE_Z = 250
"""z-index of the offline street map's pane: above tiles (200), below every overlay (400)."""

STREET_ZOOM = 16
"""Zoom at which :data:`geo.basemap.CLASSES` line widths apply as given; they halve every 2 zooms out."""


class _VectorBasemap(MacroElement):
    """The offline street map as one non-interactive GeoJSON layer on its own canvas, under every
    overlay; marks the map container ``data-basemap="drawn"`` once drawn (for tests and timing)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
          var map = {{ this._parent.get_name() }};
          var pane = map.createPane('feltkartBasemap');
          pane.style.zIndex = {{ this.z }};
          pane.style.pointerEvents = 'none';
          map.getContainer().style.background = {{ this.background }};
          var classes = {{ this.classes }};
          function scale() {
            return Math.max(0.3, Math.min(1.6, Math.pow(2, (map.getZoom() - {{ this.street_zoom }}) / 2)));
          }
          function style(feature) {
            var c = classes[feature.properties[{{ this.class_key }}]] || classes.street;
            return {color: c.colour, weight: c.width * scale(), fill: c.fill !== null, fillColor: c.fill,
                    fillOpacity: 1, opacity: 1, lineCap: 'round', lineJoin: 'round'};
          }
          var layer = L.geoJSON(null, {pane: 'feltkartBasemap', interactive: false, style: style,
                                       renderer: L.canvas({pane: 'feltkartBasemap', padding: 0.3})}).addTo(map);
          function draw(data) {
            layer.addData(data);
            map.getContainer().dataset.basemap = 'drawn';
            if (window.performance && performance.mark) { performance.mark('feltkart-basemap-drawn'); }
          }
          map.on('zoomend', function () { layer.setStyle(style); });
          {% if this.url %}
          fetch({{ this.url }}).then(function (r) { return r.json(); }).then(draw);
          {% else %}
          draw({{ this.data }});
          {% endif %}
          if (map.attributionControl) { map.attributionControl.addAttribution({{ this.attribution }}); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, url: str | None, language: str) -> None:
        super().__init__()
        self._name = "FeltkartBasemap"
        self.z = VECTOR_PANE_Z
        self.street_zoom = STREET_ZOOM
        self.background = json.dumps(BACKGROUND)
        self.class_key = json.dumps(CLASS_KEY)
        self.classes = json.dumps({k: {"colour": c.colour, "width": c.width, "fill": c.fill}
                                   for k, c in CLASSES.items()})
        self.url = json.dumps(url) if url else None
        self.data = None if url else basemap_text()
        self.attribution = json.dumps(f"<a href='{OSM_COPYRIGHT_URL}' target='_blank'>"
                                      f"{html.escape(ATTRIBUTION[language])}</a>", ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Classes:
    """Colour classes of a set of values: the class of each value and the classes' limits.

    Class ``j`` holds the values from ``lower[j]`` up to (not including)
    ``lower[j + 1]``; the last class reaches ``upper``, the largest value. With
    ``integer`` (counts) the legend states whole limits (``3–9``), else
    continuous ones. ``log_scale`` tells whether the limits grow geometrically
    (stated in the legend) or each class is one observed value.
    """

    index: np.ndarray
    lower: tuple[float, ...]
    upper: float
    integer: bool
    log_scale: bool

    def apply(self, values: pd.Series | np.ndarray) -> Classes:
        """These classes (same limits, same legend) for other ``values``: so two maps drawn with one
        set of classes are comparable (:func:`shared_classes`). Values beyond ``upper`` join the top class."""
        v = pd.Series(values, dtype=np.float64).fillna(0.0).to_numpy()
        index = np.clip(np.searchsorted(self.lower, v, side="right") - 1, 0, len(self.lower) - 1)
        return Classes(index.astype(np.int64), self.lower, self.upper, self.integer, self.log_scale)

    def labels(self, lang: str = "nb") -> list[str]:
        """One legend label per class, e.g. ``1–2``, ``3–9``, ``10–2 084`` (counts)."""
        out = []
        for j, lo in enumerate(self.lower):
            last = j + 1 == len(self.lower)
            hi = self.upper if last else self.lower[j + 1]
            if self.integer:
                hi = hi if last else hi - 1
                text = formatting.integer(lo, lang) if hi <= lo else \
                    f"{formatting.integer(lo, lang)}–{formatting.integer(hi, lang)}"
            else:
                text = _limit(lo, lang) if hi <= lo else f"{_limit(lo, lang)}–{_limit(hi, lang)}"
            out.append(text)
        return out


def _limit(value: float, lang: str) -> str:
    """A class limit: round limits without decimals (``2``, not ``2,0``)."""
    return formatting.number(value, lang, decimals=0 if float(value).is_integer() else None)


NICE_STEPS = (1.0, 2.0, 5.0)
FINE_STEPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
"""Round class limits: 1-2-5 per decade, or finer when the classes are narrow (ratio below 2.5)."""


def _nice(value: float, steps: tuple[float, ...], *, down: bool) -> float:
    """The number of the form step × 10^k (step in ``steps``) nearest to ``value`` (> 0) on a log
    scale, or the largest not above it (``down``)."""
    exponent = math.floor(math.log10(value))
    candidates = [m * 10.0 ** e for e in (exponent - 1, exponent, exponent + 1) for m in steps]
    if down:
        return max(c for c in candidates if c <= value * (1 + 1e-9))
    return min(candidates, key=lambda c: abs(math.log(c / value)))


LOW_QUANTILE = 0.05
"""For continuous values the geometric limits start at this quantile, not at the smallest value (a
cell crossed for a second would otherwise spend classes on hundredths of a minute)."""


def log_classes(values: pd.Series | np.ndarray, *, n: int = len(PALETTE)) -> Classes:
    """At most ``n`` colour classes whose limits grow geometrically from the smallest to the largest
    positive value, rounded to round numbers (1, 2, 5, 10, ...; whole numbers for counts).

    Counts start at the smallest count; continuous values (minutes) start at
    their :data:`LOW_QUANTILE` quantile, and the first class reaches down to 0.

    Skewed values (a few cells with 2 000 minutes, most with under 20) then
    keep the core apart from the rest: each class spans the same factor, not
    the same share of cells. Zeros get a class of their own; NaN counts as
    zero; +inf (e.g. encounters without presence) joins the top class. With
    at most ``n`` distinct values, each value is its own class.
    """
    v = pd.Series(values, dtype=np.float64).fillna(0.0).to_numpy()
    finite = v[np.isfinite(v)]
    v = np.where(np.isposinf(v), finite.max() if finite.size else 0.0, v)
    positive = v[v > 0]
    has_zero = bool((v <= 0).any())
    if positive.size == 0:
        return Classes(np.zeros(len(v), dtype=np.int64), (0.0,), 0.0, True, False)
    integer = bool(np.all(positive == np.floor(positive)))
    slots = max(n - 1 if has_zero and integer else n, 1)
    distinct = np.unique(positive)
    if distinct.size <= slots:
        lower, log_scale = [float(x) for x in distinct], False
    else:
        hi = float(distinct[-1])
        lo = float(distinct[0]) if integer else max(float(np.quantile(positive, LOW_QUANTILE)), hi * 1e-6)
        ratio = (hi / lo) ** (1 / slots)
        steps = NICE_STEPS if ratio >= 2.5 else FINE_STEPS
        first = lo if integer else 0.0
        rest = [_nice(x, steps, down=False) for x in lo * ratio ** np.arange(1, slots)]
        if integer:
            rest = [math.floor(x) for x in rest]
        lower = [first, *sorted({float(x) for x in rest if first < x <= hi})]
        log_scale = True
    if has_zero and (integer or not log_scale):
        lower = [0.0, *lower]  # continuous log classes already start at 0
    index = np.clip(np.searchsorted(lower, v, side="right") - 1, 0, len(lower) - 1)
    return Classes(index.astype(np.int64), tuple(lower), float(positive.max()), integer, log_scale)


def shared_classes(*values: pd.Series | np.ndarray, n: int = len(PALETTE)) -> Classes:
    """:func:`log_classes` of all ``values`` together (e.g. one period's cells and another's), to draw
    each with :meth:`Classes.apply` in the same colours and under the same legend."""
    return log_classes(np.concatenate([pd.Series(v, dtype=np.float64).to_numpy() for v in values]), n=n)


def class_colours(palette: tuple[str, ...], n_classes: int) -> list[str]:
    """``n_classes`` colours spread over ``palette`` (all of it when there are as many classes)."""
    if n_classes >= len(palette):
        return list(palette)
    picks = np.round(np.linspace(0, len(palette) - 1, max(n_classes, 1))).astype(int)
    return [palette[i] for i in picks]


LOG_SCALE_NOTE = {"nb": "Klassegrenser på logaritmisk skala", "en": "Class limits on a log scale"}


def tooltip_text(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame``'s columns as the text a tooltip shows, each value printed by
    :func:`geo.formatting.cell` by its column's kind (shares as per cent, dates ``dd.mm.yyyy``)."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        kind = formatting.column_kind(str(column))
        out[column] = [formatting.cell(v, kind, lang) for v in frame[column].tolist()]  # tooltip rows: hundreds
    return out


def map_language(fmap: folium.Map) -> str:
    """The language a map was made in (:func:`base_map`'s ``language``), for its legends."""
    return getattr(fmap, "feltkart_language", "nb")


def add_cells(
    fmap: folium.Map,
    frame: pd.DataFrame,
    *,
    cell_column: str,
    value_column: str,
    tooltip: dict[str, str],
    legend_title: str,
    palette: tuple[str, ...] = PALETTE,
    name: str = "cells",
    classes: Classes | None = None,
) -> folium.Map:
    """Draw H3 cells (hex strings or int64 in ``cell_column``) coloured by ``value_column``.

    ``tooltip`` maps column names to their labels. Adds a legend. ``classes``
    (e.g. :func:`shared_classes` of two periods) replaces the classes of this
    frame's own values, so several maps share colours and legend.
    """
    if frame.empty:
        return fmap
    classes = log_classes(frame[value_column], n=len(palette)) if classes is None else \
        classes.apply(frame[value_column])
    colours = class_colours(palette, len(classes.lower))
    add_filled_cells(fmap, frame, cell_column=cell_column, fills=[colours[i] for i in classes.index],
                     tooltip=tooltip, name=name)
    add_class_legend(fmap, legend_title, classes, colours)
    return fmap


def add_filled_cells(fmap: folium.Map, frame: pd.DataFrame, *, cell_column: str, fills, tooltip: dict[str, str],
                     name: str = "cells") -> folium.Map:
    """Draw the H3 cells of ``frame[cell_column]`` (hex strings or integers), each in its colour of ``fills``.

    ``fills`` has one CSS colour per row; ``tooltip`` maps column names to their labels.
    """
    if frame.empty:
        return fmap
    polygons = cell_polygons(cells_from_hex(frame[cell_column]))
    gdf = gpd.GeoDataFrame(tooltip_text(frame[list(tooltip)], map_language(fmap)), geometry=polygons, crs=STORE_CRS)
    gdf["_fill"] = list(fills)
    _add_geojson(fmap, gdf, tooltip=tooltip, name=name, weight=0.3)
    return fmap


DIVERGING_PALETTE = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b")
"""Diverging palette for changes (ColorBrewer RdBu, 7 classes): blue less, the middle grey about
unchanged, red more."""

NEUTRAL_SHARE = 0.05
"""Continuous changes smaller than this share of the largest change (rounded down to a round
number) fall in the neutral class around zero; for whole-number changes only 0 does."""


@dataclass(frozen=True, slots=True)
class DifferenceClasses:
    """Diverging classes of changes (B − A) around a neutral class.

    ``limits`` are the magnitudes where classes begin, ascending: ``|change| <
    limits[0]`` is neutral; ``limits[j] ≤ change < limits[j + 1]`` is the
    ``j``-th class above zero, mirrored below; the outermost classes reach
    ``largest`` (the largest magnitude). ``index`` is each value's class,
    from 0 (most negative) via ``len(limits)`` (neutral) to ``2 × len(limits)``.
    """

    index: np.ndarray
    limits: tuple[float, ...]
    largest: float
    integer: bool

    @property
    def n_classes(self) -> int:
        return 2 * len(self.limits) + 1

    def labels(self, lang: str = "nb") -> list[str]:
        """One label per class from the most negative to the most positive (``−20 – −5``, ``0``, ``+1``)."""
        fmt = (lambda v, sign: formatting.integer(v, lang, signed=sign)) if self.integer else \
            (lambda v, sign: formatting.number(v, lang, decimals=0 if float(v).is_integer() else None, signed=sign))
        ups = []
        for j, lo in enumerate(self.limits):
            hi = self.largest if j + 1 == len(self.limits) else self.limits[j + 1]
            if self.integer and j + 1 < len(self.limits):
                hi -= 1
            ups.append((lo, hi))
        positive = [fmt(lo, True) if hi <= lo else f"{fmt(lo, True)} – {fmt(hi, True)}" for lo, hi in ups]
        negative = [fmt(-lo, False) if hi <= lo else f"{fmt(-hi, False)} – {fmt(-lo, False)}" for lo, hi in ups]
        if not self.limits or (self.integer and self.limits[0] == 1):
            neutral = fmt(0, False)
        else:
            neutral = f"{fmt(-self.limits[0], False)} – {fmt(self.limits[0], True)}"
        return [*reversed(negative), neutral, *positive]

    def colours(self, palette: tuple[str, ...] = DIVERGING_PALETTE) -> list[str]:
        """One colour per class: the palette's middle for neutral, each side spread over its half."""
        half = len(palette) // 2
        side = class_colours(palette[half + 1:], len(self.limits)) if self.limits else []
        below = class_colours(palette[:half][::-1], len(self.limits))[::-1] if self.limits else []
        return [*below, palette[half], *side]


def difference_classes(values: pd.Series | np.ndarray, *, n_side: int = len(DIVERGING_PALETTE) // 2
                       ) -> DifferenceClasses:
    """At most ``n_side`` classes on each side of a neutral class around zero, for changes B − A.

    Limits grow geometrically from the neutral class's edge to the largest
    magnitude and are rounded to round numbers (1, 2, 5, ...; whole numbers for
    whole-number changes, whose neutral class is exactly 0). Both sides share
    the same limits, so equal colours mean equal magnitudes. NaN counts as 0.
    """
    v = pd.Series(values, dtype=np.float64).fillna(0.0).to_numpy()
    magnitude = np.abs(v)
    largest = float(magnitude.max()) if magnitude.size else 0.0
    integer = bool(np.all(v == np.floor(v)))
    if largest == 0:
        return DifferenceClasses(np.zeros(len(v), dtype=np.int64), (), 0.0, integer)
    edge = 1.0 if integer else _nice(largest * NEUTRAL_SHARE, NICE_STEPS, down=True)
    limits = [edge]
    if largest > edge and n_side > 1:
        ratio = (largest / edge) ** (1 / n_side)
        steps = NICE_STEPS if ratio >= 2.5 else FINE_STEPS
        rest = [_nice(x, steps, down=False) for x in edge * ratio ** np.arange(1, n_side)]
        rest = [float(math.floor(x)) if integer else float(x) for x in rest]
        limits += sorted({x for x in rest if edge < x <= largest})
    k = np.searchsorted(limits, magnitude, side="right") - 1  # -1: neutral
    index = len(limits) + np.sign(v).astype(np.int64) * (k + 1)
    return DifferenceClasses(index.astype(np.int64), tuple(limits), largest, integer)


def add_difference_cells(fmap: folium.Map, frame: pd.DataFrame, *, cell_column: str, value_column: str,
                         tooltip: dict[str, str], legend_title: str, note: str | None = None,
                         name: str = "difference") -> folium.Map:
    """Draw H3 cells coloured by the change in ``value_column`` (:func:`difference_classes`) with a
    diverging legend (``legend_title`` states the unit and periods, ``note`` e.g. what the colours mean)."""
    if frame.empty:
        return fmap
    classes = difference_classes(frame[value_column])
    colours = classes.colours()
    add_filled_cells(fmap, frame, cell_column=cell_column, fills=[colours[i] for i in classes.index],
                     tooltip=tooltip, name=name)
    rows = list(zip(colours, classes.labels(map_language(fmap))))
    add_swatch_legend(fmap, legend_title, rows[::-1], note=note)  # the largest increase on top
    return fmap


FEATURE_KEY = "_key"
"""Feature property holding a drawn area's id (:func:`add_areas` ``key_column``)."""


def add_areas(
    fmap: folium.Map,
    areas: gpd.GeoDataFrame,
    *,
    value_column: str | None = None,
    tooltip: dict[str, str],
    legend_title: str = "",
    palette: tuple[str, ...] = PALETTE,
    name: str = "areas",
    key_column: str | None = None,
) -> folium.Map:
    """Draw field areas, filled by ``value_column`` classes or as outlines when None.

    ``key_column`` (e.g. ``area_id``) is kept in each feature's properties as
    :data:`FEATURE_KEY` (not in the tooltip), so a click on the map can say which area it was."""
    if areas.empty:
        return fmap
    gdf = gpd.GeoDataFrame(tooltip_text(areas[list(tooltip)], map_language(fmap)), geometry=areas.geometry.values,
                           crs=areas.crs)
    if key_column is not None:
        gdf[FEATURE_KEY] = areas[key_column].astype(str).to_numpy()
    if value_column is None:
        gdf["_fill"] = None
        _add_geojson(fmap, gdf, tooltip=tooltip, name=name, weight=2.0, outline_only=True)
        return fmap
    classes = log_classes(areas[value_column], n=len(palette))
    colours = class_colours(palette, len(classes.lower))
    gdf["_fill"] = [colours[i] for i in classes.index]
    _add_geojson(fmap, gdf, tooltip=tooltip, name=name, weight=1.5)
    add_class_legend(fmap, legend_title, classes, colours)
    return fmap


POINT_COLOUR = "#08306b"


def add_points(fmap: folium.Map, lon: np.ndarray, lat: np.ndarray, labels: list[str], *, radius: float = 3.0,
               name: str = "points") -> folium.Map:
    """Draw EPSG:4326 points as small circles in one GeoJSON layer, each with its ``labels`` text
    as tooltip (one layer, not one Leaflet object built per point in Python)."""
    if len(lon) == 0:
        return fmap
    gdf = gpd.GeoDataFrame({"label": list(labels)}, crs=STORE_CRS,
                           geometry=shapely.set_precision(shapely.points(np.asarray(lon), np.asarray(lat)),
                                                          DRAW_PRECISION_DEG))
    folium.GeoJson(
        json.loads(gdf.to_json(drop_id=True)),
        name=name,
        marker=folium.CircleMarker(radius=radius, weight=1, color=POINT_COLOUR, fill=True, fill_opacity=0.7),
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    return fmap


FIT_GAP_M = 2_000.0
"""Geometries more than this far apart (metres) form separate clusters for :func:`fit_to`."""

VIEW_PX = (640, 520)
"""Width and height (pixels) a map is assumed to have when its view is chosen (the
dashboard's maps are 520 px high and at least this wide)."""

FIT_PADDING = 0.85
"""Share of the map the fitted geometries may fill (the rest is margin)."""

MAX_FIT_ZOOM = 17
"""Closest zoom :func:`fit_to` opens on (a single small cell would otherwise fill the screen)."""

_TILE_PX = 256


def fit_to(fmap: folium.Map, gdf: gpd.GeoDataFrame, *, size_px: tuple[int, int] = VIEW_PX) -> folium.Map:
    """Open the map on ``gdf`` (EPSG:4326), or on its main cluster when it has several; ``size_px``
    is the map's assumed width and height (pixels; narrower for two maps side by side).

    Field areas can lie far apart (the centre and a district 5 km west); fitting
    all of them would open the map too far out to read the centre. So the map
    opens on the cluster (geometries within :data:`FIT_GAP_M` of each other,
    measured in EPSG:25832) with the most geometries; the others stay drawn,
    one zoom-out away.

    The view is set as the map's own centre and zoom (:func:`view_of`), not as
    a Leaflet ``fitBounds``: Leaflet cannot fit a map that is hidden when it is
    drawn (in a collapsed expander, as the period-by-period maps are), and
    opened those on the whole world.
    """
    if gdf.empty:
        return fmap
    centre, zoom = view_of(main_cluster(gdf).total_bounds, size_px=size_px)
    fmap.location = list(centre)
    fmap.options["zoom"] = zoom
    return fmap


def all_shapes(*frames: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The geometries of several EPSG:4326 frames as one (for :func:`fit_to`, so the frame holds
    every layer drawn, e.g. official areas and the hot areas beyond them)."""
    parts = [f.geometry.to_crs(STORE_CRS) for f in frames if len(f)]
    if not parts:
        return gpd.GeoDataFrame(geometry=[], crs=STORE_CRS)
    return gpd.GeoDataFrame(geometry=pd.concat(parts, ignore_index=True), crs=STORE_CRS)


def view_of(bounds, *, size_px: tuple[int, int] = VIEW_PX) -> tuple[tuple[float, float], int]:
    """Centre (lat, lon) and the closest whole Web Mercator zoom showing ``bounds``.

    ``bounds`` is (min lon, min lat, max lon, max lat) in EPSG:4326 degrees; the
    map is ``size_px`` (width, height) pixels, of which :data:`FIT_PADDING` is used.
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    width, height = size_px
    merc = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
    lon_span = max(x1 - x0, 1e-9) / 360.0
    lat_span = max(merc(y1) - merc(y0), 1e-9) / (2 * math.pi)
    zoom = math.floor(min(math.log2(FIT_PADDING * width / _TILE_PX / lon_span),
                          math.log2(FIT_PADDING * height / _TILE_PX / lat_span)))
    centre_lat = math.degrees(2 * math.atan(math.exp((merc(y0) + merc(y1)) / 2)) - math.pi / 2)
    return (centre_lat, (x0 + x1) / 2), int(min(max(zoom, 1), MAX_FIT_ZOOM))


def selection_shapes(areas: gpd.GeoDataFrame | None = None, cells=None) -> gpd.GeoDataFrame:
    """The field areas and H3 cells (hex strings or integers) a map shows, as one
    GeoDataFrame (EPSG:4326) to :func:`fit_to`; empty when there is nothing to draw."""
    parts = []
    if areas is not None and len(areas):
        parts.append(areas.geometry.to_crs(STORE_CRS).to_numpy())
    if cells is not None and len(cells):
        parts.append(cell_polygons(cells_from_hex(pd.Series(list(cells)))))
    geometry = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries(geometry, crs=STORE_CRS), crs=STORE_CRS)


def main_cluster(gdf: gpd.GeoDataFrame, *, gap_m: float = FIT_GAP_M) -> gpd.GeoDataFrame:
    """The rows of ``gdf`` in its largest cluster (most rows; ties: the first), see :func:`fit_to`."""
    valid = gdf[~gdf.geometry.is_empty & gdf.geometry.notna()]
    if len(valid) <= 1:
        return valid
    grown = valid.geometry.to_crs(MEASURE_CRS).envelope.buffer(gap_m / 2).to_numpy()
    merged = shapely.get_parts(shapely.union_all(grown))
    cluster_of_row = shapely.STRtree(merged).query(grown, predicate="intersects")  # (row, cluster) pairs
    cluster = np.empty(len(valid), dtype=np.int64)
    cluster[cluster_of_row[0]] = cluster_of_row[1]  # each grown envelope lies in exactly one merged part
    return valid[cluster == np.bincount(cluster).argmax()]


def add_class_legend(fmap: folium.Map, title: str, classes: Classes, colours: list[str]) -> None:
    """A legend as a Leaflet control: one swatch per class with its limits (in the map's language),
    and a note when the limits are on a log scale."""
    lang = map_language(fmap)
    note = LOG_SCALE_NOTE[lang] if classes.log_scale else None
    add_swatch_legend(fmap, title, list(zip(colours, classes.labels(lang))), note=note)


def add_swatch_legend(fmap: folium.Map, title: str, rows: list[tuple[str, str]], *, note: str | None = None) -> None:
    """A legend as a Leaflet control: one ``(colour, label)`` swatch per row, an optional note under them."""
    items = "".join(
        f"<div><span style='display:inline-block;width:14px;height:14px;background:{c};"
        f"border:1px solid #999;margin-right:6px;vertical-align:middle'></span>{html.escape(label)}</div>"
        for c, label in rows
    )
    if note:
        items += f"<div style='color:#666;font-size:11px;margin-top:3px'>{html.escape(note)}</div>"
    box = (f"<div class='feltkart-legend' style='background:white;padding:6px 8px;border-radius:4px;"
           f"box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px sans-serif'><b>{html.escape(title)}</b>{items}</div>")
    _Legend(box).add_to(fmap)


class _Legend(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
          var legend = L.control({position: 'bottomright'});
          legend.onAdd = function () {
            var div = L.DomUtil.create('div');
            div.innerHTML = {{ this.box_json }};
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, box: str) -> None:
        super().__init__()
        self._name = "FeltkartLegend"
        self.box_json = json.dumps(box)


DRAW_PRECISION_DEG = 1e-6
"""Coordinates drawn on maps are rounded to this (about 0.1 m): halves the page size."""


def escaped_tooltip_frame(frame: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """``frame`` with every text value of ``fields`` HTML-escaped (numbers stay numbers, for
    ``toLocaleString``); dates and other objects become escaped text."""
    out = frame.copy()
    for field in fields:
        column = out[field]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        escaped = column.map(lambda v: html.escape(str(v)), na_action="ignore")  # one per drawn shape
        out[field] = escaped.astype(object).where(column.notna(), None)
    return out


def _tooltip(fields: list[str], labels: list[str]) -> folium.GeoJsonTooltip:
    """A GeoJSON tooltip of ``fields`` under ``labels``, the labels HTML-escaped (the values are
    escaped in the data, :func:`escaped_tooltip_frame`)."""
    return folium.GeoJsonTooltip(fields=fields, aliases=[html.escape(str(label)) for label in labels], localize=True)


def _add_geojson(fmap, gdf, *, tooltip, name, weight, outline_only=False) -> None:
    fields = list(tooltip)
    gdf = escaped_tooltip_frame(gdf, fields)
    gdf = gdf.set_geometry(shapely.set_precision(gdf.geometry.to_numpy(), DRAW_PRECISION_DEG))
    folium.GeoJson(
        json.loads(gdf.to_json(drop_id=True, default=str)),
        name=name,
        style_function=lambda f: {
            "fillColor": f["properties"].get("_fill") or "#000000",
            "fillOpacity": 0.0 if outline_only else 0.65,
            "color": "#08519c" if outline_only else "#555555",
            "weight": weight,
        },
        tooltip=_tooltip(fields, [tooltip[f] for f in fields]),
    ).add_to(fmap)


def add_shapes(
    fmap: folium.Map,
    shapes: gpd.GeoDataFrame,
    *,
    color: str,
    tooltip: dict[str, str],
    fill_opacity: float = 0.35,
    weight: float = 1.5,
    dash: str | None = None,
    name: str = "shapes",
) -> folium.Map:
    """Draw polygons (EPSG:4326) in one colour, e.g. area gained/lost or hot areas; empty and None skipped."""
    values = shapes.geometry.to_numpy()
    shapes = shapes[~shapely.is_missing(values) & ~shapely.is_empty(values)]
    if shapes.empty:
        return fmap
    shown = gpd.GeoDataFrame(tooltip_text(shapes[list(tooltip)], map_language(fmap)),
                             geometry=shapes.geometry.values, crs=shapes.crs)
    gdf = escaped_tooltip_frame(shown, list(tooltip)).set_geometry(
        shapely.set_precision(shapes.geometry.to_numpy(), DRAW_PRECISION_DEG))
    folium.GeoJson(
        json.loads(gdf.to_json(drop_id=True, default=str)),
        name=name,
        style_function=lambda f: {"fillColor": color, "color": color, "fillOpacity": fill_opacity,
                                  "weight": weight, "dashArray": dash},
        tooltip=_tooltip(list(tooltip), list(tooltip.values())) if tooltip else None,
    ).add_to(fmap)
    return fmap


def add_path(
    fmap: folium.Map,
    lon: np.ndarray,
    lat: np.ndarray,
    labels: list[str],
    *,
    color: str = "#08306b",
    highlight: str | None = None,
    name: str = "path",
) -> folium.Map:
    """A line through points (EPSG:4326, in order) with a labelled dot at each; ``highlight`` marks one label."""
    if len(labels) == 0:
        return fmap
    layer = folium.FeatureGroup(name=name)
    folium.PolyLine(list(zip(lat, lon)), color=color, weight=3, opacity=0.8).add_to(layer)
    for y, x, label in zip(lat, lon, labels):  # one marker per period, not per point
        current = label == highlight
        folium.CircleMarker((y, x), radius=7 if current else 4, weight=2, color=color, fill=True,
                            fill_color="#e6550d" if current else color, fill_opacity=1.0,
                            tooltip=html.escape(str(label))).add_to(layer)
    layer.add_to(fmap)
    return fmap
