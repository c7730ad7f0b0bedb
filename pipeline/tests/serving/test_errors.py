"""Every error is JSON with the status and a message: never HTML, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from serving.bodies import json_body
from serving.endpoints import HEALTH_PATH


def _assert_json_error(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status
    assert set(body) == {"status", "error", "message"}
    assert "<" not in response.get_data(as_text=True)
    return body


def test_unknown_path_is_a_json_404(client: FlaskClient) -> None:
    _assert_json_error(client.get("/nowhere"), 404)


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("put", "/things", "GET, HEAD, POST"), ("post", "/things/known", "GET, HEAD"),
    ("delete", HEALTH_PATH, "GET, HEAD"), ("options", "/openapi.json", "GET, HEAD"),
])
def test_wrong_method_is_a_json_405_with_allow(
    client: FlaskClient, method: str, path: str, allow: str
) -> None:
    response = getattr(client, method)(path)
    _assert_json_error(response, 405)
    assert set(response.headers["Allow"].split(", ")) == set(allow.split(", "))


def test_oversized_body_is_a_json_413(make_app: Callable[..., Flask]) -> None:
    client = make_app(MAX_BODY_BYTES="64").test_client()
    _assert_json_error(client.post("/things", json={"a": "x" * 100}), 413)


def test_oversized_url_is_a_json_414(client: FlaskClient) -> None:
    _assert_json_error(client.get("/things?q=" + "a" * 3000), 414)


def test_oversized_headers_are_a_json_431(client: FlaskClient) -> None:
    _assert_json_error(client.get("/things", headers={"X-Filler": "a" * 9000}), 431)


def test_unexpected_failure_is_a_generic_json_500(
    make_app: Callable[..., Flask], capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    body = _assert_json_error(app.test_client().get("/boom"), 500)
    assert "secret" not in body["message"]
    logged = capsys.readouterr().out
    assert "RuntimeError" in logged
    assert '"status": 500' in logged


@pytest.mark.parametrize("host", ["evil.example", "svc.example.evil", "svc.example@evil", ""])
def test_untrusted_host_is_a_json_400(make_app: Callable[..., Flask], host: str) -> None:
    client = make_app(TRUSTED_HOSTS="svc.example").test_client()
    body = _assert_json_error(client.get("/things", headers={"Host": host}), 400)
    assert "Host" in body["message"]


@pytest.mark.parametrize("host", ["svc.example", "SVC.example", "svc.example:8443"])
def test_trusted_host_is_served(make_app: Callable[..., Flask], host: str) -> None:
    client = make_app(TRUSTED_HOSTS="svc.example").test_client()
    assert client.get("/things", headers={"Host": host}).status_code == 200


def test_health_answers_probes_that_address_the_container_by_ip(
    make_app: Callable[..., Flask]
) -> None:
    client = make_app(TRUSTED_HOSTS="svc.example").test_client()
    assert client.get(HEALTH_PATH, headers={"Host": "10.255.1.7:8080"}).status_code == 200


def test_a_null_body_is_no_body_unless_the_route_refuses_it(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.post("/strict")
    def strict() -> dict[str, Any]:
        return {"body": json_body(null=False)}

    client = app.test_client()
    assert client.post("/things", data=b"null", content_type="application/json").get_json() == {
        "added": None}
    body = _assert_json_error(client.post("/strict", data=b"null",
                                          content_type="application/json"), 400)
    assert body["message"] == "the body must not be JSON null"
    assert client.post("/strict").get_json() == {"body": None}  # no body at all is still None
