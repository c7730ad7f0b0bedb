"""12-factor settings: every knob comes from the environment (or a git-ignored .env file)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import NoDecode

from serving.settings import ConfigError, EnvironmentSettings, read_environment

PRODUCTION: Final = "Production"


def _host_names(raw: object) -> object:
    """Split a comma-separated list; the default, already a tuple, passes as it is."""
    return tuple(h.strip().lower() for h in raw.split(",") if h.strip()) if isinstance(
        raw, str) else raw


class Settings(EnvironmentSettings):
    """The stack's own settings, one field per variable (its name in upper case), in the order
    they are checked; .env.example and docs/serving.md document each one (tested)."""

    # First: the Production rules below depend on it.
    # Any case: the capitalised spelling is each mode's own.
    mode: Annotated[Literal["Development", "Testing", "Production"], BeforeValidator(
        str.capitalize)] = Field(PRODUCTION, validation_alias="MODE_CONFIG")
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65_535)
    web_concurrency: int = Field(2, ge=1, le=64)
    web_backlog: int = Field(1024, ge=128, le=65_535)
    # Cloud Foundry and `docker stop` both kill 10 s after SIGTERM: drain well before.
    graceful_timeout: int = Field(8, ge=1, le=60)
    trusted_hosts: Annotated[tuple[str, ...], NoDecode, BeforeValidator(_host_names)] = ()
    max_body_bytes: int = Field(16_384, ge=0, le=65_536)
    max_url_bytes: int = Field(2048, ge=256, le=65_536)
    max_header_bytes: int = Field(8192, ge=1024, le=65_536)
    log_level: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"],
                         BeforeValidator(str.upper)] = "INFO"
    # The proxies in front that append the address they saw to X-Forwarded-For: 0 logs the
    # peer itself, since any client can write that header; Cloud Foundry's router is one.
    trusted_proxy_count: int = Field(0, ge=0, le=8)
    api_reference: bool = False

    @field_validator("trusted_hosts")
    @classmethod
    def _named_hosts(cls, hosts: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if info.data.get("mode") == PRODUCTION and not hosts:
            raise PydanticCustomError("production",
                                      "must list the host names clients use in Production")
        if info.data.get("mode") == PRODUCTION and any(h in ("*", ".") for h in hosts):
            raise PydanticCustomError("production", "must not be a wildcard in Production")
        return hosts

    @field_validator("log_level")
    @classmethod
    def _quiet(cls, level: str, info: ValidationInfo) -> str:
        if info.data.get("mode") == PRODUCTION and level == "DEBUG":
            raise PydanticCustomError("production", "must not be DEBUG in Production")
        return level

    @property
    def production(self) -> bool:
        """Report whether the strict Production rules apply."""
        return self.mode == PRODUCTION  # the one place the strict mode is recognised

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


# Every variable the service reads, as the environment spells it.
VARIABLES = tuple(str(field.validation_alias or name).upper()
                  for name, field in Settings.model_fields.items())


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Validate the environment, raising ConfigError on the first bad variable."""
    env = read_environment() if env is None else env
    # Blank means unset, as for the API's settings; padding is never part of a value here.
    return Settings.validated({name: value.strip() for name, value in env.items()})


__all__ = ["VARIABLES", "ConfigError", "Settings", "load_settings", "read_environment"]
