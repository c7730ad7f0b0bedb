"""Responses through orjson: Flask's documents and shapes, and the stdlib where orjson refuses."""

from __future__ import annotations

import json

from flask import Flask, Response
from flask.testing import FlaskClient
from flask.json.provider import DefaultJSONProvider

from serving.json_provider import OrjsonProvider


def _body(response: object) -> bytes:
    assert isinstance(response, Response)
    return response.get_data()


def test_responses_are_compact_ordered_and_end_with_a_newline(app: Flask) -> None:
    document = {"z": 1, "a": [True, None, 1.5], "m": "caf\u00e9"}
    with app.app_context():
        response = app.json.response(document)
    assert response.mimetype == "application/json"
    assert _body(response) == '{"z":1,"a":[true,null,1.5],"m":"café"}\n'.encode()
    assert isinstance(app.json, OrjsonProvider)


def test_what_orjson_refuses_takes_flasks_encoder(app: Flask) -> None:
    stdlib = DefaultJSONProvider(app)
    stdlib.sort_keys = False
    for document in ({"big": 10**30}, {"lone": "\ud800"}):
        with app.app_context():
            assert _body(app.json.response(document)) == _body(stdlib.response(document))
        assert app.json.dumps(document) == stdlib.dumps(document)


def test_text_and_stdlib_arguments_match_flask(app: Flask) -> None:
    stdlib = DefaultJSONProvider(app)
    assert app.json.dumps({"b": 1, "a": 2}) == '{"b":1,"a":2}'
    assert app.json.dumps({"b": 1}, indent=2) == stdlib.dumps({"b": 1}, indent=2)
    assert app.json.loads(b'{"a": [1, 2.5]}') == {"a": [1, 2.5]}


def test_a_number_beyond_64_bits_is_still_answered(client: FlaskClient) -> None:
    response = client.post("/things", data=b'{"n": 123456789012345678901234567890}',
                           content_type="application/json")
    assert response.status_code == 201
    assert json.loads(response.data)["added"] == {"n": 123456789012345678901234567890}
