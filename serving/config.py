"""12-factor settings: every knob comes from the environment (or a git-ignored .env file)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

PRODUCTION = "Production"
MODES = ("Development", "Testing", PRODUCTION)


class ConfigError(ValueError):
    """A setting is missing or unsafe; the message names the variable."""


@dataclass(frozen=True)
class Settings:  # pylint: disable=too-many-instance-attributes  # one per setting
    """Validated settings for one process, built by `load_settings` from the VARIABLES table."""

    mode: str
    host: str
    port: int
    web_concurrency: int
    web_backlog: int
    graceful_timeout: int
    trusted_hosts: tuple[str, ...]
    max_body_bytes: int
    max_url_bytes: int
    max_header_bytes: int
    log_level: str
    trusted_proxy_count: int
    api_reference: bool

    @property
    def production(self) -> bool:
        """Report whether the strict Production rules apply."""
        return _production(self.mode)

    def flask_config(self) -> dict[str, Any]:
        """Translate to the Flask config keys the app factory applies."""
        return {
            "MODE_CONFIG": self.mode,
            "PRODUCTION": self.production,
            "TESTING": self.mode == "Testing",
            "DEBUG": False,
            # Not Flask's TRUSTED_HOSTS: serving/security.py checks it so /healthz can be exempt.
            "ALLOWED_HOSTS": self.trusted_hosts,
            "MAX_CONTENT_LENGTH": self.max_body_bytes,
            "MAX_URL_BYTES": self.max_url_bytes,
            "MAX_HEADER_BYTES": self.max_header_bytes,
            "LOG_LEVEL": self.log_level,
            "TRUSTED_PROXY_COUNT": self.trusted_proxy_count,
            # The interactive API reference: always outside Production, there only when asked.
            "API_REFERENCE": self.api_reference or not self.production,
        }


def _production(mode: str) -> bool:
    return mode == PRODUCTION  # the one place the strict mode is recognised


def read_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """Merge `.env` under the real environment, which always wins (12-factor)."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


# A reader turns a variable's text (already stripped, or its default) into its value;
# `production` tells it whether the strict rules apply.
Reader = Callable[[str, str, bool], Any]


def _whole(low: int, high: int) -> Reader:
    """Read a whole number in [low, high]."""

    def read(name: str, raw: str, _production: bool) -> int:
        try:
            value = int(raw, 10)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw[:32]!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
        return value

    return read


def _text(_name: str, raw: str, _production: bool) -> str:
    return raw


def _mode(name: str, raw: str, _production: bool) -> str:
    for mode in MODES:
        if raw.lower() == mode.lower():
            return mode
    raise ConfigError(f"{name} must be one of {', '.join(MODES)}, got {raw[:32]!r}")


def _trusted_hosts(name: str, raw: str, production: bool) -> tuple[str, ...]:
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    if production and not hosts:
        raise ConfigError(f"{name} must list the host names clients use in Production")
    if production and any(h in ("*", ".") for h in hosts):
        raise ConfigError(f"{name} must not be a wildcard in Production")
    return hosts


def _log_level(name: str, raw: str, production: bool) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{name} must be DEBUG, INFO, WARNING or ERROR, got {level[:16]!r}")
    if production and level == "DEBUG":
        raise ConfigError(f"{name} must not be DEBUG in Production")
    return level


def _flag(name: str, raw: str, _production: bool) -> bool:
    if raw.lower() not in ("true", "false"):
        raise ConfigError(f"{name} must be true or false, got {raw[:16]!r}")
    return raw.lower() == "true"


@dataclass(frozen=True)
class Variable:
    """One environment variable: its default, written as the environment would, and its reader."""

    name: str
    default: str
    read: Reader
    field: str = ""  # the Settings field, when it is not the name in lower case

    @property
    def attribute(self) -> str:
        """Name the Settings field this variable fills."""
        return self.field or self.name.lower()


# Every variable the service reads, in the order they are checked, each default written once.
# .env.example and docs/serving.md document each one (tested); a new setting is one row here plus
# its Settings field.
TABLE = (
    Variable("MODE_CONFIG", PRODUCTION, _mode, field="mode"),  # first: the rest depend on it
    Variable("HOST", "127.0.0.1", _text),
    Variable("PORT", "8080", _whole(1, 65_535)),
    Variable("WEB_CONCURRENCY", "2", _whole(1, 64)),
    Variable("WEB_BACKLOG", "1024", _whole(128, 65_535)),
    # Cloud Foundry and `docker stop` both kill 10 s after SIGTERM: drain well before.
    Variable("GRACEFUL_TIMEOUT", "8", _whole(1, 60)),
    Variable("TRUSTED_HOSTS", "", _trusted_hosts),
    Variable("MAX_BODY_BYTES", "16384", _whole(0, 65_536)),
    Variable("MAX_URL_BYTES", "2048", _whole(256, 65_536)),
    Variable("MAX_HEADER_BYTES", "8192", _whole(1024, 65_536)),
    Variable("LOG_LEVEL", "INFO", _log_level),
    # The proxies in front that append the address they saw to X-Forwarded-For: 0 logs the
    # peer itself, since any client can write that header; Cloud Foundry's router is one.
    Variable("TRUSTED_PROXY_COUNT", "0", _whole(0, 8)),
    Variable("API_REFERENCE", "false", _flag),
)
VARIABLES = tuple(variable.name for variable in TABLE)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Validate the environment, raising ConfigError on the first bad variable."""
    env = read_environment() if env is None else env
    values: dict[str, Any] = {}
    for variable in TABLE:
        raw = env.get(variable.name, "").strip() or variable.default
        values[variable.attribute] = variable.read(
            variable.name, raw, _production(values.get("mode", "")))
    return Settings(**values)
