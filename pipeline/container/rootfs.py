"""Air-gapped base image: Debian bookworm with python3 from this machine's own apt mirror."""

from __future__ import annotations

from pathlib import Path

SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
PACKAGES = "python3,python3-venv,python3-pip,ca-certificates"
SUITE = "bookworm"


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


def mmdebstrap_command(rootfs: Path, entries: list[str]) -> list[str]:
    """Compose the mmdebstrap call that writes a minimal root file system tarball."""
    return ["mmdebstrap", "--quiet", "--variant=minbase", f"--include={PACKAGES}", SUITE,
            str(rootfs), *entries]
