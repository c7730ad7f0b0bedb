"""The load gate's verdicts: each target missed on its own is named (pipeline/dynamic/load.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pipeline.dynamic import load

HELD = {"clients": 64, "probes": 140, "probe_errors": 0, "probe_max_s": 0.03, "cut_off": 64,
        "clients_never_cut_off": 0, "slowest_cut_off_s": 5.1}
PASSING: dict[str, Any] = {
    "errors": 0, "rss_growth_second_half_mb": 0.1,
    "abuse": {"slow_headers": dict(HELD, slowest_cut_off_s=6.0), "slow_bodies": dict(HELD)},
}


def test_a_run_that_holds_every_target_has_no_verdict() -> None:
    assert not load.verdicts(PASSING)


@pytest.mark.parametrize(("kind", "field", "value", "says"), [
    # What the Granian WSGI stack measured under 64 stalled bodies.
    ("slow_bodies", "clients_never_cut_off", 64, "slow-body clients: 64 never cut off"),
    ("slow_bodies", "slowest_cut_off_s", float("inf"), "slowest cut off after inf s"),
    ("slow_bodies", "probe_max_s", 5.06, "slow-body abuse: 0 errors, slowest ordinary request"),
    ("slow_bodies", "probe_errors", 1, "slow-body abuse: 1 errors"),
    ("slow_headers", "slowest_cut_off_s", 30.0, "slow-header clients: 0 never cut off"),
    ("slow_headers", "probe_max_s", 1.5, "slow-header abuse"),
])
def test_each_missed_abuse_target_is_named(kind: str, field: str, value: float, says: str) -> None:
    result = copy.deepcopy(PASSING)
    result["abuse"][kind][field] = value
    missed = load.verdicts(result)
    assert len(missed) == 1 and says in missed[0], missed


def test_slow_body_cut_off_limit_follows_the_servers_deadline() -> None:
    assert load.BODY_CUT_OFF_S <= 10  # cut off within at most 10 s
    result = copy.deepcopy(PASSING)
    result["abuse"]["slow_bodies"]["slowest_cut_off_s"] = load.BODY_CUT_OFF_S + 0.1
    assert load.verdicts(result)


def test_errors_and_memory_growth_under_load_are_named() -> None:
    result = dict(PASSING, errors=3, rss_growth_second_half_mb=load.FLAT_GROWTH_MB + 1)
    assert [line.split(" ", 2)[:2] for line in load.verdicts(result)] == [
        ["3", "errors"], ["memory", "grew"]]
