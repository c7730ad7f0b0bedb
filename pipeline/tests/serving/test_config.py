"""Configuration: 12-factor sources, safe defaults and a refusal that names the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from pipeline.core.paths import ROOT
from serving.config import VARIABLES, ConfigError, Settings, load_settings, read_environment


PRODUCTION = {"MODE_CONFIG": "Production", "TRUSTED_HOSTS": "svc.example.org"}


def test_unset_mode_means_production() -> None:
    settings = load_settings({"TRUSTED_HOSTS": "a.example"})
    assert settings.mode == "Production"
    assert settings.production


def test_defaults_are_loopback_and_documented_limits() -> None:
    settings = load_settings(PRODUCTION)
    assert (settings.host, settings.port, settings.web_concurrency) == ("127.0.0.1", 8080, 2)
    assert settings.max_body_bytes == 16384
    assert settings.max_url_bytes == 2048
    assert settings.max_header_bytes == 8192


@pytest.mark.parametrize("raw", ["testing", "TESTING", " Testing "])
def test_mode_is_case_insensitive(raw: str) -> None:
    assert load_settings({"MODE_CONFIG": raw}).mode == "Testing"


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"MODE_CONFIG": "Staging"}, "MODE_CONFIG"),
        ({"MODE_CONFIG": "Production"}, "TRUSTED_HOSTS"),
        ({**PRODUCTION, "TRUSTED_HOSTS": "*"}, "TRUSTED_HOSTS"),
        ({**PRODUCTION, "PORT": "eighty"}, "PORT"),
        ({**PRODUCTION, "PORT": "70000"}, "PORT"),
        ({**PRODUCTION, "WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
        ({**PRODUCTION, "MAX_BODY_BYTES": "1e6"}, "MAX_BODY_BYTES"),
        ({**PRODUCTION, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({**PRODUCTION, "LOG_LEVEL": "debug"}, "LOG_LEVEL"),
        ({**PRODUCTION, "GRACEFUL_TIMEOUT": "600"}, "GRACEFUL_TIMEOUT"),
    ],
)
def test_bad_settings_name_the_variable(variables: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(variables)
    message = str(caught.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_debug_logging_is_fine_outside_production() -> None:
    assert load_settings({"MODE_CONFIG": "Development", "LOG_LEVEL": "debug"}).log_level == "DEBUG"


def test_trusted_hosts_are_normalised() -> None:
    settings = load_settings({**PRODUCTION, "TRUSTED_HOSTS": " A.example , b.example,, "})
    assert settings.trusted_hosts == ("a.example", "b.example")


def test_env_file_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9001\nLOG_LEVEL=WARNING\nEMPTY\n", encoding="utf-8")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    values = read_environment(env_file)
    assert values["PORT"] == "9001"
    assert values["LOG_LEVEL"] == "ERROR"
    assert "EMPTY" not in values


def test_missing_env_file_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORT", raising=False)
    assert "PORT" not in read_environment(tmp_path / "absent.env")


def test_env_example_lists_every_variable_the_stack_reads() -> None:
    # A superset: an API may read variables of its own and list them there too.
    example = {k: v for k, v in dotenv_values(ROOT / ".env.example").items() if v is not None}
    assert set(VARIABLES) <= set(example)
    assert load_settings(example).production


def test_the_serving_docs_document_every_variable() -> None:
    readme = (ROOT / "docs" / "serving.md").read_text(encoding="utf-8")
    missing = [name for name in VARIABLES if f"`{name}`" not in readme]
    assert not missing


def test_each_default_is_the_value_an_unset_variable_gets() -> None:
    unset = load_settings({"MODE_CONFIG": "Development"})
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert unset.model_dump() == {**defaults, "mode": "Development"}
    assert load_settings({"TRUSTED_HOSTS": "a.example"}).mode == "Production"


def test_blank_means_unset_and_padding_is_dropped() -> None:
    assert load_settings({**PRODUCTION, "PORT": "  ", "HOST": " 0.0.0.0 "}).port == 8080
    assert load_settings({**PRODUCTION, "HOST": " 0.0.0.0 "}).host == "0.0.0.0"
