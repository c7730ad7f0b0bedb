"""The stack's own endpoints: the health probe and the served contract."""

from __future__ import annotations

from flask.testing import FlaskClient

from serving.endpoints import HEALTH_PATH


def test_health_is_cheap_and_json(client: FlaskClient) -> None:
    response = client.get(HEALTH_PATH)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_head_on_health_has_no_body(client: FlaskClient) -> None:
    response = client.head(HEALTH_PATH)
    assert response.status_code == 200
    assert response.data == b""


def test_the_contract_is_served_as_json(client: FlaskClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"
