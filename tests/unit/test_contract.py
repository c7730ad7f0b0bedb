"""The echo contract documents exactly the rules the routes enforce."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app import validation


@pytest.fixture
def served(client: FlaskClient) -> dict[str, Any]:
    """The contract as the app serves it."""
    document: dict[str, Any] = client.get("/openapi.json").get_json()
    return document


def test_patterns_are_the_enforced_rules(served: dict[str, Any]) -> None:
    parameters = served["components"]["parameters"]
    assert parameters["Item"]["schema"]["pattern"] == f"^{validation.ITEM_PATTERN}$"
    assert parameters["Lang"]["schema"]["pattern"] == f"^{validation.LANG_PATTERN}$"
    assert parameters["Lang"]["schema"]["maxLength"] == validation.LANG_MAX


def test_the_body_schema_is_the_payload_rule(served: dict[str, Any]) -> None:
    payload = served["components"]["schemas"]["Payload"]
    assert payload["maxProperties"] == validation.PAYLOAD_MAX_FIELDS
    assert payload["propertyNames"]["pattern"] == f"^{validation.PAYLOAD_KEY_PATTERN}$"
