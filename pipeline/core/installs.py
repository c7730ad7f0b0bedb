"""Skip re-installing a reused session environment whose hashed requirement files are unchanged.

nox reuses environments (`reuse_venv = "yes"`), but `pip install -r` / `uv pip install -r` still
resolve and check every pin on each run: about a second per session, most of a warm run's
overhead. A stamp inside the environment records the hash of the files it was installed from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

STAMP = ".pipeline-requirements.sha256"


def digest(files: Sequence[Path], extra: Sequence[str] = ()) -> str:
    """Hash the requirement files' names and bytes, plus any extra words (the pip arguments)."""
    hasher = hashlib.sha256()
    for word in extra:
        hasher.update(word.encode() + b"\0")
    for path in files:
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def current(venv: Path, value: str, stamp: str = STAMP) -> bool:
    """Tell whether the environment (or output) was last made from exactly these files."""
    path = venv / stamp
    return path.is_file() and path.read_text(encoding="utf-8").strip() == value


def record(venv: Path, value: str, stamp: str = STAMP) -> None:
    """Remember what the environment now holds; a recreated environment starts without it."""
    (venv / stamp).write_text(value + "\n", encoding="utf-8")
