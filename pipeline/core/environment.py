"""Required settings for pipeline stages, checked up front and reported in one line."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping


class MissingSettings(RuntimeError):
    """One or more required variables are unset; the message names each of them."""


def missing(names: Iterable[str], env: Mapping[str, str] | None = None) -> list[str]:
    """List the named variables that are unset or blank, in the order given."""
    env = os.environ if env is None else env
    return [name for name in names if not env.get(name, "").strip()]


def describe(names: Iterable[str]) -> str:
    """Say which variables are missing, in one line."""
    return f"missing required environment variable(s): {', '.join(names)}"


def require(names: Iterable[str], env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the named variables, or raise naming every one that is unset or blank."""
    env = os.environ if env is None else env
    names = list(names)
    absent = missing(names, env)
    if absent:
        raise MissingSettings(describe(absent))
    return {name: env[name] for name in names}


def truthy(name: str, env: Mapping[str, str] | None = None) -> bool:
    """Read a yes/no flag such as CI=true."""
    env = os.environ if env is None else env
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")
