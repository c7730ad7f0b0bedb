"""Container stage helpers: wheels for an offline build, tags, labels, login and digests."""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pipeline.core import cmd, project
from pipeline.core.environment import require
from pipeline.core.paths import IMAGE_REF_FILE, ROOT, RUNTIME_LOCK, WHEELS_DIR

IMAGE_PYTHON: str = project.setting("runtime-python")  # both bases: official slim, Debian trixie
DOCKERFILE = ROOT / "Dockerfile"
_PINNED_BASE = re.compile(r"^FROM\s+(\S+@sha256:[0-9a-f]{64})\s+AS\s+official-base\s*$",
                          re.MULTILINE | re.IGNORECASE)


def docker() -> str:
    """Name the docker client; DOCKER overrides it (for example a BuildKit-capable one)."""
    return os.environ.get("DOCKER", "docker")


def docker_output(*args: str, check: bool = True) -> str:
    """Run one docker command and return its stdout; a failure says which command and why."""
    result = cmd.run([docker(), *args], check=False)
    if check and not result.ok:
        raise RuntimeError(f"docker {args[0]} failed: {result.stderr.strip()[:500]}")
    return result.stdout.strip()


def image_id(image: str) -> str:
    """The image's ID (its config digest): equal IDs, equal images."""
    return docker_output("image", "inspect", "--format", "{{.Id}}", image)


def image_name() -> str:
    """Return $IMAGE_NAME, defaulting to the service's name in pyproject.toml."""
    return os.environ.get("IMAGE_NAME") or project.name()


def wheel_download_command(python: str = sys.executable) -> list[str]:
    """Fetch the locked runtime wheels for the image's Python and CPU, checking every hash."""
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine(), platform.machine())
    platforms = [f"--platform=manylinux_2_{minor}_{arch}" for minor in (17, 28)]
    return [
        python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--require-hashes", "--only-binary=:all:", f"--python-version={IMAGE_PYTHON}",
        "--implementation=cp", *platforms, f"--dest={WHEELS_DIR}",
        "-r", str(RUNTIME_LOCK),
    ]


def git_revision(short: bool = False) -> str:
    """Return the commit being built, or "unknown" outside a git checkout."""
    argv = ["git", "rev-parse", *(["--short=12"] if short else []), "HEAD"]
    result = cmd.run(argv, cwd=ROOT, check=False)
    return result.stdout.strip() if result.ok else "unknown"


def source_date_epoch() -> int:
    """The commit's time: the one timestamp a reproducible build may carry ($SOURCE_DATE_EPOCH)."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    result = cmd.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, check=False)
    return int(result.stdout.strip()) if result.ok and result.stdout.strip().isdigit() else 0


def source_url() -> str:
    """Find where the source lives: GitHub Actions' variables, else the git remote."""
    if os.environ.get("GITHUB_REPOSITORY"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{os.environ['GITHUB_REPOSITORY']}"
    result = cmd.run(["git", "remote", "get-url", "origin"], cwd=ROOT, check=False)
    return result.stdout.strip() if result.ok else "unknown"


def tags(name: str | None = None) -> list[str]:
    """Tag with the short commit, the project version and latest."""
    name = name or image_name()
    return [f"{name}:{tag}" for tag in (git_revision(short=True), project.version(), "latest")]


def pinned_base(dockerfile: Path = DOCKERFILE) -> str:
    """The official base as the Dockerfile pins it (`name@sha256:...`), read, not repeated."""
    match = _PINNED_BASE.search(dockerfile.read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError(f"{dockerfile.name} has no `FROM name@sha256:... AS official-base`")
    return match[1]


def base_image() -> tuple[str, str]:
    """Name and digest of the base this build uses: $BASE_IMAGE's image ID, else the pin."""
    chosen = os.environ.get("BASE_IMAGE", "").strip()
    if not chosen:
        pinned = pinned_base()
        return pinned, pinned.rsplit("@", 1)[1]
    return chosen, image_id(chosen)


def build_args() -> dict[str, str]:
    """The build's facts: the base and what the labels say, all fixed by the commit."""
    epoch = source_date_epoch()
    name, digest = base_image()
    values = {
        "VERSION": project.version(),
        "REVISION": git_revision(),
        "CREATED": datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "SOURCE": os.environ.get("IMAGE_SOURCE") or source_url(),
        "TITLE": project.name(),
        "DESCRIPTION": project.description(),
        "BASE_NAME": name,
        "BASE_DIGEST": digest,
    }
    # Always by reference: buildah 1.28 does not resolve `FROM ${BASE_IMAGE}` to a stage name,
    # so the Dockerfile's `official-base` default serves plain `docker build` only.
    values["BASE_IMAGE"] = name
    return values


# The OCI annotation each build fact becomes (image-spec annotations.md), set as --label.
LABELS = {"TITLE": "title", "DESCRIPTION": "description", "VERSION": "version",
          "REVISION": "revision", "CREATED": "created", "SOURCE": "source",
          "BASE_NAME": "base.name", "BASE_DIGEST": "base.digest"}
LICENSE = "MIT"


def labels(args: dict[str, str]) -> dict[str, str]:
    """The image's OCI labels, from the build facts: set when the image is written."""
    return {**{f"org.opencontainers.image.{LABELS[key]}": value
               for key, value in args.items() if key in LABELS},
            "org.opencontainers.image.licenses": LICENSE}


@contextmanager
def registry_credentials(registry: str) -> Iterator[dict[str, str]]:
    """Log in when REGISTRY_USERNAME/REGISTRY_PASSWORD are set; yield the env docker needs.

    The password goes to `docker login` on stdin, never in argv, and the credentials live in a
    throwaway DOCKER_CONFIG that is deleted afterwards, so nothing is left in ~/.docker.
    """
    if not os.environ.get("REGISTRY_USERNAME") and not os.environ.get("REGISTRY_PASSWORD"):
        yield {}
        return
    credentials = require(["REGISTRY_USERNAME", "REGISTRY_PASSWORD"])
    with tempfile.TemporaryDirectory(prefix="docker-config-") as config:
        env = {"DOCKER_CONFIG": config}
        result = cmd.run(  # the password travels on stdin
            [docker(), "login", registry, "--username", credentials["REGISTRY_USERNAME"],
             "--password-stdin"], stdin=credentials["REGISTRY_PASSWORD"], env=env, check=False)
        if not result.ok:
            raise RegistryLoginFailed(f"docker login to {registry} failed: "
                                      f"{result.stderr.strip().splitlines()[-1:]}")
        yield env


class RegistryLoginFailed(RuntimeError):
    """The registry refused the credentials."""


def pushed_digest(remote: str) -> str:
    """Return the registry digest (`sha256:...`) the push recorded for a remote name."""
    inspected = docker_output("image", "inspect", "--format", "{{json .RepoDigests}}",
                              f"{remote}:latest")
    for reference in json.loads(inspected):
        repository, _, digest = reference.partition("@")
        if repository == remote and digest.startswith("sha256:"):
            return str(digest)
    raise RuntimeError(f"no registry digest recorded for {remote}")


def write_image_ref(reference: str) -> Path:
    """Record `$REGISTRY/$IMAGE_NAME@sha256:...` for the deploy stage."""
    IMAGE_REF_FILE.parent.mkdir(parents=True, exist_ok=True)
    IMAGE_REF_FILE.write_text(reference + "\n", encoding="utf-8")
    return IMAGE_REF_FILE
