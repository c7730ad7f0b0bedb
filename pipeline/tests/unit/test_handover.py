"""pipeline.container.handover: the config normalised, and only the layers Docker lacks sent."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path
from typing import Any

from pipeline.container import handover

CONFIG: dict[str, Any] = {
    "architecture": "amd64", "container": "build-container-1", "parent": "sha256:8d13d249",
    "created": "2026-01-01T00:00:00Z",
    "config": {"Hostname": "build-host-1", "Domainname": "x", "User": "10001:10001",
               "Healthcheck": {"Test": ["CMD", "true"]}},
    "container_config": {"Hostname": "build-host-1", "User": "10001:10001"},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:aa", "sha256:bb"]},
    "history": [{"created_by": "COPY app/ /srv/app/", "comment": "FROM 0d38e44248f2"},
                {"created_by": "RUN true", "comment": "kept: not a parent note"}],
}


def test_build_container_identity_is_blanked_and_nothing_else() -> None:
    normal = handover.normalise_config(CONFIG)
    assert normal["container"] == "" and "parent" not in normal
    assert normal["config"] == {**CONFIG["config"], "Hostname": "sandbox", "Domainname": ""}
    assert normal["container_config"]["Hostname"] == "sandbox"
    assert normal["config"]["Healthcheck"] == {"Test": ["CMD", "true"]}
    assert [step["comment"] for step in normal["history"]] == ["", "kept: not a parent note"]
    assert CONFIG["container"] == "build-container-1"  # the input is left alone


def test_two_builds_differing_only_in_build_container_get_one_config() -> None:
    other = {**CONFIG, "container": "bbb", "config": {**CONFIG["config"], "Hostname": "h2"},
             "history": [{**CONFIG["history"][0], "comment": "FROM 742237ab5bc9"},
                         CONFIG["history"][1]]}
    assert handover.config_bytes(json.dumps(CONFIG)) == handover.config_bytes(json.dumps(other))


def test_labels_are_set_in_the_written_config() -> None:
    labelled = json.loads(handover.config_bytes(json.dumps(CONFIG), {"org.example.k": "v"}))
    assert labelled["config"]["Labels"] == {"org.example.k": "v"}
    assert labelled["config"]["User"] == "10001:10001"


def test_the_held_prefix_is_the_longest_any_known_image_shares() -> None:
    ours = ["sha256:base", "sha256:venv", "sha256:code-2"]
    assert handover.held_prefix(ours, [["sha256:base"],
                                       ["sha256:base", "sha256:venv", "sha256:code-1"]]) == 2
    assert handover.held_prefix(ours, [["sha256:other", "sha256:venv"]]) == 0
    assert handover.held_prefix(ours, []) == 0


def test_the_archive_lists_every_layer_and_carries_only_the_new(tmp_path: Path) -> None:
    blobs = []
    for name in ("base", "code"):
        blob = tmp_path / name
        blob.write_bytes(name.encode() * 100)
        blobs.append(blob)
    config = handover.config_bytes(json.dumps(CONFIG))
    archive = tmp_path / "image.tar"
    handover.write_archive(archive, config, "echo:latest",
                           list(zip(["sha256:aa", "sha256:bb"], blobs)), skip=1)
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.load(opened.extractfile("manifest.json"))  # type: ignore[arg-type]
        stored = opened.extractfile(manifest[0]["Config"]).read()  # type: ignore[union-attr]
    config_name = f"{hashlib.sha256(config).hexdigest()}.json"
    assert manifest == [{"Config": config_name, "RepoTags": ["echo:latest"],
                         "Layers": ["aa.tar", "bb.tar"]}]
    assert sorted(names) == sorted(["bb.tar", config_name, "manifest.json"])  # no base layer
    assert stored == config  # Docker's image ID is this file's sha256
