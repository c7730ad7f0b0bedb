"""Cloud Foundry deploy stage: settings, the exact cf commands, canary target and rollback."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.core.environment import describe, missing
from pipeline.core.paths import DOCKER_MANIFEST, IMAGE_REF_FILE, MANIFEST

MODES = ("buildpack", "docker")
ALWAYS_REQUIRED = ("CF_API", "CF_USERNAME", "CF_PASSWORD", "CF_ORG", "CF_SPACE", "CF_VARS_FILE")
SECRETS = ("CF_PASSWORD", "CF_DOCKER_PASSWORD")
DIGEST_REF = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")

# Runs one cf command (argv without secrets) and returns its stdout when asked to capture it.
Runner = Callable[[list[str], bool], str]


class DeployError(RuntimeError):
    """The deployment cannot go ahead; the message says why in one line."""


class CfFailed(DeployError):
    """A cf command exited non-zero; runners raise it so callers can tell it apart."""


@dataclass(frozen=True)
class DeploySettings:
    """Everything `nox -s deploy` needs, validated before any cf call."""

    api: str
    org: str
    space: str
    vars_file: Path
    mode: str
    app: str
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
    required = [*ALWAYS_REQUIRED, *(["CF_DOCKER_PASSWORD"] if mode == "docker" else [])]
    absent = missing(required, env)
    if absent:
        raise DeployError(describe(absent))
    vars_file = Path(env["CF_VARS_FILE"])
    if not vars_file.is_file():
        raise DeployError(f"CF_VARS_FILE does not name a file: {vars_file}")
    docker = mode == "docker"
    return DeploySettings(
        api=env["CF_API"], org=env["CF_ORG"], space=env["CF_SPACE"], vars_file=vars_file,
        mode=mode, app=app_name(),
        image_ref=_image_ref(env) if docker else None,
        docker_username=(env.get("CF_DOCKER_USERNAME") or env.get("REGISTRY_USERNAME") or None)
        if docker else None,
        secrets={name: env[name] for name in SECRETS if env.get(name)},
    )


def docker_manifest(settings: DeploySettings, source: Path = MANIFEST) -> Path:
    """Derive the docker-mode manifest: same app, the image by digest instead of a buildpack."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    app = document["applications"][0]
    app.pop("buildpacks", None)  # Cloud Controller refuses a buildpack on a docker app
    app.pop("stack", None)
    app["docker"] = {"image": settings.image_ref}
    if settings.docker_username:
        app["docker"]["username"] = settings.docker_username
    DOCKER_MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    DOCKER_MANIFEST.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return DOCKER_MANIFEST


def push_command(settings: DeploySettings, manifest: Path) -> list[str]:
    """The rolling push; docker mode's manifest already names the image by digest."""
    return ["cf", "push", "-f", str(manifest), "--vars-file", str(settings.vars_file),
            "--strategy", "rolling"]


def login_commands(settings: DeploySettings) -> list[list[str]]:
    """Point at the API, authenticate from CF_USERNAME/CF_PASSWORD in the env, target."""
    return [
        ["cf", "api", settings.api],
        ["cf", "auth"],  # cf reads CF_USERNAME and CF_PASSWORD from the environment
        ["cf", "target", "-o", settings.org, "-s", settings.space],
    ]


def mask(text: str, secrets: Mapping[str, str]) -> str:
    """Replace every secret value in a line with ****."""
    for value in secrets.values():
        if value:
            text = text.replace(value, "****")
    return text


def dry_run_lines(settings: DeploySettings) -> list[str]:
    """The commands a real run would start with, as a reviewer would read them."""
    manifest = DOCKER_MANIFEST if settings.mode == "docker" else MANIFEST
    commands = [*login_commands(settings), push_command(settings, manifest)]
    lines = [mask(" ".join(argv), settings.secrets) for argv in commands]
    env = ", ".join(f"{name}=****" for name in sorted(settings.secrets))
    lines.append(f"# secrets reach cf through its environment only: {env}")
    if settings.mode == "docker":
        lines.append(f"# {manifest.name}: manifest.yml with docker.image={settings.image_ref}")
    lines.append("# then: the canary suite against $CANARY_URL or the app's route; "
                 "cf rollback to the previous revision if it fails")
    return lines


class Deployment:
    """One deployment, driving cf through a runner so tests can observe every call."""

    def __init__(self, settings: DeploySettings, run: Runner) -> None:
        self.settings = settings
        self._run = run

    def _guid(self) -> str | None:
        try:
            return self._run(["cf", "app", self.settings.app, "--guid"], True).strip() or None
        except CfFailed:  # no such app yet: this is its first deploy
            return None

    def _api(self, path: str) -> dict:
        return json.loads(self._run(["cf", "curl", path], True))

    def deployed_revision(self) -> int | None:
        """The revision serving traffic now, to roll back to; None on a first deploy."""
        guid = self._guid()
        if guid is None:
            return None
        resources = self._api(f"/v3/apps/{guid}/revisions/deployed").get("resources", [])
        return max((int(r["version"]) for r in resources), default=None)

    def push(self) -> int | None:
        """Log in, remember the live revision, push; return the revision to roll back to."""
        for argv in login_commands(self.settings):
            self._run(argv, False)
        previous = self.deployed_revision()
        manifest = docker_manifest(self.settings) if self.settings.mode == "docker" else MANIFEST
        self._run(push_command(self.settings, manifest), False)
        return previous

    def route_url(self) -> str:
        """The app's first route as Cloud Foundry reports it, as an https URL."""
        guid = self._guid()
        routes = self._api(f"/v3/apps/{guid}/routes").get("resources", []) if guid else []
        if not routes:
            raise DeployError(f"cf reports no route for {self.settings.app}; set CANARY_URL")
        return f"https://{routes[0]['url']}"

    def rollback(self, revision: int | None) -> str:
        """Return to the revision that served before the push, or say why it cannot."""
        if revision is None:
            return "no earlier revision to roll back to (first deploy)"
        self._run(["cf", "rollback", self.settings.app, "--version", str(revision), "-f"], False)
        return f"rolled back {self.settings.app} to revision {revision}"
