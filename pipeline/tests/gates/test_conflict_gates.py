"""After an update, the first failure names each conflict it left, whatever file it is in.

Plain `nox`, as an owner runs it: a conflicted manifest.yml once failed as a YAML error of the
manifest check, and a conflicted pyproject.toml is read as the noxfile loads.
"""

from __future__ import annotations

from pipeline.core.project import name as service_name
from pipeline.tests.support.tree import Tree, failed

LIST_ALL = "`python3 -m pipeline.lint.conflicts` lists them all"


def _conflict(tree: Tree, name: str, line: str, ours: str, theirs: str) -> int:
    """Replace `line` with copier's conflict markers around two versions; return its number."""
    path = tree.path / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = lines.index(line) + 1
    lines[number - 1] = (f"<<<<<<< before updating\n{ours}=======\n{theirs}"
                         ">>>>>>> after updating\n")
    path.write_text("".join(lines), encoding="utf-8")
    return number


def _stops_first_naming(output: str, name: str, number: int) -> None:
    first = output.strip().splitlines()[0]
    assert first == f"conflicts: {name}:{number}: conflict marker an update left", output[-2000:]
    assert LIST_ALL in output
    assert "Traceback" not in output and "Error" not in output


def test_a_conflicted_manifest_stops_plain_nox_first(tree: Tree) -> None:
    app = f"  - name: {service_name()}\n"
    number = _conflict(tree, "manifest.yml", app, f"{app}    # the owner's\n",
                       f"{app}    # the template's\n")
    _stops_first_naming(failed(tree.nox()), "manifest.yml", number)


def test_a_conflicted_pyproject_stops_plain_nox_before_it_is_parsed(tree: Tree) -> None:
    line = f'name = "{service_name()}"\n'
    number = _conflict(tree, "pyproject.toml", line, f"{line}# the owner's\n", line)
    output = failed(tree.nox())
    _stops_first_naming(output, "pyproject.toml", number)
    assert "TOMLDecodeError" not in output
