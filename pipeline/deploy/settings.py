"""Deploy settings: every variable `nox -s deploy` reads, validated before any cf call.

The canary's settings (docs/pipeline.md, "Pipeline variables") say how Cloud Foundry's canary
deployment is stepped and judged; each bad value is one line naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.core.environment import describe, missing
from pipeline.core.paths import DOCKER_MANIFEST, IMAGE_REF_FILE, MANIFEST

MODES = ("buildpack", "docker")
ALWAYS_REQUIRED = ("CF_API", "CF_USERNAME", "CF_PASSWORD", "CF_ORG", "CF_SPACE", "CF_VARS_FILE")
# cf push uses CF_DOCKER_PASSWORD only when a docker username is set (cli command/v7/
# push_command.go GetDockerPassword), so docker mode needs both.
DOCKER_REQUIRED = ("CF_DOCKER_PASSWORD", "CF_DOCKER_USERNAME")
SECRETS = ("CF_PASSWORD", "CF_DOCKER_PASSWORD")
# Masking replaces every occurrence of a secret in cf's output; a value this short would also
# match inside ordinary words ("p" in "app"), so it is refused rather than masked badly.
MIN_SECRET_LENGTH = 8
DIGEST_REF = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")


class DeployError(RuntimeError):
    """The deployment cannot go ahead or went wrong; the message says why in one line."""


@dataclass(frozen=True)
class CanarySettings:
    """How a canary deployment is stepped and judged (defaults as documented in docs/)."""

    steps: tuple[int, ...] = ()  # CANARY_STEPS; empty: Cloud Controller's one canary instance
    rounds: int = 10  # CANARY_ROUNDS: each pause sends every check request this many times
    error_margin_pct: float = 1.0  # CANARY_ERROR_MARGIN: points over the baseline's error rate
    p95_factor: float = 2.0  # CANARY_P95_FACTOR: times the baseline's p95 ...
    p95_slack_ms: float = 50.0  # CANARY_P95_SLACK_MS: ... plus this, so loopback noise passes
    latency_budget_ms: float = 500.0  # CANARY_LATENCY_BUDGET_MS: p95 when there is no baseline
    cancel_timeout_s: float = 180.0  # CANARY_CANCEL_TIMEOUT: seconds a cancel may take to settle
    poll_s: float = 3.0  # CANARY_POLL_SECONDS: cf's own polling interval (configv3/defaults.go)
    startup_timeout_s: float = 300.0  # CF_STARTUP_TIMEOUT (minutes) as cf reads it


DEFAULTS = CanarySettings()  # each default written once, in the fields above


# CANARY_STEPS: Cloud Controller's rule (cc app/messages/deployment_create_message.rb): whole
# weights from 1 to 100, sorted ascending (equal neighbours allowed); written as cf takes them.
STEPS = re.compile(r"^[0-9]{1,3}(,[0-9]{1,3})*$")
STEPS_RULE = ("CANARY_STEPS must be comma-separated whole percentages from 1 to 100 in "
              "ascending order (e.g. 10,50,100)")


@dataclass(frozen=True)
class DeploySettings:
    """Everything `nox -s deploy` needs; secrets are kept out of repr and argv."""

    api: str
    org: str
    space: str
    vars_file: Path
    mode: str
    app: str
    username: str = field(default="", repr=False)
    image_ref: str | None = None
    docker_username: str | None = None
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    canary: CanarySettings = field(default_factory=CanarySettings)
    # The API's own secrets (app/settings.py), for its user-provided service instance: read by
    # pipeline/deploy/app_secrets.py attach.
    app_secrets: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def masked(self) -> dict[str, str]:
        """Every value no line may show: cf's credentials and the API's secrets."""
        return {**self.secrets, **self.app_secrets}


def app_name(manifest: Path = MANIFEST) -> str:
    """Read the application name from the manifest."""
    return str(yaml.safe_load(manifest.read_text(encoding="utf-8"))["applications"][0]["name"])


def _image_ref(env: Mapping[str, str]) -> str:
    reference = env.get("IMAGE_REF", "").strip()
    if not reference and IMAGE_REF_FILE.is_file():
        reference = IMAGE_REF_FILE.read_text(encoding="utf-8").strip()
    if not reference:
        raise DeployError(f"DEPLOY_MODE=docker needs IMAGE_REF or {IMAGE_REF_FILE.name} "
                          "from `nox -s docker_push`")
    if not DIGEST_REF.match(reference):
        raise DeployError(f"IMAGE_REF must pin a digest (name@sha256:...), not a tag: {reference}")
    return reference


def canary_steps(raw: str) -> tuple[int, ...]:
    """Read CANARY_STEPS, refusing in one line what Cloud Controller would refuse later."""
    text = raw.strip()
    if not text:
        return ()
    weights = tuple(int(part) for part in text.split(",")) if STEPS.match(text) else ()
    if not weights or any(not 1 <= w <= 100 for w in weights) or list(weights) != sorted(weights):
        raise DeployError(f"{STEPS_RULE}, got {text[:40]!r}")
    return weights


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    """One numeric setting: unset is the default, anything else must be a number >= minimum."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = minimum - 1
    if not value >= minimum:  # also refuses nan
        raise DeployError(f"{name} must be a number of at least {minimum:g}, got {raw[:32]!r}")
    return value


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    """One count setting: unset is the default, anything else a whole number of at least 1."""
    raw = env.get(name, "").strip()
    if raw and not (raw.isdigit() and int(raw) >= 1):
        raise DeployError(f"{name} must be a whole number of at least 1, got {raw[:32]!r}")
    return int(raw) if raw else default


def startup_timeout_s(env: Mapping[str, str]) -> float:
    """CF_STARTUP_TIMEOUT as cf reads it (cli util/configv3/env.go: float minutes, truncated to
    whole seconds; unset or unparsable is the default, util/configv3/defaults.go: 5 minutes)."""
    default = DEFAULTS.startup_timeout_s
    try:
        minutes = float(env.get("CF_STARTUP_TIMEOUT", "").strip() or default / 60)
    except ValueError:
        return default
    return float(int(minutes * 60)) if minutes > 0 else default


def load_canary(env: Mapping[str, str]) -> CanarySettings:
    """Every canary setting, each checked before any cf call."""
    return CanarySettings(
        steps=canary_steps(env.get("CANARY_STEPS", "")),
        rounds=_whole(env, "CANARY_ROUNDS", DEFAULTS.rounds),
        error_margin_pct=_number(env, "CANARY_ERROR_MARGIN", DEFAULTS.error_margin_pct, 0),
        p95_factor=_number(env, "CANARY_P95_FACTOR", DEFAULTS.p95_factor, 1),
        p95_slack_ms=_number(env, "CANARY_P95_SLACK_MS", DEFAULTS.p95_slack_ms, 0),
        latency_budget_ms=_number(env, "CANARY_LATENCY_BUDGET_MS", DEFAULTS.latency_budget_ms, 1),
        cancel_timeout_s=_number(env, "CANARY_CANCEL_TIMEOUT", DEFAULTS.cancel_timeout_s, 1),
        poll_s=_number(env, "CANARY_POLL_SECONDS", DEFAULTS.poll_s, 0.05),
        startup_timeout_s=startup_timeout_s(env),
    )


def load_settings(env: Mapping[str, str] | None = None) -> DeploySettings:
    """Validate every deploy variable at once, naming all that are missing."""
    env = os.environ if env is None else env
    mode = env.get("DEPLOY_MODE", "").strip() or "buildpack"
    if mode not in MODES:
        raise DeployError(f"DEPLOY_MODE must be buildpack or docker, got {mode[:32]!r}")
    docker = mode == "docker"
    absent = missing([*ALWAYS_REQUIRED, *(DOCKER_REQUIRED if docker else ())], env)
    if absent:
        raise DeployError(describe(absent))
    short = [name for name in SECRETS if 0 < len(env.get(name, "")) < MIN_SECRET_LENGTH]
    if short:
        raise DeployError(f"{', '.join(short)} is shorter than {MIN_SECRET_LENGTH} characters: "
                          "set the real credential (a value that short would be masked inside "
                          "ordinary words)")
    vars_file = Path(env["CF_VARS_FILE"])
    if not vars_file.is_file():
        raise DeployError(f"CF_VARS_FILE does not name a file: {vars_file}")
    return DeploySettings(
        api=env["CF_API"], org=env["CF_ORG"], space=env["CF_SPACE"], vars_file=vars_file,
        mode=mode, app=app_name(), username=env["CF_USERNAME"],
        image_ref=_image_ref(env) if docker else None,
        docker_username=env["CF_DOCKER_USERNAME"].strip() if docker else None,
        secrets={name: env[name] for name in SECRETS if env.get(name)},
        canary=load_canary(env),
    )


def mask(text: str, secrets: Mapping[str, str]) -> str:
    """Replace every occurrence of every secret value with ****, longest first.

    Longest first, so a secret that contains another is masked whole, not in part.
    """
    for value in sorted(filter(None, secrets.values()), key=len, reverse=True):
        text = text.replace(value, "****")
    return text


def manifest_path(settings: DeploySettings) -> Path:
    """The manifest a push of this mode uses."""
    return DOCKER_MANIFEST if settings.mode == "docker" else MANIFEST


def docker_manifest(settings: DeploySettings, source: Path = MANIFEST) -> Path:
    """Derive the docker-mode manifest: same app, the image by digest, the image's ENTRYPOINT."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    app = document["applications"][0]
    app.pop("buildpacks", None)  # Cloud Controller refuses a buildpack on a docker app
    app.pop("stack", None)
    # A manifest `command` replaces the image's CMD/ENTRYPOINT (docs-dev-guide
    # deploy-apps/push-docker.html.md.erb, "start command"); the image's exec-form entrypoint runs.
    app.pop("command", None)
    app["docker"] = {"image": settings.image_ref, "username": settings.docker_username}
    DOCKER_MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    DOCKER_MANIFEST.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return DOCKER_MANIFEST
