"""The echo API in process: index links, echo round trips and the input rules."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from flask.testing import FlaskClient

LANG_OK = ["en", "en-GB", "es-419", "zh-Hant-TW", "sl-rozaj-biske", "de-CH-1901", "x-private",
           "en-a-bbb-x-a-ccc", "cmn-Hans-CN", "hy-Latn-IT-arevela", "zh-yue-HK"]
LANG_BAD = ["", "e", "languages-x", "en_GB", "en-", "-en", "en--GB", "en-GB-", "123",
            "en-GB\n", "<script>", "en-" + "a" * 40, "de-419-DE-x", "ünı"]
ITEM_OK = ["a", "hello", "A1", "semver-1.2.3", "tilde~ok", "under_score", "x" * 64]
ITEM_BAD = [".", "..", "-lead", "has space", "a/b", "x" * 65, "ü", "a%00", "<b>", "a;b",
            "a%0Ab", "ab%0A", "a%0D%0Ab", "%0Aab", "a%FFb"]


def test_index_lists_every_endpoint(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.get_json()
    assert body["message"] == "echo service index"
    datetime.fromisoformat(body["timestamp"])
    links = body["_links"]
    assert {name: link["href"] for name, link in links.items()} == {
        "self": "/", "echo": "/echo", "echo_item": "/echo/{item}",
        "health": "/healthz", "openapi": "/openapi.json",
    }
    assert links["echo"]["method"] == "POST"
    assert links["echo_item"]["templated"] is True


def test_links_ignore_a_hostile_host_header(client: FlaskClient) -> None:
    body = client.get("/", headers={"Host": "attacker.example"}).get_json()
    assert "attacker" not in str(body)


def test_echo_without_anything_says_none(client: FlaskClient) -> None:
    body = client.post("/echo").get_json()
    assert body["echo"] == {"item": "none", "lang": "none", "payload": None}
    assert body["_links"]["index"]["href"] == "/"


def test_echo_round_trip(client: FlaskClient) -> None:
    response = client.post("/echo/hello?lang=en-GB", json={"greeting": "hi", "n": 2, "ok": True})
    assert response.status_code == 200
    assert response.get_json()["echo"] == {
        "item": "hello", "lang": "en-GB", "payload": {"greeting": "hi", "n": 2, "ok": True},
    }


@pytest.mark.parametrize("lang", LANG_OK)
def test_well_formed_language_tags_are_echoed(client: FlaskClient, lang: str) -> None:
    response = client.post("/echo", query_string={"lang": lang})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["echo"]["lang"] == lang


@pytest.mark.parametrize("lang", LANG_BAD)
def test_malformed_language_tags_are_refused(client: FlaskClient, lang: str) -> None:
    response = client.post("/echo", query_string={"lang": lang})
    assert response.status_code == 400
    assert "lang" in response.get_json()["message"]


@pytest.mark.parametrize("item", ITEM_OK)
def test_items_within_the_rules_are_echoed(client: FlaskClient, item: str) -> None:
    response = client.post(f"/echo/{item}")
    assert response.status_code == 200
    assert response.get_json()["echo"]["item"] == item


@pytest.mark.parametrize("item", ITEM_BAD)
def test_items_outside_the_rules_are_refused(client: FlaskClient, item: str) -> None:
    response = client.post(f"/echo/{item}")
    assert response.status_code == 400  # the contract's answer for an invalid item, never 404
    assert "item" in response.get_json()["message"]


@pytest.mark.parametrize(
    "raw",
    [b"null", b"[1, 2]", b'"text"', b"{", b'{"a": NaN}', b'{"a": 1e999}', b'{"a": {"b": 1}}',
     b'{"a": [1]}', b'{"bad key": 1}', b'{"a": "' + b"x" * 129 + b'"}', b'{"a": "\\ud800"}',
     b"\xff\xfe", b"[" * 5000, b'{"a": ' + b"9" * 5000 + b"}",
     b"{" + b",".join(b'"k%d": 1' % i for i in range(9)) + b"}"],
)
def test_bodies_outside_the_rules_are_refused(client: FlaskClient, raw: bytes) -> None:
    response = client.post("/echo", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "body" in response.get_json()["message"]


def test_largest_allowed_body_is_echoed(client: FlaskClient) -> None:
    payload = {f"k{i}": "\u00e9" * 128 for i in range(8)}
    response = client.post("/echo", json=payload)
    assert response.status_code == 200
    assert response.get_json()["echo"]["payload"] == payload


def test_a_body_must_be_json(client: FlaskClient) -> None:
    response = client.post("/echo", data="hello", content_type="text/plain")
    assert response.status_code == 415
    assert response.get_json()["status"] == 415


def test_an_empty_body_of_any_type_is_no_body(client: FlaskClient) -> None:
    response = client.post("/echo", data=b"", content_type="text/plain")
    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Content-Length": "0"}])
def test_no_body_and_an_empty_body_are_both_no_payload(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    response = client.post("/echo", headers={**headers, "Content-Type": "text/plain"})
    assert response.status_code == 200
    assert response.get_json()["echo"]["payload"] is None


def test_a_chunked_body_without_content_length_is_still_read(client: FlaskClient) -> None:
    response = client.post("/echo", input_stream=io.BytesIO(b'{"a": 1}'),
                           headers={"Transfer-Encoding": "chunked"},
                           content_type="application/json",
                           # As Granian hands over a chunked body: no length, a terminated stream.
                           environ_overrides={"wsgi.input_terminated": True,
                                              "CONTENT_LENGTH": ""})
    assert response.status_code == 200
    assert response.get_json()["echo"]["payload"] == {"a": 1}
