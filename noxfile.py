"""The delivery pipeline: every gate is a session, so laptops, CI and GitHub Actions agree."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
# pylint: disable-next=wrong-import-position  # the path above makes pipeline/ importable
from pipeline import project  # noqa: E402

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = True
nox.options.sessions = ["lint", "bandit", "secrets", "tests"]

PYTHONS: list[str] = project.setting("pythons")
LINT_TARGETS = ["app", "tests", "pipeline", "noxfile.py"]


def _install(session: nox.Session, *groups: str) -> None:
    """Install locked, hash-checked dependency groups (`runtime` is requirements.txt)."""
    files = [str(project.lock_file(group)) for group in groups]
    session.install("--require-hashes", *[arg for path in files for arg in ("-r", path)])


def _pylint(session: nox.Session) -> None:
    session.run("pylint", "--rcfile=.pylintrc", *LINT_TARGETS)


def _pycodestyle(session: nox.Session) -> None:
    options = [f"--{key}={value}" for key, value in project.tool("pycodestyle").items()]
    session.run("pycodestyle", *options, *LINT_TARGETS)


def _pyflakes(session: nox.Session) -> None:
    session.run("pyflakes", *LINT_TARGETS)


def _mccabe(session: nox.Session) -> None:
    limit = project.setting("mccabe-max-complexity")
    session.run("python", "-m", "pipeline.complexity", f"--max-complexity={limit}", *LINT_TARGETS)


def _pytest(session: nox.Session, *paths: str, coverage: bool = False) -> None:
    runner = ["coverage", "run", "-m", "pytest"] if coverage else ["pytest"]
    session.run(*runner, *(session.posargs or paths), env=_coverage_env(session))


def _coverage_env(session: nox.Session) -> dict[str, str]:
    # One data file per interpreter, so tests-3.11 never reports tests-3.13's numbers.
    return {"COVERAGE_FILE": str(Path(session.virtualenv.location) / ".coverage")}


@nox.session
def pylint(session: nox.Session) -> None:
    """Hold pylint at 10.00/10; errors fail even if the score would round up."""
    _install(session, "runtime", "lint")
    _pylint(session)


@nox.session
def pycodestyle(session: nox.Session) -> None:
    """Check PEP 8 layout with the settings in pyproject.toml."""
    _install(session, "lint")
    _pycodestyle(session)


@nox.session
def pyflakes(session: nox.Session) -> None:
    """Catch unused imports and undefined names."""
    _install(session, "lint")
    _pyflakes(session)


@nox.session
def mccabe(session: nox.Session) -> None:
    """Refuse functions more complex than the configured limit."""
    _install(session, "lint")
    _mccabe(session)


@nox.session
def lint(session: nox.Session) -> None:
    """Run every static check in one environment."""
    _install(session, "runtime", "lint")
    for check in (_pyflakes, _pycodestyle, _mccabe, _pylint):
        check(session)


@nox.session
def bandit(session: nox.Session) -> None:
    """Scan the service for common security mistakes."""
    _install(session, "security")
    session.run("bandit", "-c", "pyproject.toml", "-r", "app", "pipeline")


@nox.session(python=PYTHONS)
def unit(session: nox.Session) -> None:
    """Run the unit tests against the Flask test client."""
    _install(session, "runtime", "test")
    _pytest(session, "tests/unit")


@nox.session(python=PYTHONS)
def smoke(session: nox.Session) -> None:
    """Run the smoke tests against a real `python -m app` server process."""
    _install(session, "runtime", "test")
    _pytest(session, "tests/smoke")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run unit and smoke tests under coverage and enforce the coverage floor."""
    _install(session, "runtime", "test")
    env = _coverage_env(session)
    session.run("coverage", "erase", env=env)
    _pytest(session, "tests/unit", "tests/smoke", coverage=True)
    session.run("coverage", "combine", "--quiet", env=env)
    floor = project.setting("coverage-fail-under")
    session.run("coverage", "report", f"--fail-under={floor}", env=env)


@nox.session
def dev(session: nox.Session) -> None:
    """Serve with the Flask development server and reloader, on loopback only."""
    _install(session, "runtime")
    port = os.environ.get("PORT", "8080")
    session.run(
        "flask", "--app", "app.wsgi:app", "run", "--debug", "--host", "127.0.0.1", "--port", port,
        env={"MODE_CONFIG": os.environ.get("MODE_CONFIG", "Development")},
    )


@nox.session(venv_backend="uv")
def lock(session: nox.Session) -> None:
    """Re-resolve uv.lock and export the hashed requirements files (`-- --check` to verify)."""
    _install(session, "pipeline")
    check = "--check" in session.posargs
    session.run("uv", "lock", *(["--check"] if check else []))
    exports = {"runtime": ["--no-dev"], **{g: ["--only-group", g] for g in project.groups()}}
    for group, selection in exports.items():
        target = project.lock_file(group)
        session.run(
            "uv", "export", "--frozen", "--format=requirements-txt", "--no-emit-project",
            "--quiet", *selection, f"--output-file={target}",
        )
    if check:
        session.run("git", "diff", "--exit-code", "--", "requirements.txt", "requirements/",
                    external=True)


@nox.session
def secrets(session: nox.Session) -> None:
    """Fail on any secret not already reviewed into .secrets.baseline."""
    _install(session, "security")
    files = session.run(
        "git", "ls-files", "--cached", "--others", "--exclude-standard", "-z",
        external=True, silent=True,
    )
    names = [name for name in str(files).split("\0") if name and Path(name).is_file()]
    session.run("detect-secrets-hook", "--baseline", ".secrets.baseline", *names)


@nox.session
def gates(session: nox.Session) -> None:
    """Prove each gate bites: plant a defect in a copy of the tree and watch the gate fail."""
    _install(session, "runtime", "lint", "security")
    session.run("pytest", "-p", "no:cacheprovider", *(session.posargs or ["tests/pipeline"]))
