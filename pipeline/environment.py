"""Required settings for pipeline stages, checked up front and reported in one line."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping


class MissingSettings(RuntimeError):
    """One or more required variables are unset; the message names each of them."""


def require(names: Iterable[str], env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the named variables, or raise naming every one that is unset or empty."""
    env = os.environ if env is None else env
    names = list(names)
    missing = [name for name in names if not env.get(name, "").strip()]
    if missing:
        raise MissingSettings(f"missing required environment variable(s): {', '.join(missing)}")
    return {name: env[name] for name in names}


def truthy(name: str, env: Mapping[str, str] | None = None) -> bool:
    """Read a yes/no flag such as CI=true."""
    env = os.environ if env is None else env
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")
