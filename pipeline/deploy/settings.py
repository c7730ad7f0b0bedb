"""Deploy settings: every variable `nox -s deploy` reads, validated before any cf call."""

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
DIGEST_REF = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")


class DeployError(RuntimeError):
    """The deployment cannot go ahead or went wrong; the message says why in one line."""


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
    vars_file = Path(env["CF_VARS_FILE"])
    if not vars_file.is_file():
        raise DeployError(f"CF_VARS_FILE does not name a file: {vars_file}")
    return DeploySettings(
        api=env["CF_API"], org=env["CF_ORG"], space=env["CF_SPACE"], vars_file=vars_file,
        mode=mode, app=app_name(), username=env["CF_USERNAME"],
        image_ref=_image_ref(env) if docker else None,
        docker_username=env["CF_DOCKER_USERNAME"].strip() if docker else None,
        secrets={name: env[name] for name in SECRETS if env.get(name)},
    )


def mask(text: str, secrets: Mapping[str, str]) -> str:
    """Replace every secret value in a line with ****."""
    for value in secrets.values():
        if value:
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
