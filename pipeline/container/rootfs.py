"""Local images from this machine's own apt mirror: the air-gapped base, and a fresh machine.

`python`: Debian bookworm with python3 and pip, what the Dockerfile builds on offline.
`fresh-machine`: python3 and git and nothing else, the machine the README's two commands
promise to work on (.ci/run runs them there).
"""

from __future__ import annotations

from pathlib import Path

SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
SUITE = "bookworm"
# name -> (image, packages): every image `nox -s base_image -- NAME` can build.
IMAGES = {
    "python": ("local/python:3.11-bookworm", "python3,python3-venv,python3-pip,ca-certificates"),
    # Debian ships venv apart from python3; it is part of "Python 3.11+" as python.org ships it.
    "fresh-machine": ("local/fresh-machine:bookworm", "python3,python3-venv,git"),
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


def mirror_entries(sources: tuple[Path, ...] = SOURCES) -> list[str]:
    """Read the apt sources this machine uses, for bookworm only, never a hard-coded host."""
    entries: list[str] = []
    for path in sources:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            parse = _deb822_entries if path.suffix == ".sources" else _one_line_entries
            entries += parse(text)
    entries = [entry for entry in entries if f" {SUITE}" in entry]
    if not entries:
        raise RuntimeError(f"no apt source for {SUITE} in {', '.join(map(str, sources))}")
    return entries


def mmdebstrap_command(rootfs: Path, entries: list[str], packages: str) -> list[str]:
    """Compose the mmdebstrap call that writes a minimal root file system tarball."""
    return ["mmdebstrap", "--quiet", "--variant=minbase", f"--include={packages}", SUITE,
            str(rootfs), *entries]
