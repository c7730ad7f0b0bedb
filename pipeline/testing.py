"""Pytest fixtures for tests of the service: yours in tests/ and the pipeline's alike.

Loaded for every pytest run (`-p pipeline.testing` in pyproject.toml). In process, `make_app`,
`app` and `client` build the app as the Flask tutorial does, from explicit variables only
(override the `api` fixture to serve another API). Over HTTP, the target is one URL:
$CANARY_URL, a live deployment (`nox -s canary`); else $SMOKE_URL, a container
(`nox -s docker_smoke`); else a fresh `python -m serving` on a loopback port. `credentials` is
the header tests/probes.toml's [credential] declares, its value the run's (from the environment,
or generated and put there, so every server the run starts has the same). Against a live
deployment a guard refuses, before it is sent, any request through pipeline.core.httpclient
that is not GET, HEAD or declared live-safe in tests/probes.toml; `nox -s canary` runs only the
tests marked `live`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask, Response, request_finished
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from pipeline.core import environment
from pipeline.core import probes as declared
from pipeline.core.contract import Contract
from pipeline.core.httpclient import HeaderError, call, guarded, parse_headers, target_headers
from pipeline.core.service import RunningServer, start_server
from serving import Api, create_app
from serving.config import VARIABLES
from serving.endpoints import OPENAPI_PATH

TESTING = {"MODE_CONFIG": "Testing", "TRUSTED_HOSTS": ""}


def require_tools(*names: str, install: str) -> None:
    """Go on only where these system tools exist: skip naming them, but fail under CI=true.

    The README's commands promise only Python and git; a test that needs more (gpg, say)
    must not fail on a laptop without it, and must never be skipped where CI runs it.
    """
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)}, which the README's commands do not install: {install}"
    if environment.truthy("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def api() -> Api | None:
    """The API the app serves; None is the one in app/."""
    return None


@pytest.fixture(scope="session")
def credentials(probes: declared.Probes) -> dict[str, str]:
    """The header the API's writes need, with this run's value (none if none is declared)."""
    return probes.headers()


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api: Api | None,
             credentials: dict[str, str]) -> Callable[..., Flask]:
    """Build apps from explicit variables (and the run's credential): no stray .env or shell
    variable leaks in."""
    del credentials  # in the environment, where the app's settings read it
    monkeypatch.chdir(tmp_path)
    for name in VARIABLES:  # every setting the service reads, from its own table
        monkeypatch.delenv(name, raising=False)

    def factory(**variables: str) -> Flask:
        return create_app({**TESTING, **variables}, api=api)

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """An app in Testing mode, with no Host allow-list."""
    return make_app()


class ContractClient(FlaskClient):
    """Flask's test client, holding every answer of the app to the contract it serves.

    Each failure names the operation and the fix: a status the contract does not document, a
    204 or 304 with a body or a Content-Type, a route whose variables are not its declared path
    parameters. The 204's body is judged as the view built it, before HTTP drops it.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send the request as Flask's client does, then judge the answer."""
        built: list[Response] = []

        def keep(_sender: Flask, response: Response, **_extra: Any) -> None:
            built.append(response)

        with request_finished.connected_to(keep, self.application):
            answer = super().open(*args, **kwargs)
        operation = served_contract(self.application).operation(
            answer.request.method, answer.request.path)
        if operation is not None and built:
            view = built[-1]
            problem = operation.answer_problem(answer.status_code,
                                               view.headers.get("Content-Type"), view.get_data())
            if problem:
                pytest.fail(problem, pytrace=False)
        return answer


def served_contract(app: Flask) -> Contract:
    """The contract `app` serves, read once per app; a route that disagrees with it fails."""
    if "pipeline.contract" not in app.extensions:
        with app.test_request_context(OPENAPI_PATH):  # the view alone: no access line
            spec = cast(Response, app.view_functions["openapi.spec"]())  # APIFlask's jsonify
            contract = Contract.parse(spec.get_json())
        problems = contract.mismatches()
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)
        app.extensions["pipeline.contract"] = contract
    found: Contract = app.extensions["pipeline.contract"]
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Flask's test client for `app`, holding its answers to the contract (ContractClient)."""
    app.test_client_class = ContractClient
    return app.test_client()


def _live_url() -> str:
    return os.environ.get("CANARY_URL", "").strip().rstrip("/")


@pytest.fixture(scope="session")
def probes() -> declared.Probes:
    """What tests/probes.toml declares: the work request, live-safe requests, bench peers."""
    return declared.load()


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory,
                 credentials: dict[str, str]) -> Iterator[RunningServer]:
    """One `python -m serving` for the session, with the run's credential; it must exit 0 on
    SIGTERM."""
    del credentials  # in the environment, which the server inherits
    server = start_server(tmp_path_factory.mktemp("server") / "server.log")
    yield server
    code = server.stop()
    if code != 0:
        pytest.fail(f"`python -m serving` exited {code} on SIGTERM:\n"
                    + server.log.read_text(encoding="utf-8")[-3000:])


@pytest.fixture(scope="session")
def service_url(request: pytest.FixtureRequest, probes: declared.Probes) -> Iterator[str]:
    """The service under test: $CANARY_URL, else $SMOKE_URL, else the local server."""
    url = _live_url()
    if not url:
        yield (os.environ.get("SMOKE_URL", "").rstrip("/")
               or request.getfixturevalue("local_server").url)
        return
    try:
        headers = parse_headers(os.environ.get("CANARY_HEADERS", ""))
    except HeaderError as error:
        pytest.fail(str(error), pytrace=False)
    with guarded(probes.live_guard(url)), target_headers(url, headers):
        yield url


@pytest.fixture(scope="session")
def contract(service_url: str) -> Contract:
    """The contract the service serves, read once: what every answer is judged by."""
    reply = call(service_url, "GET", "/openapi.json")
    if reply.status != 200:
        pytest.fail(f"{service_url}/openapi.json answered {reply.status}")
    return Contract.parse(reply.json())
