"""12-factor settings: every knob comes from the environment (or a git-ignored .env file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

MODES = ("Development", "Testing", "Production")
# Every variable the service reads; .env.example and the README document each one (tested).
VARIABLES = (
    "MODE_CONFIG", "TRUSTED_HOSTS", "HOST", "PORT", "WEB_CONCURRENCY", "WEB_BACKLOG",
    "GRACEFUL_TIMEOUT", "MAX_BODY_BYTES", "MAX_URL_BYTES", "MAX_HEADER_BYTES", "LOG_LEVEL",
)


class ConfigError(ValueError):
    """A setting is missing or unsafe; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Validated settings for one process, built by `load_settings`."""

    mode: str = "Production"
    host: str = "127.0.0.1"
    port: int = 8080
    web_concurrency: int = 2
    web_backlog: int = 1024
    graceful_timeout: int = 8
    trusted_hosts: tuple[str, ...] = ()
    max_body_bytes: int = 16384
    max_url_bytes: int = 2048
    max_header_bytes: int = 8192
    log_level: str = "INFO"

    @property
    def production(self) -> bool:
        """Report whether the strict Production rules apply."""
        return self.mode == "Production"

    def flask_config(self) -> dict[str, Any]:
        """Translate to the Flask config keys the app factory applies."""
        return {
            "MODE_CONFIG": self.mode,
            "TESTING": self.mode == "Testing",
            "DEBUG": False,
            # Not Flask's TRUSTED_HOSTS: app/security.py checks it so /healthz can be exempt.
            "ALLOWED_HOSTS": self.trusted_hosts,
            "MAX_CONTENT_LENGTH": self.max_body_bytes,
            "MAX_URL_BYTES": self.max_url_bytes,
            "MAX_HEADER_BYTES": self.max_header_bytes,
            "LOG_LEVEL": self.log_level,
        }


def read_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """Merge `.env` under the real environment, which always wins (12-factor)."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw[:32]!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _mode(env: Mapping[str, str]) -> str:
    raw = env.get("MODE_CONFIG", "").strip() or "Production"
    for mode in MODES:
        if raw.lower() == mode.lower():
            return mode
    raise ConfigError(f"MODE_CONFIG must be one of {', '.join(MODES)}, got {raw[:32]!r}")


def _trusted_hosts(env: Mapping[str, str], production: bool) -> tuple[str, ...]:
    hosts = tuple(h.strip().lower() for h in env.get("TRUSTED_HOSTS", "").split(",") if h.strip())
    if production and not hosts:
        raise ConfigError("TRUSTED_HOSTS must list the host names clients use in Production")
    if production and any(h in ("*", ".") for h in hosts):
        raise ConfigError("TRUSTED_HOSTS must not be a wildcard in Production")
    return hosts


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level[:16]!r}")
    return level


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Validate the environment, raising ConfigError on the first bad variable."""
    env = read_environment() if env is None else env
    mode = _mode(env)
    production = mode == "Production"
    host = env.get("HOST", "").strip() or "127.0.0.1"
    settings = Settings(
        mode=mode,
        host=host,
        port=_integer(env, "PORT", 8080, 1, 65535),
        web_concurrency=_integer(env, "WEB_CONCURRENCY", 2, 1, 64),
        web_backlog=_integer(env, "WEB_BACKLOG", 1024, 128, 65_535),
        # Cloud Foundry and `docker stop` both kill 10 s after SIGTERM: drain well before.
        graceful_timeout=_integer(env, "GRACEFUL_TIMEOUT", 8, 1, 60),
        trusted_hosts=_trusted_hosts(env, production),
        max_body_bytes=_integer(env, "MAX_BODY_BYTES", 16384, 0, 65_536),
        max_url_bytes=_integer(env, "MAX_URL_BYTES", 2048, 256, 65_536),
        max_header_bytes=_integer(env, "MAX_HEADER_BYTES", 8192, 1024, 65_536),
        log_level=_log_level(env),
    )
    if production and settings.log_level == "DEBUG":
        raise ConfigError("LOG_LEVEL must not be DEBUG in Production")
    return settings
