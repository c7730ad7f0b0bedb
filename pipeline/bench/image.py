"""Image benchmark: size over the base, code-only rebuilds, time to healthy, memory under load."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.bench import servers
from pipeline.container import containers, images
from pipeline.container.images import docker_output
from pipeline.core import cmd, project
from pipeline.core.paths import SBOM_FILE, WHEELS_DIR

QUOTA = "128m"
LOAD_SECONDS = 10


def _size(image: str) -> int:
    return int(docker_output("image", "inspect", "--format", "{{.Size}}", image))


def _base_of(image: str) -> str:
    labels = json.loads(
        docker_output("image", "inspect", "--format", "{{json .Config.Labels}}", image)
    )
    return (labels or {}).get("org.opencontainers.image.base.name") or os.environ.get(
        "BASE_IMAGE", images.pinned_base())


def missing_inputs() -> list[str]:
    """What `nox -s docker_build` prepares that the image section reads, if it is not there."""
    return [str(path.relative_to(path.parents[1])) for path in (WHEELS_DIR, SBOM_FILE)
            if not path.exists()]


def rebuild_seconds(workdir: Path, base: str) -> float:
    """Build a copy of the tree, change one comment in serving/, and time the rebuild."""
    tree = project.copy_tree(workdir / "image-tree")
    # build/ is git-ignored, so the copy lacks what docker_build prepared: bring it along.
    shutil.copytree(WHEELS_DIR, tree / "build" / "wheels")
    shutil.copy2(SBOM_FILE, tree / "build" / SBOM_FILE.name)
    build = [images.docker(), "build", "--quiet", "--build-arg", f"BASE_IMAGE={base}",
             "--tag", f"{images.image_name()}-bench:rebuild", str(tree)]
    env = {"DOCKER_BUILDKIT": "1"}
    cmd.run(build, env=env)
    with (tree / "serving" / "__init__.py").open("a", encoding="utf-8") as source:
        source.write(f"# rebuilt at {time.time()}\n")
    started = time.perf_counter()
    cmd.run(build, env=env)
    return time.perf_counter() - started


def docker_build_seconds(workdir: Path) -> float:
    """Run `nox -s docker_build` in a copy of the tree, change one comment, time it again.

    What an owner runs, nox and all: the SBOM, the wheels, the build, the hand-over to Docker.
    """
    tree = project.copy_tree(workdir / "docker-build-tree")
    nox = [sys.executable, "-m", "nox", "-r", "-s", "docker_build"]
    env = {"IMAGE_NAME": f"{images.image_name()}-bench"}
    cmd.run(nox, cwd=tree, env=env)  # the warm state: environment, SBOM, wheels, cached layers
    with (tree / "serving" / "__init__.py").open("a", encoding="utf-8") as source:
        source.write(f"# rebuilt at {time.time()}\n")
    started = time.perf_counter()
    cmd.run(nox, cwd=tree, env=env)
    seconds = time.perf_counter() - started
    print(f"bench: nox -s docker_build after a code-only change: {seconds:.2f} s", flush=True)
    return seconds


def memory_under_load(image: str, workdir: Path) -> dict[str, Any]:
    """Load the container inside the Cloud Foundry quota; report errors, peak memory, OOM."""
    with containers.running(image, ["--memory", QUOTA, "--memory-swap", QUOTA]) as box:
        load = servers.Work.declared(workdir).wrk(box.url, LOAD_SECONDS)
        peak = docker_output("exec", box.name, "sh", "-c",
                             "cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null"
                             " || cat /sys/fs/cgroup/memory.peak")
        state = json.loads(docker_output("inspect", "--format", "{{json .State}}", box.name))
    return {"load_errors": load["errors"], "load_requests_per_s": load["requests_per_s"],
            "peak_memory_mb": int(peak) / 2**20, "oom_killed": bool(state["OOMKilled"]),
            "running_after_load": bool(state["Running"])}


def measure(workdir: Path, image: str) -> dict[str, Any]:
    """Every image figure for one already-built image."""
    base = _base_of(image)
    return {
        "base_image": base,
        "added_mb": (_size(image) - _size(base)) / 1e6,
        "rebuild_s": rebuild_seconds(workdir, base),
        "docker_build_s": docker_build_seconds(workdir),
        "time_to_healthy_s": containers.time_to_healthy(image),
        **memory_under_load(image, workdir),
    }
