"""pipeline.core.probes: tests/probes.toml read strictly, each mistake one line naming its key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.core import probes
from pipeline.core.probes import ProbesError

WORK = {"method": "GET", "path": "/items?limit=2"}


def test_the_declared_file_reads() -> None:
    declared = probes.load()
    assert declared.work.method and declared.work.path.startswith("/")
    assert all(probe.method not in probes.SAFE_METHODS for probe in declared.live)


def test_a_json_body_is_sent_as_json_and_the_route_drops_the_query() -> None:
    declared = probes.parse({"work": {"method": "POST", "path": "/things?x=1",
                                      "json": {"a": [1, None]}}})
    assert declared.work.body == b'{"a": [1, null]}'
    assert declared.work.headers == {"Content-Type": "application/json"}
    assert declared.work.route == "/things"
    assert str(declared.work) == "POST /things?x=1"


def test_only_get_head_and_declared_requests_are_live_safe() -> None:
    declared = probes.parse({"work": WORK, "live": [{"method": "POST", "path": "/ping"}]})
    assert declared.live_safe("GET", "/anything") and declared.live_safe("HEAD", "/")
    assert declared.live_safe("POST", "/ping")
    assert not declared.live_safe("POST", "/ping?x=1")
    assert not declared.live_safe("DELETE", "/ping")


def test_peers_fill_python_and_must_listen_on_the_port() -> None:
    peer = {"key": "p", "name": "P", "argv": ["{python}", "-m", "x", "--port", "{port}"]}
    assert probes.parse({"work": WORK, "peer": [peer]}).peers[0].same_work is False
    with pytest.raises(ProbesError, match=r"peer\[0\]\.argv must listen on \{port\}"):
        probes.parse({"work": WORK, "peer": [{**peer, "argv": ["{python}", "-m", "x"]}]})


@pytest.mark.parametrize(("document", "says"), [
    ({}, "must declare [work]"),
    ({"work": "GET /"}, "work must be a table"),
    ({"work": {"path": "/"}}, "work.method must be a non-empty string"),
    ({"work": {"method": "get", "path": "/"}}, "work.method must be an upper-case HTTP method"),
    ({"work": {"method": "GET", "path": "items"}}, "work.path must start with /"),
    ({"work": {"method": "GET", "path": "/a b"}}, "hold no spaces"),
    ({"work": {**WORK, "headers": {"X": 1}}}, "work.headers must be a table of strings"),
    ({"work": {**WORK, "json": {}, "body": "x"}}, "has both json and body"),
    ({"work": WORK, "live": {"method": "GET"}}, "must be arrays of tables"),
    ({"work": WORK, "live": [{"method": "GET"}]}, "live[0].path must be"),
    ({"work": WORK, "credential": "X-API-Key"}, "credential must be a table"),
    ({"work": WORK, "credential": {"setting": "KEY"}}, "credential.header must be"),
    ({"work": WORK, "credential": {"header": "X-API-Key", "setting": "api key"}},
     "credential.setting must be an environment variable name"),
])
def test_each_mistake_is_one_line_naming_its_key(document: dict[str, Any], says: str) -> None:
    with pytest.raises(ProbesError) as caught:
        probes.parse(document)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_or_broken_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ProbesError, match="is missing: the pipeline needs \\[work\\]"):
        probes.load(tmp_path / "probes.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[work\n", encoding="utf-8")
    with pytest.raises(ProbesError, match="broken.toml is not valid TOML"):
        probes.load(broken)


def test_a_credential_keeps_a_set_value_and_makes_one_for_the_run_otherwise() -> None:
    declared = probes.parse({"work": WORK, "credential": {"header": "X-API-Key",
                                                          "setting": "SHOP_KEY"}})
    env = {"SHOP_KEY": "given"}
    assert declared.headers(env) == {"X-API-Key": "given"}
    fresh: dict[str, str] = {}
    made = declared.headers(fresh)["X-API-Key"]
    assert len(made) >= 32 and fresh == {"SHOP_KEY": made}  # where the servers inherit it
    assert declared.headers(fresh) == {"X-API-Key": made}  # the same for the whole run
    assert probes.parse({"work": WORK}).headers({}) == {}
