"""The static checks as one table: each is a nox session, `lint` runs all, pre-commit runs each.

Standard library only: the noxfile builds its sessions from this table when it loads. The same
table drives the pre-commit hooks (`python -m pipeline.lint.checks NAME FILE...`), so a check's
command and settings are written once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import cmd, project
from pipeline.core.paths import ROOT

# The packages the service ships, and template/ where it exists (copier.yml leaves it out of
# services: the template's own parts).
PYTHON_PACKAGES = tuple(name for name in ("app", "serving", "pipeline", "template")
                        if (ROOT / name).is_dir())
# The cf double is a script without .py (it is cf on PATH), so it is named on its own.
PYTHON_TARGETS = (*PYTHON_PACKAGES, "tests", "noxfile.py", "pipeline/tests/fakes/cf")
SHELL_SCRIPTS = (".ci/run", ".ci/readme.sh", ".ci/services.sh")
ACTION_FILES = (".github/actions/setup-nox/action.yml",)

Argv = list[str]
# Given the files to check (the Python targets, or what pre-commit passes), the commands to run.
Commands = Callable[[Sequence[str]], list[Argv]]


@dataclass(frozen=True)
class Check:
    """One static check: its session name, what it guards, its commands, the groups it needs."""

    name: str
    summary: str
    commands: Commands
    groups: tuple[str, ...] = ("lint",)


def _workflow_files() -> list[str]:
    return sorted(str(path.relative_to(ROOT))
                  for path in (ROOT / ".github" / "workflows").glob("*.yml"))


def _pycodestyle(files: Sequence[str]) -> list[Argv]:
    options = [f"--{key}={value}" for key, value in project.tool("pycodestyle").items()]
    return [["pycodestyle", *options, *files]]


def _mccabe(files: Sequence[str]) -> list[Argv]:
    limit = project.setting("mccabe-max-complexity")
    return [["python", "-m", "pipeline.lint.complexity", f"--max-complexity={limit}", *files]]


def _workflows(_files: Sequence[str]) -> list[Argv]:
    workflows = _workflow_files()
    return [
        # zizmor first: the security audit names a finding even where actionlint also would.
        ["zizmor", "--offline", ".github/"],  # suppressions and reasons: .github/zizmor.yml
        ["actionlint", *workflows],
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows],
        ["check-jsonschema", "--builtin-schema", "vendor.github-actions", *ACTION_FILES],
        ["check-jsonschema", "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml"],
        ["python", "-m", "pipeline.actions.policy", *workflows, *ACTION_FILES],
    ]


CHECKS: tuple[Check, ...] = (
    Check("pyflakes", "Catch unused imports and undefined names.",
          lambda files: [["pyflakes", *files]]),
    Check("pycodestyle", "Check PEP 8 layout with the settings in pyproject.toml.", _pycodestyle),
    Check("mccabe", "Refuse functions more complex than the configured limit.", _mccabe),
    # pylint imports what it checks, so its environment holds every group the code imports.
    Check("pylint", "Hold pylint at 10.00/10; errors fail even if the score would round up.",
          lambda files: [["pylint", "--rcfile=.pylintrc", *files]],
          groups=("runtime", "lint", "bench", "template", "browser")),
    Check("hadolint", "Lint the Dockerfile; warnings fail.",
          lambda _files: [["hadolint", "--failure-threshold", "warning", "Dockerfile"]]),
    Check("shellcheck", "Lint the CI shell scripts.",
          lambda _files: [["shellcheck", "--external-sources", *SHELL_SCRIPTS]]),
    Check("manifest", "Validate manifest.yml against the Cloud Foundry schema in schemas/.",
          lambda _files: [["check-jsonschema", "--schemafile", "schemas/cf-manifest.schema.json",
                           "manifest.yml"]]),
    Check("workflows", "Check the GitHub Actions files: zizmor, actionlint, schemas, house rules.",
          _workflows),
    Check("conflicts", "Fail on conflict markers and .rej files an update could not merge.",
          lambda _files: [["python", "-m", "pipeline.lint.conflicts"]]),
)
BY_NAME = {check.name: check for check in CHECKS}


def all_groups() -> tuple[str, ...]:
    """Every dependency group any check needs, in first-seen order: what `lint` installs."""
    return tuple(dict.fromkeys(group for check in CHECKS for group in check.groups))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one check on the given files (pre-commit's entry point); exit 1 when it fails."""
    name, *files = sys.argv[1:] if argv is None else argv
    if name not in BY_NAME:
        print(f"unknown check {name!r}; choose one of {', '.join(BY_NAME)}", file=sys.stderr)
        return 2
    # The tools live beside this interpreter, in the nox session environment that runs the hook.
    path = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    failed = False
    for command in BY_NAME[name].commands(files or PYTHON_TARGETS):
        result = cmd.run(command, env=path, cwd=ROOT, check=False)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        failed = failed or not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
