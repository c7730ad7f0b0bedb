"""pipeline.core.environment: required settings are checked up front and named together."""

from __future__ import annotations

import pytest

from pipeline.core import environment


def test_missing_variables_are_named_together_in_order() -> None:
    env = {"A": "1", "B": " ", "D": "4"}
    assert environment.missing(["A", "B", "C", "D"], env) == ["B", "C"]
    with pytest.raises(environment.MissingSettings, match=r"variable\(s\): B, C$"):
        environment.require(["A", "B", "C"], env)


def test_flags_read_the_usual_spellings_of_yes() -> None:
    assert environment.truthy("CI", {"CI": " True "})
    assert not environment.truthy("CI", {"CI": "0"})
    assert not environment.truthy("CI", {})
    assert environment.require(["A"], {"A": "1", "B": "2"}) == {"A": "1"}
