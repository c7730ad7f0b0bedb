"""Render this repository with copier and hold the result to the tree it came from.

Usage: python -m template.render [check | copy DEST [KEY=VALUE...]]
`check` (what `nox -s template` runs) renders the template twice. With the defaults it must give
exactly the shipped tree, template machinery aside (copier.yml, the .jinja twins, the answers
file): so a file that changed without its twin fails. With other answers every twin must put
them in: so a twin whose plain file moved on under it fails too. In a service made from the
template (no copier.yml) there is nothing to render and it says so.
"""

from __future__ import annotations

import filecmp
import functools
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pipeline.core import cmd, project
from pipeline.core.paths import ANSWERS_FILE as ANSWERS, ROOT

COPIER_FILE = "copier.yml"
ANSWERS_FILE = ANSWERS.name
SUFFIX = ".jinja"
OWN_FOLDER = "template/"  # copier.yml excludes it: the template's own parts
# Text that speaks of the template: a service's README is rendered without it (README.md.jinja).
TEMPLATE_ONLY = re.compile(r"<!-- template-only.*?<!-- /template-only -->\n\n", re.DOTALL)
# Answers no default has, to see every twin put them in.
PROBE_ANSWERS = MappingProxyType({"service_name": "twin-probe",
                                  "description": "A service the twins name."})


def _compiled_once(from_string: Callable[..., Any]) -> Callable[..., Any]:
    """jinja2's Environment.from_string, compiling each source once per environment.

    copier renders every path name and its answers file name as a template, compiling each
    anew: 7,097 compiles for one rendering of this tree, 3.0 of its 4.8 s (cProfile). A
    compiled template renders the same text however often it is used, so one rendering now
    costs 1.2 s instead of 2.5 s. Sources rendered with their own globals compile as before.
    """
    # Keyed by id(environment); the environment is kept, so its id is never reused.
    compiled: dict[tuple[int, str], tuple[object, Any]] = {}

    @functools.wraps(from_string)
    def once(environment: object, source: Any,
             globals: Any = None,  # pylint: disable=redefined-builtin  # jinja2's own name
             template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return from_string(environment, source, globals, template_class)
        key = (id(environment), source)
        if key not in compiled:
            compiled[key] = (environment, from_string(environment, source))
        return compiled[key][1]

    once.compiles_once = True  # type: ignore[attr-defined]
    return once


def render(destination: Path, answers: Mapping[str, str] | None = None,
           source: Path = ROOT, vcs_ref: str = "HEAD") -> Path:
    """Render the template into `destination` (dirty changes of a local HEAD included).

    In process, through copier's API: the check renders twice, and importing copier once
    instead of twice saves 1.1 s of CPU.
    """
    # copier and jinja2 live in the template and lint environments only, not in every
    # environment that imports this module (pipeline/tests/unit reads its helpers).
    import copier  # pylint: disable=import-outside-toplevel
    import jinja2  # pylint: disable=import-outside-toplevel

    if not hasattr(jinja2.Environment.from_string, "compiles_once"):
        setattr(jinja2.Environment, "from_string",
                _compiled_once(jinja2.Environment.from_string))
    with warnings.catch_warnings():
        # The `copier copy --quiet` this replaces printed nothing; its API warns that a dirty
        # tree is rendered with its changes, which is the point of the check.
        warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
        copier.run_copy(str(source), str(destination), data=dict(answers or {}),
                        defaults=True, quiet=True, vcs_ref=vcs_ref)
    return destination


def commit(tree: Path, message: str) -> None:
    """Commit everything in `tree`, as someone with no git identity configured can."""
    cmd.run(["git", "add", "-A"], cwd=tree)
    cmd.run(["git", "-c", "user.name=pipeline", "-c", "user.email=pipeline@localhost",
             "commit", "-q", "--allow-empty", "-m", message], cwd=tree)


def snapshot(destination: Path, tag: str) -> Path:
    """A committed copy of this tree's shipped files tagged `tag`: a release to render from.

    A service rendered from it records a version (`_commit: TAG`), so `copier update` can tell
    what it was made from, whether or not the repository it was copied from has tags.
    """
    project.copy_tree(destination)
    cmd.run(["git", "init", "-q"], cwd=destination)
    commit(destination, f"template {tag}")
    cmd.run(["git", "tag", tag], cwd=destination)
    return destination


def machinery(name: str) -> bool:
    """The template's own files, which a rendered service does not carry."""
    return name == COPIER_FILE or name.endswith(SUFFIX) or name.startswith(OWN_FOLDER)


def rendered_files(directory: Path) -> list[str]:
    """Every file of a rendering, as relative POSIX paths, but for the answers it records."""
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*")
                  if path.is_file() and path.relative_to(directory).as_posix() != ANSWERS_FILE)


def _same(original: Path, rendered: Path) -> bool:
    """Whether a rendered file is its original, the original's template-only blocks aside."""
    if filecmp.cmp(original, rendered, shallow=False):
        return True
    try:
        text = original.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    return TEMPLATE_ONLY.sub("", text) == rendered.read_text(encoding="utf-8")


def differences(rendered: Path, tree: Path, names: Sequence[str]) -> list[str]:
    """How a rendering differs from the tree's shipped `names`: one line per file."""
    expected = sorted(name for name in names if not machinery(name))
    found = rendered_files(rendered)
    lines = [f"{name}: in the tree, not rendered" for name in sorted(set(expected) - set(found))]
    lines += [f"{name}: rendered, not in the tree" for name in sorted(set(found) - set(expected))]
    for name in sorted(set(expected) & set(found)):
        if not _same(tree / name, rendered / name):
            lines.append(f"{name}: rendered differently (its .jinja twin or copier.yml's "
                         "defaults no longer agree with it)")
        elif os.access(tree / name, os.X_OK) != os.access(rendered / name, os.X_OK):
            lines.append(f"{name}: rendered with another file mode")
    return lines


def twins(names: Sequence[str]) -> list[str]:
    """The files rendered from a .jinja twin (the answers file's template aside)."""
    return sorted(name.removesuffix(SUFFIX) for name in names
                  if name.endswith(SUFFIX) and "{{" not in name)


def unanswered(rendered: Path, tree: Path, names: Sequence[str],
               answers: Mapping[str, str] = PROBE_ANSWERS) -> list[str]:
    """Each answer a twin names but did not put in: the plain text it replaces moved on."""
    missing = []
    for name in twins(names):
        twin = (tree / f"{name}{SUFFIX}").read_text(encoding="utf-8")
        text = (rendered / name).read_text(encoding="utf-8")
        missing += [f"{name}: its .jinja twin names {key} but the rendering lacks {value!r} "
                    "(the text it replaces is no longer in the plain file)"
                    for key, value in answers.items() if key in twin and value not in text]
    return missing


def check(tree: Path = ROOT) -> list[str]:
    """Every way this tree and its template disagree; empty when they agree."""
    names = project.shipped_files()
    with tempfile.TemporaryDirectory(prefix="template-") as scratch:
        defaults = render(Path(scratch) / "defaults", source=tree)
        problems = differences(defaults, tree, names)
        probe = render(Path(scratch) / "probe", PROBE_ANSWERS, source=tree)
        problems += unanswered(probe, tree, names)
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check the template (default), or render it to DEST with KEY=VALUE answers."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["copy"] and len(args) >= 2:
        answers = dict(arg.split("=", 1) for arg in args[2:])
        print(render(Path(args[1]), answers))
        return 0
    if not (ROOT / COPIER_FILE).is_file():
        print(f"template: {project.name()} was made from the template ({ANSWERS_FILE}); "
              "the self-render check runs in the template itself")
        return 0
    problems = check()
    for line in problems:
        print(f"template: {line}", file=sys.stderr)
    if not problems:
        print("template: rendering the defaults gives this tree, and every .jinja twin puts "
              "other answers in")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
