"""The API's secrets on Cloud Foundry: one user-provided service instance, bound in manifest.yml.

The secrets are the `SecretStr` fields of app/settings.py; each value comes from the environment
variable of its name, else from APP_SECRETS, one JSON object holding them all (CI's one
repository secret, so the workflow never changes when a secret is added). They reach cf in a
private temporary file (`-p PATH`, cli command/flag/credentials_or_json.go), never in argv, and
the app reads them from VCAP_SERVICES (serving/settings.py).
"""

from __future__ import annotations

import importlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from pipeline.deploy.settings import DeployError, DeploySettings

SECRETS_JSON = "APP_SECRETS"  # pragma: allowlist secret  # a variable's name, not a value


def instance_name(app: str) -> str:
    """The service instance the manifest binds: the app's name, then -settings."""
    return f"{app}-settings"


def declared() -> tuple[list[str], list[str]]:
    """The API's secrets and, of its settings, those required in Production (upper case)."""
    # The service's own code, imported in the deploy session's environment (runtime installed).
    from serving.project import API_PACKAGE  # pylint: disable=import-outside-toplevel
    from serving.settings import declared as settings_of  # pylint: disable=import-outside-toplevel

    settings = settings_of(importlib.import_module(API_PACKAGE))
    return settings.secrets(), [name.upper() for name in settings.required_in_production()]


def values(env: Mapping[str, str], names: list[str], required: list[str]) -> dict[str, str]:
    """Each secret from its variable, else from APP_SECRETS; a required one missing stops here."""
    raw = env.get(SECRETS_JSON, "").strip()
    try:
        bundle = json.loads(raw) if raw else {}
    except ValueError:
        bundle = None
    if not isinstance(bundle, dict) or not all(isinstance(v, str) for v in bundle.values()):
        raise DeployError(f"{SECRETS_JSON} must be a JSON object of strings, "
                          '{"NAME": "value", ...}')
    found = {name: env.get(name, "").strip() or str(bundle.get(name, "")) for name in names}
    absent = [name for name in names if name in required and not found[name]]
    if absent:
        raise DeployError(f"{', '.join(absent)} required in Production but not set: give "
                          f"{'it' if len(absent) == 1 else 'them'} in the environment or in "
                          f"{SECRETS_JSON} (docs/deploy.md)")
    return {name: value for name, value in found.items() if value}


def attach(settings: DeploySettings, env: Mapping[str, str]) -> DeploySettings:
    """The deploy settings with the API's secrets read and checked, before any cf call."""
    return replace(settings, app_secrets=values(env, *declared()))


@contextmanager
def credentials_file(credentials: Mapping[str, str]) -> Iterator[Path]:
    """The credentials as JSON in a file only this user can read, removed afterwards."""
    handle, name = tempfile.mkstemp(prefix="cf-credentials-", suffix=".json")  # mode 0600
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as sink:
            json.dump(dict(credentials), sink)
        yield path
    finally:
        path.unlink(missing_ok=True)
