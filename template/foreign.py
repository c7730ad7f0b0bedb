"""Make the foreign-API service: the template as `inventory-api`, serving the inventory API.

Usage: python -m template.foreign DEST (what `nox -s foreign -- DEST` runs)
It does what a new owner does, and nothing else: render a release of the template with their
answers, commit, replace app/ and tests/ with their own API and its tests (the fixture in
template/inventory), commit. `.ci/run` then runs that service's whole pipeline.
The release is this tree as it is, tagged in a copy beside DEST (DEST-template), so the
service's update job has a version to update from.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pipeline.core import cmd
from pipeline.core.paths import ROOT
from template.render import commit, render, snapshot

FIXTURE = ROOT / "template" / "inventory"
ANSWERS = {"service_name": "inventory-api",
           "description": "Keeps an inventory of items (the template's foreign-API fixture)."}
OWNED = ("app", "tests")  # all the owner replaces
RELEASE = "v0.0.0+snapshot"  # PEP 440: any later template release updates it


def make(destination: Path) -> Path:
    """Release, render, commit, swap in the inventory API, commit; return the service."""
    release = snapshot(destination.with_name(f"{destination.name}-template"), RELEASE)
    render(destination, ANSWERS, release, vcs_ref=RELEASE)
    cmd.run(["git", "init", "-q"], cwd=destination)
    commit(destination, f"Start {ANSWERS['service_name']} from the template")
    for owned in OWNED:
        shutil.rmtree(destination / owned)
        shutil.copytree(FIXTURE / owned, destination / owned,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    commit(destination, "Replace the echo example with the inventory API")
    return destination


def main(argv: list[str] | None = None) -> int:
    """Make the service at DEST and print where it is."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m template.foreign DEST", file=sys.stderr)
        return 2
    print(make(Path(args[0]).resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
