"""The launcher is secure by default (``ui/serve.py``): 127.0.0.1 unless an address is set, and no
other address without sign-in configured in the secrets Streamlit will read."""

from __future__ import annotations

import pytest

from ui import serve
from ui.serve import LOCAL_ADDRESS, REFUSED, is_loopback, serving_args, sign_in_configured

AUTH = '[auth]\nredirect_uri = "https://feltkart.example/oauth2callback"\ncookie_secret = "x"\n'


@pytest.fixture
def no_config(monkeypatch):
    """No address from the environment or a config.toml: Streamlit's own default (every interface)."""
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    monkeypatch.delenv("STREAMLIT_SECRETS_FILES", raising=False)
    monkeypatch.setattr(serve.config, "get_option",
                        lambda name: {"server.address": None, "secrets.files": []}[name])


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("::", False), ("", False), (None, False), ("192.168.1.20", False), ("feltkart.example", False),
])
def test_is_loopback(address, loopback):
    assert is_loopback(address) is loopback


def test_an_address_set_nowhere_becomes_loopback(no_config):
    assert serving_args(["--server.headless", "true"]) == ["--server.headless", "true", "--server.address", LOCAL_ADDRESS]


def test_the_repositorys_config_sets_loopback_so_make_run_passes_nothing(monkeypatch):
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    assert serve.config.get_option("server.address") == "127.0.0.1"  # .streamlit/config.toml (tests run in the repo)
    assert serving_args(["--server.headless", "true"]) == ["--server.headless", "true"]


@pytest.mark.parametrize("args", [["--server.address", "0.0.0.0"], ["--server.address=0.0.0.0"],
                                  ["--server.address", "127.0.0.1", "--server.address", "0.0.0.0"]])
def test_another_address_without_sign_in_is_refused_with_how_to_configure_it(no_config, capsys, args):
    with pytest.raises(SystemExit) as exit_:
        serving_args(args)
    assert exit_.value.code == REFUSED
    err = capsys.readouterr().err
    assert "refusing --server.address 0.0.0.0" in err
    assert "[auth]" in err and "server_metadata_url" in err and "[feltkart.roles]" in err and "Deployment" in err


def test_an_address_from_the_environment_is_checked_too(no_config, monkeypatch):
    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "0.0.0.0")
    with pytest.raises(SystemExit, match=str(REFUSED)):
        serving_args([])


def test_another_address_is_served_when_the_secrets_configure_sign_in(no_config, tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH, encoding="utf-8")
    assert serving_args(["--server.address", "0.0.0.0", "--secrets.files", str(secrets)])[:2] == \
        ["--server.address", "0.0.0.0"]
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
    assert serving_args(["--server.address", "0.0.0.0"]) == ["--server.address", "0.0.0.0"]


def test_sign_in_configured_reads_toml_files_and_kubernetes_folders(tmp_path):
    other = tmp_path / "other.toml"
    other.write_text('[feltkart.stores]\ndemo = "data/demo.gpkg"\n', encoding="utf-8")
    assert not sign_in_configured([str(other), str(tmp_path / "missing.toml")])
    (tmp_path / "mounted" / "auth").mkdir(parents=True)
    assert sign_in_configured([str(other), str(tmp_path / "mounted")])


def test_the_launcher_refuses_before_streamlit_starts(no_config, monkeypatch):
    started = []
    monkeypatch.setattr(serve.cli, "main", lambda: started.append(True) or 0)
    with pytest.raises(SystemExit) as exit_:
        serve.main(["--server.address", "0.0.0.0"])
    assert exit_.value.code == REFUSED and started == []


def test_a_broken_secrets_file_is_named(tmp_path, capsys):
    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        sign_in_configured([str(broken)])
    assert f"{broken} is not valid TOML" in capsys.readouterr().err
