"""Build the image reproducibly: buildah with the commit's time, then hand it to Docker.

Why buildah: Docker 20.10's BuildKit cannot normalise file times (no SOURCE_DATE_EPOCH), and
two clean builds of one commit differed in every file time of the venv, app and SBOM layers
(measured: 486, 15 and 1 tar entries) and in 164 .pyc files. `buildah build --timestamp` sets the
created time and every file time to the commit's. Buildah 1.28 still writes the random build
container's ID and hostname into a docker-format config (newer buildah blanks them under
--timestamp, imagebuildah's `createConfigsAndManifests`), so `to-docker` applies that same rule
before loading it into Docker, which stays the runtime for smoke, push and benchmark.
IMAGE_BUILDER=docker keeps the plain BuildKit build where buildah is absent.

`python -m pipeline.container.build to-docker IIDFILE NAME` is that last step.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipeline.container import images
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


def _build_arg_options() -> list[str]:
    return [option for key, value in images.build_args().items()
            for option in ("--build-arg", f"{key}={value}")]


def docker_commands() -> list[list[str]]:
    """BuildKit: one `docker build` with every tag (file times are not normalised)."""
    tags = [option for tag in images.tags() for option in ("--tag", tag)]
    return [[images.docker(), "build", *_build_arg_options(), *tags, str(ROOT)]]


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


def buildah_commands() -> list[list[str]]:
    """Sync the base, build with the commit's time, hand the image to Docker, tag it there."""
    *aliases, latest = images.tags()
    base = os.environ.get("BASE_IMAGE", "").strip()
    sync = base_sync_command(base) if base else None
    return [
        *([sync] if sync else []),
        # docker format: the OCI config has no HEALTHCHECK; chroot isolation: RUN steps work
        # inside CI containers that cannot nest runc
        ["buildah", "build", "--quiet", "--format", "docker", "--isolation", "chroot",
         "--timestamp", str(images.source_date_epoch()), *_build_arg_options(),
         "--iidfile", str(IID_FILE), str(ROOT)],
        [sys.executable, "-m", "pipeline.container.build", "to-docker", str(IID_FILE), latest],
        *([images.docker(), "tag", latest, alias] for alias in aliases),
    ]


def normalise_config(config: dict[str, Any]) -> dict[str, Any]:
    """Blank what identifies the build container, as buildah does under --timestamp since 1.29."""
    config = {**config, "container": ""}
    for key in ("config", "container_config"):
        if isinstance(config.get(key), dict):
            config[key] = {**config[key], "Hostname": "sandbox", "Domainname": ""}
    return config


def rewrite_config(layout: Path) -> str:
    """Normalise the config of a `dir:` image in place; return the new config digest."""
    manifest_file = layout / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    old = layout / manifest["config"]["digest"].split(":", 1)[1]
    config = normalise_config(json.loads(old.read_text(encoding="utf-8")))
    data = json.dumps(config, separators=(",", ":")).encode()
    digest = hashlib.sha256(data).hexdigest()
    old.unlink()
    (layout / digest).write_bytes(data)
    manifest["config"] = {**manifest["config"], "digest": f"sha256:{digest}", "size": len(data)}
    manifest_file.write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")
    return f"sha256:{digest}"


def to_docker(image_id: str, name: str) -> str:
    """Move buildah's image into Docker as `name`, config normalised; return the new image ID.

    buildah's copy is removed afterwards, so its storage does not grow with every build.
    """
    with tempfile.TemporaryDirectory(prefix="image-") as scratch:
        layout = Path(scratch) / "image"
        cmd.run(["skopeo", "copy", "--quiet", f"containers-storage:{image_id}", f"dir:{layout}"])
        digest = rewrite_config(layout)
        cmd.run(["skopeo", "copy", "--quiet", f"dir:{layout}", f"docker-daemon:{name}"])
    cmd.run(["buildah", "rmi", image_id], check=False)
    return digest


def commands(env: dict[str, str] | None = None) -> list[list[str]]:
    """Everything `nox -s docker_build` runs after fetching wheels, for the chosen builder."""
    return buildah_commands() if builder(env) == "buildah" else docker_commands()


def main(argv: list[str] | None = None) -> int:
    """`to-docker IIDFILE NAME`: load buildah's image into Docker, build container blanked."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.container.build")
    parser.add_argument("action", choices=["to-docker"])
    parser.add_argument("iidfile", type=Path)
    parser.add_argument("name")
    args = parser.parse_args(argv)
    image_id = args.iidfile.read_text(encoding="utf-8").strip().removeprefix("sha256:")
    try:
        print(f"{args.name} loaded into Docker as {to_docker(image_id, args.name)}")
    except cmd.CommandFailed as failure:
        parser.exit(1, f"{failure}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
