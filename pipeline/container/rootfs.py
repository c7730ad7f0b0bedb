"""Local images from this machine's own apt mirror: the air-gapped base, and a fresh machine.

`python`: Debian trixie with python3 and pip, what the Dockerfile builds on offline: trixie is
Debian's stable suite, whose python3 is the runtime minor the official base image carries too.
`fresh-machine`: python3 and git and nothing else, the machine the README's two commands
promise to work on (.ci/run runs them there): bookworm, whose 3.11 is the oldest Python supported.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from pipeline.core import project

SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
RUNTIME_SUITE = "trixie"  # its python3 is [tool.pipeline] runtime-python (a test checks)


class Image(NamedTuple):
    """A local image: its reference, the Debian suite it is made of, the packages it holds."""

    ref: str
    suite: str
    packages: str


# Every image `nox -s base_image -- NAME` can build.
IMAGES = {
    "python": Image(f"local/python:{project.setting('runtime-python')}-{RUNTIME_SUITE}",
                    RUNTIME_SUITE, "python3,python3-venv,python3-pip,ca-certificates"),
    # Debian ships venv apart from python3; it is part of "Python 3.11+" as python.org ships it.
    "fresh-machine": Image("local/fresh-machine:bookworm", "bookworm",
                           "python3,python3-venv,git"),
}


def _deb822_entries(text: str) -> list[str]:
    entries = []
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if line and not line.startswith(("#", " ")) and ":" in line:
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.split()
        if "deb" in fields.get("types", []):
            entries += [
                f"deb {uri} {suite} {' '.join(fields.get('components', ['main']))}"
                for uri in fields.get("uris", []) for suite in fields.get("suites", [])
            ]
    return entries


def _one_line_entries(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("deb ")]


def _machine_entries(sources: tuple[Path, ...]) -> list[list[str]]:
    """This machine's binary apt entries as [deb, uri, suite, component...]."""
    entries: list[str] = []
    for path in sources:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            parse = _deb822_entries if path.suffix == ".sources" else _one_line_entries
            entries += parse(text)
    return [entry.split() for entry in entries if len(entry.split()) >= 4]


def mirror_entries(suite: str, sources: tuple[Path, ...] = SOURCES) -> list[str]:
    """The machine's apt sources moved to another suite (its -updates, -security too).

    The mirror hosts come from this machine's configuration, never from this repository: the
    machine's own suite (the one with no `-` suffix) names the entries to move.
    """
    parsed = _machine_entries(sources)
    own = {fields[2] for fields in parsed if "-" not in fields[2]}
    moved = []
    for deb, uri, entry_suite, *components in parsed:
        codename, dash, pocket = entry_suite.partition("-")
        if codename in own:
            moved.append(" ".join([deb, uri, suite + dash + pocket, *components]))
    if not moved:
        raise RuntimeError(f"no apt source to take {suite} from in {', '.join(map(str, sources))}")
    return list(dict.fromkeys(moved))


def archive_entry(suite: str, sources: tuple[Path, ...] = SOURCES) -> str:
    """The main archive's entry for a suite alone (no -updates, -security): a testing suite has
    no updates of its own to take."""
    return next(entry for entry in mirror_entries(suite, sources) if entry.split()[2] == suite)


def mmdebstrap_command(rootfs: Path, entries: list[str], image: Image) -> list[str]:
    """Compose the mmdebstrap call that writes a minimal root file system tarball."""
    return ["mmdebstrap", "--quiet", "--variant=minbase", f"--include={image.packages}",
            image.suite, str(rootfs), *entries]
