"""Settings: built once from options, environment and defaults; the data folder rule; packaged data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eauth_toolkit import resources
from eauth_toolkit.settings import Settings


def test_options_win_over_the_environment_which_wins_over_defaults(tmp_path: Path) -> None:
    env = {"EAUTH_DATA_DIR": str(tmp_path / "env"), "EAUTH_BASE_URL": "http://env.example"}
    s = Settings.from_env(env)
    assert s.data_dir == tmp_path / "env" and s.base_url == "http://env.example"
    assert s.database_url == f"sqlite:///{tmp_path / 'env' / 'eauth.sqlite3'}"
    assert s.plan_status_file == tmp_path / "env" / "plan-status.yaml"
    s = Settings.from_env(env, data_dir=tmp_path / "opt", base_url=None)
    assert s.data_dir == tmp_path / "opt" and s.base_url == "http://env.example"
    assert Settings.from_env({}).base_url == "http://127.0.0.1:8000"


def test_the_environment_is_read_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EAUTH_DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    assert Settings(data_dir=tmp_path).database_url == f"sqlite:///{tmp_path / 'eauth.sqlite3'}"
    assert Settings.from_env().database_url == "sqlite:///elsewhere.sqlite3"


def test_settings_cross_to_worker_processes_as_json(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, base_url="http://127.0.0.1:9", load_samples=False)
    text = s.to_json()
    assert json.loads(text)["data_dir"] == str(tmp_path)
    assert Settings.from_json(text) == s


def test_default_data_folder_is_var_of_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    import eauth_toolkit.settings

    monkeypatch.undo()  # the tests' own temporary data folder (tests/conftest.py) is set aside
    root = resources.checkout_root()
    assert root is not None and (root / "pyproject.toml").is_file()
    # the function itself (the session's replacement set aside); only named, not created
    original = eauth_toolkit.settings.default_data_dir.original  # type: ignore[attr-defined]
    assert original() == root / "var"


def test_packaged_data_is_found() -> None:
    assert (resources.schemas_dir() / "repository-entry.schema.json").is_file()
    assert (resources.repository_list_dir() / "authorities.json").is_file()
    assert (resources.trust_list_dir() / "index.yaml").is_file()
    assert resources.pilot_config_path().name == "pilot.toml"
    with pytest.raises(ValueError, match="unknown data folder"):
        resources.data_path("tests")
