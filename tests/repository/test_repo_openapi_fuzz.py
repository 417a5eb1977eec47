"""Schemathesis against the service's own OpenAPI document: the repository API never answers
with a server error, and its answers match the documented schemas.

The app is built when the module is collected (schemathesis needs the schema then), over a
SQLite file in a fresh temporary folder with the sample data loaded.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from eauth_toolkit.settings import Settings
from eauth_toolkit.web.app import create_app

_DATA = Path(tempfile.mkdtemp(prefix="eauth-repo-fuzz-"))
atexit.register(shutil.rmtree, _DATA, True)
_APP = create_app(Settings(database_url=f"sqlite:///{_DATA / 'fuzz.sqlite3'}", data_dir=_DATA))
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP).include(
    path_regex="^/api/repository"
)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_repository_api_has_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call_and_validate()
    assert response.status_code < 500
