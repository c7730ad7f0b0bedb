"""Move a service's own file where a newer template version expects it (copier `_migrations`).

Usage: python3 PATH/TO/TEMPLATE/template/migrate.py move OLD NEW
An update never touches what the owner owns (app/, tests/), so when a template version expects
one of those files elsewhere, copier.yml's `_migrations` runs this, from the new template,
before the update is applied: `git mv OLD NEW` when OLD exists and NEW does not, and one line
saying what it did either way. Standard library and git only: it runs in the service, before
any of its environments exist.
"""

from __future__ import annotations

import subprocess  # nosec B404 - git mv with a fixed argv
import sys
from pathlib import Path


def move(old: Path, new: Path) -> str:
    """Move OLD to NEW with git, or say why not; never overwrite."""
    if not old.exists():
        return f"migrate: {old} is not here (moved or removed already): nothing to move"
    if new.exists():
        return f"migrate: {new} exists already, so {old} stays: merge them by hand"
    new.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "mv", "--", str(old), str(new)], check=True)  # nosec B603 B607
    return f"migrate: moved {old} to {new}, where this template version expects it"


def main(argv: list[str]) -> int:
    """`move OLD NEW`; anything else is one line of usage."""
    if len(argv) != 3 or argv[0] != "move":
        print("usage: migrate.py move OLD NEW", file=sys.stderr)
        return 2
    print(move(Path(argv[1]), Path(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
