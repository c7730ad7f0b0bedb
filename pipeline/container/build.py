"""Build the image reproducibly: buildah with the commit's time, then hand it to Docker.

Why buildah: Docker 20.10's BuildKit cannot normalise file times (no SOURCE_DATE_EPOCH), and
two clean builds of one commit differed in every file time of the venv, app and SBOM layers
(measured: 486, 15 and 1 tar entries) and in 164 .pyc files. `buildah build --timestamp` sets the
created time and every file time to the commit's. Buildah 1.28 still writes the random build
container's ID and hostname into a docker-format config (newer buildah blanks them under
--timestamp, imagebuildah's `createConfigsAndManifests`), so `to-docker` applies that same rule
before loading it into Docker (pipeline/container/handover.py), which stays the runtime for smoke,
push and benchmark. buildah caches layers (`--layers`), so a code change rebuilds only the
service's own layers; `nox -s docker_build -- --no-cache` builds from nothing, which is how CI
proves two builds of one commit give one image.
IMAGE_BUILDER=docker keeps the plain BuildKit build where buildah is absent.

`python -m pipeline.container.build to-docker IIDFILE NAME --label K=V...` is that last step.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from pipeline.container import images
from pipeline.container.handover import to_docker
from pipeline.core import cmd
from pipeline.core.paths import BUILD_DIR, ROOT

BUILDERS = ("buildah", "docker")
IID_FILE = BUILD_DIR / "buildah.iid"  # the ID buildah gives the image it just built


def builder(env: dict[str, str] | None = None) -> str:
    """$IMAGE_BUILDER if set, else buildah when installed, else docker."""
    chosen = (os.environ if env is None else env).get("IMAGE_BUILDER", "").strip()
    if chosen and chosen not in BUILDERS:
        raise ValueError(f"IMAGE_BUILDER must be one of {', '.join(BUILDERS)}, not {chosen!r}")
    return chosen or ("buildah" if shutil.which("buildah") else "docker")


def _label_options() -> list[str]:
    """Every OCI label as a --label option."""
    return [option for key, value in images.labels(images.build_args()).items()
            for option in ("--label", f"{key}={value}")]


def _base_option() -> list[str]:
    return ["--build-arg", f"BASE_IMAGE={images.build_args()['BASE_IMAGE']}"]


def docker_commands(fresh: bool = False) -> list[list[str]]:
    """BuildKit: one `docker build` with every tag (file times are not normalised)."""
    tags = [option for tag in images.tags() for option in ("--tag", tag)]
    return [[images.docker(), "build", *(["--no-cache"] if fresh else []), *_base_option(),
             *_label_options(), *tags, str(ROOT)]]


def base_sync_command(base: str) -> list[str] | None:
    """Copy a Docker-only base (`nox -s base_image`) into buildah's storage when it is stale."""
    wanted = images.docker_output("image", "inspect", "--format", "{{.Id}}", base, check=False)
    if not wanted:
        return None  # not in Docker: buildah pulls it from its registry itself
    held = cmd.run(["buildah", "inspect", "--type", "image", "--format", "{{.FromImageID}}",
                    base], check=False)
    if held.ok and f"sha256:{held.stdout.strip()}" == wanted:
        return None
    return ["buildah", "pull", "--quiet", f"docker-daemon:{base}"]


def buildah_commands(fresh: bool = False) -> list[list[str]]:
    """Sync the base, build with the commit's time, hand the image to Docker, tag it there."""
    *aliases, latest = images.tags()
    base = os.environ.get("BASE_IMAGE", "").strip()
    sync = base_sync_command(base) if base else None
    return [
        *([sync] if sync else []),
        # docker format: the OCI config has no HEALTHCHECK; chroot isolation: RUN steps work
        # inside CI containers that cannot nest runc
        ["buildah", "build", "--quiet", "--layers", *(["--no-cache"] if fresh else []),
         "--format", "docker", "--isolation", "chroot",
         "--timestamp", str(images.source_date_epoch()), *_base_option(),
         "--iidfile", str(IID_FILE), str(ROOT)],
        # The labels go on as the config is rewritten: buildah's --label adds a LABEL step per
        # label, each a layer commit on every build (0.3 s apiece, measured).
        [sys.executable, "-m", "pipeline.container.build", "to-docker", str(IID_FILE), latest,
         *_label_options()],
        *([images.docker(), "tag", latest, alias] for alias in aliases),
    ]


def commands(env: dict[str, str] | None = None, fresh: bool = False) -> list[list[str]]:
    """Everything `nox -s docker_build` runs after fetching wheels; `fresh`: no build cache."""
    if builder(env) == "buildah":
        return buildah_commands(fresh)
    return docker_commands(fresh)


def main(argv: list[str] | None = None) -> int:
    """`to-docker IIDFILE NAME [--label K=V]...`: load buildah's image into Docker, labelled."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.container.build")
    parser.add_argument("action", choices=["to-docker"])
    parser.add_argument("iidfile", type=Path)
    parser.add_argument("name")
    parser.add_argument("--label", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    labels = dict(label.split("=", 1) for label in args.label)
    image_id = args.iidfile.read_text(encoding="utf-8").strip().removeprefix("sha256:")
    base = os.environ.get("BASE_IMAGE", "").strip() or images.pinned_base()
    try:
        print(f"{args.name} loaded into Docker as {to_docker(image_id, args.name, base, labels)}")
    except RuntimeError as failure:  # cmd.CommandFailed, or docker's own error
        parser.exit(1, f"{failure}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
