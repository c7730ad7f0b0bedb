"""Hand buildah's image to Docker, config normalised, sending only the layers Docker lacks.

Why not `skopeo copy containers-storage:... docker-daemon:...` alone: that transport streams
every layer to `docker load`, the unchanged 248 MB base included, and the config has to be
rewritten on the way (a `dir:` copy first), so a code-only rebuild spent 5 to 7 s moving bytes
Docker already held (measured on 2 cores). Here skopeo copies the image into an OCI layout that
persists under build/ (it skips blobs the layout holds, so only new layers are written), and
`docker load` gets a docker-archive whose manifest lists every layer but which carries only the
new ones: Docker does not read a layer whose chain ID it already holds (moby
image/tarexport/load.go, `lss.Get(rootFS.ChainID())` before `loadLayer`; seen here on 20.10).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.container import images
from pipeline.core import cmd
from pipeline.core.paths import BUILD_DIR

_PARENT_NOTE = re.compile(r"^FROM [0-9a-f]{12,64}$")
LAYER_CACHE = BUILD_DIR / "layer-cache"  # an OCI layout: the layers of the last build


def normalise_config(config: dict[str, Any]) -> dict[str, Any]:
    """Blank what identifies the build container, as buildah does under --timestamp since 1.29.

    With cached layers (`--layers`) buildah also names the intermediate parent image, in
    `parent` and in each history comment ("FROM 0d38e44248f2"): IDs that differ between a cached
    and a fresh build of the same bytes, so they go too (Docker omits an empty `parent`).
    """
    config = {key: value for key, value in config.items() if key != "parent"}
    config["container"] = ""
    for key in ("config", "container_config"):
        if isinstance(config.get(key), dict):
            config[key] = {**config[key], "Hostname": "sandbox", "Domainname": ""}
    if isinstance(config.get("history"), list):
        config["history"] = [
            {**step, "comment": ""} if _PARENT_NOTE.match(step.get("comment", "")) else step
            for step in config["history"]]
    return config


def config_bytes(raw: str, labels: Mapping[str, str] | None = None) -> bytes:
    """The normalised, labelled config as Docker will hash it: the image ID is its sha256."""
    config = normalise_config(json.loads(raw))
    if labels:
        settings = config.get("config") or {}
        config["config"] = {**settings, "Labels": {**(settings.get("Labels") or {}), **labels}}
    return json.dumps(config, separators=(",", ":")).encode()


def held_prefix(diff_ids: Sequence[str], known: Iterable[Sequence[str]]) -> int:
    """How many leading layers Docker holds already: the longest prefix some known image shares."""
    best = 0
    for layers in known:
        shared = 0
        for ours, theirs in zip(diff_ids, layers):
            if ours != theirs:
                break
            shared += 1
        best = max(best, shared)
    return best


def write_archive(target: Path, config: bytes, name: str, layers: Sequence[tuple[str, Path]],
                  skip: int) -> None:
    """A docker-archive of `name`: every layer listed, files for those past `skip` only."""
    config_name = f"{hashlib.sha256(config).hexdigest()}.json"
    members = [f"{diff_id.split(':', 1)[1]}.tar" for diff_id, _ in layers]
    manifest = [{"Config": config_name, "RepoTags": [name], "Layers": members}]
    with tarfile.open(target, "w") as archive:
        for member, (_, blob) in list(zip(members, layers))[skip:]:
            archive.add(blob, arcname=member)
        for member_name, data in ((config_name, config),
                                  ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(member_name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def _known_layers(names: Iterable[str]) -> list[list[str]]:
    """The layer lists of the images Docker has by these names (absent ones are skipped)."""
    known = []
    for name in names:
        found = images.docker_output("image", "inspect", "--format", "{{json .RootFS.Layers}}",
                                     name, check=False)
        if found.startswith("["):
            known.append(json.loads(found))
    return known


def to_docker(image_id: str, name: str, base: str = "",
              labels: Mapping[str, str] | None = None) -> str:
    """Move buildah's image into Docker as `name`, config normalised and labelled; return its ID.

    buildah's copy is removed afterwards, so its storage does not grow with every build.
    """
    source = f"containers-storage:{image_id}"
    cmd.run(["skopeo", "copy", "--quiet", "--dest-oci-accept-uncompressed-layers", source,
             f"oci:{LAYER_CACHE}:image"])
    manifest = json.loads(cmd.run(["skopeo", "inspect", "--raw", source]).stdout)
    config = config_bytes(cmd.run(["skopeo", "inspect", "--config", "--raw", source]).stdout,
                          labels)
    diff_ids = json.loads(config)["rootfs"]["diff_ids"]
    blobs = [LAYER_CACHE / "blobs" / "sha256" / layer["digest"].split(":", 1)[1]
             for layer in manifest["layers"]]
    skip = held_prefix(diff_ids, _known_layers(filter(None, [base, name])))
    with tempfile.TemporaryDirectory(prefix="image-") as scratch:
        archive = Path(scratch) / "image.tar"
        write_archive(archive, config, name, list(zip(diff_ids, blobs)), skip)
        images.docker_output("load", "--quiet", "--input", str(archive))
    _prune(LAYER_CACHE)
    cmd.run(["buildah", "rmi", image_id], check=False)
    return f"sha256:{hashlib.sha256(config).hexdigest()}"


def _prune(layout: Path) -> None:
    """Keep only the blobs the layout's index still reaches: older builds' layers go."""
    blobs = layout / "blobs" / "sha256"
    keep = set()
    for entry in json.loads((layout / "index.json").read_text(encoding="utf-8"))["manifests"]:
        digest = entry["digest"].split(":", 1)[1]
        keep.add(digest)
        manifest = json.loads((blobs / digest).read_text(encoding="utf-8"))
        keep.update(item["digest"].split(":", 1)[1]
                    for item in [manifest["config"], *manifest["layers"]])
    for blob in blobs.iterdir():
        if blob.name not in keep:
            blob.unlink()
