# /// script
# requires-python = ">=3.11"
# dependencies = ["nox>=2026.8.10"]
# ///
"""The delivery pipeline: every gate is a session, so laptops, CI and GitHub Actions agree.

Any nox loads this file: its load-time imports are the standard library, nox and the pipeline
modules that use only the standard library. A stage helper that needs a third-party package is
imported inside its session. An older nox re-runs itself from the block above (nox's script
mode) or stops on `nox.needs_version`; an older Python stops with one line.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import nox
from nox.command import CommandFailed

if sys.version_info < (3, 11):  # noqa: UP036  # any nox may load this file, on any Python
    raise SystemExit(
        f"noxfile.py needs Python 3.11 or newer, and nox runs on {sys.version.split()[0]}: "
        "install nox on 3.11+ (`pipx install --python python3.11 nox` or `uvx -p 3.11 nox`)")

sys.path.insert(0, str(Path(__file__).resolve().parent))
# pylint: disable=wrong-import-position  # the path above makes pipeline/ importable
from pipeline.lint import conflicts  # noqa: E402

# Before anything parses a file (pyproject.toml, read as the modules below load): after an
# update, the first failure names each conflict it left, whatever file it is in.
conflicts.stop()

from pipeline.container import (  # noqa: E402
    build, containers, images, oci, preflight, publish, rootfs)
from pipeline.core import (  # noqa: E402
    debian_pythons, environment, installs, interpreters, paths, project, updates)
from pipeline.lint import checks  # noqa: E402

# pylint: enable=wrong-import-position

# Stage helpers that need a third-party package run inside their session's environment
# (`python -m pipeline.<stage>`), never in nox's process: pipeline/tests/unit/test_noxfile.py
# fails any import of one here, at load or inside a session, and test_front_door.py proves a
# stock nox lists the sessions and deploys.

nox.needs_version = ">=2026.8.10"  # --parallel, allow_parallel, script-mode requires-python
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = True
# Sessions marked allow_parallel run side by side, one per core; output stays grouped by session.
nox.options.parallel = os.cpu_count() or 1

PYTHONS: list[str] = project.setting("pythons")


_REPORTED = "PIPELINE_MISSING_PYTHONS_REPORTED"
_NO_INSTALL = {"--no-install", "-R"}  # nox's flags that make session.install a no-op


def _find_pythons() -> dict[str, Path]:
    """Make every installed supported Python visible to nox; skip fast what cannot be fetched."""
    found = interpreters.locate(PYTHONS, os.environ)
    os.environ["PATH"] = interpreters.extended_path(found, os.environ)
    missing = [minor for minor in PYTHONS if minor not in found]
    reason = interpreters.why_no_download(sys.argv, os.environ) if missing else None
    if reason is None:
        return found  # all found, or nox downloads the missing ones (--download-python auto)
    nox.options.download_python = "never"
    if os.environ.get(_REPORTED):
        return found  # a --parallel child: its parent has said it, with the first-hand reason
    os.environ[_REPORTED] = "1"
    for minor in missing:
        logging.getLogger("nox").warning(
            "Python %s is not installed and cannot be downloaded (%s): %s", minor, reason,
            interpreters.how_to_get(minor))
    return found


_FOUND = _find_pythons()


def _plain(sessions: list[str]) -> list[str]:
    """Plain `nox` tests on the oldest and the newest supported Python; `nox -s tests` on all.

    The two ends catch nearly every version difference (a removed API, a new warning) for two
    fifths of the CPU of all five, which keeps warm plain `nox` as fast as it was with three.
    On a laptop the ends of those found; under CI every supported one counts, so a missing end
    is an error, and GitHub's matrix runs all five (pipeline/actions/ci_sessions.py checks).
    """
    pool = PYTHONS if environment.truthy("CI") else [m for m in PYTHONS if m in _FOUND] or PYTHONS
    ends = [f"tests-{minor}" for minor in dict.fromkeys([pool[0], pool[-1]])]
    return [name for session in sessions for name in (ends if session == "tests" else [session])]


nox.options.sessions = ["lint", "mypy", "bandit", "secrets", "tests"]
nox.options.sessions = _plain(nox.options.sessions)


@nox.session(venv_backend="none")
def pythons(session: nox.Session) -> None:
    """Install every supported Python missing here from Debian's packages; idempotent."""
    found = interpreters.locate(PYTHONS, os.environ)
    missing = [minor for minor in PYTHONS if minor not in found]
    if not missing:
        session.log("nothing to do: " + ", ".join(f"{m} in {p}" for m, p in found.items()))
        return
    try:  # every minor has a route, or stop before any work
        entries = {minor: rootfs.archive_entry(debian_pythons.suite(minor)) for minor in missing}
    except (debian_pythons.CannotInstall, RuntimeError) as failure:
        session.error(str(failure))
    if absent := debian_pythons.missing_tools():
        session.error(f"{', '.join(absent)} not found: install them (Debian: `apt-get install "
                      f"{' '.join(absent)}`), then run `nox -s pythons` again")
    for minor, entry in entries.items():
        _install_python(session, minor, entry)


def _install_python(session: nox.Session, minor: str, entry: str) -> None:
    """Write the suite's root file system aside, relocate it, move it in under its version."""
    versions = interpreters.pyenv_root(os.environ) / "versions"
    staging = versions / f".{minor}-staging"
    shutil.rmtree(staging, ignore_errors=True)
    versions.mkdir(parents=True, exist_ok=True)
    session.run(*debian_pythons.mmdebstrap_command(minor, staging, entry), external=True)
    try:
        version = debian_pythons.installed_version(staging, minor)
        home = debian_pythons.version_dir(versions, version)
    except debian_pythons.CannotInstall as failure:
        session.error(str(failure))
    if home.exists():  # there, yet without a working python{minor}: not ours to replace
        session.error(f"{home} exists but holds no python{minor}: remove it, then run again")
    session.run(*debian_pythons.patchelf_command(staging, home, minor), external=True)
    debian_pythons.relocate(staging, home, minor)
    staging.rename(home)
    try:
        session.run(str(home / "bin" / f"python{minor}"), "-c", debian_pythons.SELF_CHECK,
                    external=True)
    except CommandFailed:
        shutil.rmtree(home)
        session.error(f"Python {home.name} from Debian does not run here: removed {home}")
    session.log(f"installed Python {home.name} from Debian {debian_pythons.suite(minor)} in {home}")


def _install(session: nox.Session, *groups: str) -> None:
    """Install locked, hash-checked dependency groups (`runtime` is requirements.txt).

    A reused environment already installed from the same files is left as it is
    (`--reuse-venv=never` recreates it, stamp and all).
    """
    files = [project.lock_file(group) for group in groups]
    args = ["--require-hashes", *[arg for path in files for arg in ("-r", str(path))]]
    venv = Path(session.virtualenv.location)
    stamp = installs.digest(files, args)
    if installs.current(venv, stamp):
        session.log(f"requirements unchanged since the last install: {', '.join(groups)}")
        return
    session.install(*args)
    if not _NO_INSTALL.intersection(sys.argv):  # nox skipped the install: nothing to record
        installs.record(venv, stamp)


def _stage(session: nox.Session, module: str, *groups: str) -> None:
    """Run a stage helper in the session's environment, never in nox's process (see above)."""
    _install(session, *groups)
    session.run("python", "-m", module, *session.posargs)


# --- Static checks: each linter alone, all of them in `lint` (pipeline/lint/checks.py) --------

def _run_check(session: nox.Session, check: checks.Check) -> None:
    for argv in check.commands(checks.PYTHON_TARGETS):
        session.run(*argv)


def _check_session(check: checks.Check) -> None:
    def run(session: nox.Session) -> None:
        _install(session, *check.groups)
        _run_check(session, check)

    run.__doc__ = check.summary
    nox.session(name=check.name, allow_parallel=True)(run)


for _check in checks.CHECKS:
    _check_session(_check)


@nox.session(allow_parallel=True)
def lint(session: nox.Session) -> None:
    """Run every static check in one environment."""
    _install(session, *checks.all_groups())
    for check in checks.CHECKS:
        _run_check(session, check)


@nox.session
def hooks(session: nox.Session) -> None:
    """Install the pre-commit git hook: the same checks on the files a commit changes."""
    _install(session, "hooks")
    session.run("pre-commit", "install", *session.posargs)


@nox.session(allow_parallel=True)
def mypy(session: nox.Session) -> None:
    """Type-check every Python target in strict mode ([tool.mypy])."""
    _install(session, "runtime", "typecheck")  # mypy imports what it checks, flask included
    session.run("mypy", *(session.posargs or checks.PYTHON_TARGETS))


@nox.session(allow_parallel=True)
def bandit(session: nox.Session) -> None:
    """Scan the service for common security mistakes."""
    _install(session, "security")
    session.run("bandit", "-c", "pyproject.toml", "-r", *checks.PYTHON_PACKAGES)


@nox.session(allow_parallel=True)
def secrets(session: nox.Session) -> None:
    """Fail on any secret not already reviewed into .secrets.baseline."""
    _install(session, "security")
    session.run("detect-secrets-hook", "--baseline", ".secrets.baseline",
                *project.shipped_files(exclude=project.lock_exports()))


# --- Tests: yours in tests/, the pipeline's in pipeline/tests/ -------------------------------

UNIT = ("tests/unit", "pipeline/tests/unit", "pipeline/tests/serving")  # in process
HTTP = ("tests/smoke", "pipeline/tests/http")  # over HTTP: a local server, a container


def _pytest(session: nox.Session, *paths: str, coverage: bool = False) -> None:
    runner = ["coverage", "run", "-m", "pytest"] if coverage else ["pytest"]
    session.run(*runner, *(session.posargs or paths), env=_coverage_env(session))


def _coverage_env(session: nox.Session) -> dict[str, str]:
    # One data file per interpreter, so tests-3.11 never reports tests-3.13's numbers.
    return {"COVERAGE_FILE": str(Path(session.virtualenv.location) / ".coverage")}


@nox.session(python=PYTHONS, allow_parallel=True)
def unit(session: nox.Session) -> None:
    """Run the unit tests in process: the API with Flask's test client, the stack, the pipeline."""
    _install(session, "runtime", "test")
    _pytest(session, *UNIT)


@nox.session(python=PYTHONS, allow_parallel=True)
def smoke(session: nox.Session) -> None:
    """Run the smoke tests against a real `python -m serving` server process."""
    _install(session, "runtime", "test")
    _pytest(session, *HTTP)


@nox.session(python=PYTHONS, allow_parallel=True)
def tests(session: nox.Session) -> None:
    """Run unit and smoke tests under coverage; app/, serving/ and pipeline/ each hold a floor."""
    _install(session, "runtime", "test")
    env = _coverage_env(session)
    session.run("coverage", "erase", env=env)
    _pytest(session, *UNIT, *HTTP, coverage=True)
    session.run("coverage", "combine", "--quiet", env=env)
    for package, floor in project.setting("coverage-floors").items():
        session.run("coverage", "report", f"--include={package}/*", f"--fail-under={floor}",
                    env=env)


GATES = ["pipeline/tests/gates"]  # and the template's own, where it has them


@nox.session
def gates(session: nox.Session) -> None:
    """Prove each gate bites: plant a defect in a copy of the tree and watch the gate fail."""
    _install(session, "runtime", "gates")
    session.run("pytest", "-p", "no:cacheprovider", *(session.posargs or GATES))


@nox.session
def dev(session: nox.Session) -> None:
    """Serve with the Flask development server and reloader, on loopback only."""
    _install(session, "runtime")
    port = os.environ.get("PORT", "8080")
    session.run(
        "flask", "--app", "serving.wsgi:app", "run", "--debug", "--host", "127.0.0.1",
        "--port", port,
        env={"MODE_CONFIG": os.environ.get("MODE_CONFIG", "Development")},
    )


# --- Supply chain -----------------------------------------------------------------------------

@nox.session
def lock(session: nox.Session) -> None:
    """Re-resolve uv.lock and export the hashed requirements files (`-- --check` to verify)."""
    _install(session, "pipeline")  # uv itself, pinned: a nox installed alone has none
    check = "--check" in session.posargs
    session.run("uv", "lock", *(["--check"] if check else []))
    exports = {"runtime": ["--no-dev"], **{g: ["--only-group", g] for g in project.groups()}}
    for group, selection in exports.items():
        target = project.lock_file(group)
        session.run(
            # No `# via` annotations: they would name the project in every export, and a
            # service made from this template must not carry the template's name.
            "uv", "export", "--frozen", "--format=requirements-txt", "--no-emit-project",
            "--no-annotate",
            "--quiet", *selection, f"--output-file={target.relative_to(paths.ROOT)}",
        )
    if check:
        try:  # a Dependabot PR updates uv.lock only: say how to refresh the exports
            session.run("git", "diff", "--quiet", "--", "requirements.txt", "requirements/",
                        external=True)
        except CommandFailed:
            session.error("requirements*.txt are stale against uv.lock: run `nox -s lock` and "
                          "commit the result")


@nox.session
def sbom(session: nox.Session) -> None:
    """Write a CycloneDX JSON SBOM of the runtime dependencies to build/sbom.cdx.json."""
    _install(session, "sbom")
    _sbom(session)


def _sbom(session: nox.Session) -> None:
    paths.SBOM_FILE.parent.mkdir(parents=True, exist_ok=True)
    _unless_current(session, paths.SBOM_FILE, [
        "cyclonedx-py", "requirements", "--output-reproducible", "--output-format=JSON",
        f"--output-file={paths.SBOM_FILE}", str(paths.RUNTIME_LOCK)])


def _unless_current(session: nox.Session, output: Path, argv: list[str]) -> None:
    """Run a command whose output follows from the locks and argv alone, unless it already did.

    The SBOM and the wheels change only with the locks: regenerating them on every build cost
    a code-only `docker_build` about 2.5 s of its 5 s budget.
    """
    stamp = f".{output.name}.sha256"
    value = installs.digest([paths.RUNTIME_LOCK, project.lock_file("image")], argv)
    if output.exists() and installs.current(output.parent, value, stamp):
        session.log(f"{output.relative_to(paths.ROOT)} is current for the locks: kept")
        return
    session.run(*argv)
    installs.record(output.parent, value, stamp)


@nox.session
def audit(session: nox.Session) -> None:
    """Audit the locked runtime against PyPI's advisories; anything unaudited fails (--strict)."""
    _install(session, "audit")
    session.run("pip-audit", "--strict", "--require-hashes", "--disable-pip",
                "--progress-spinner=off", "-r", str(paths.RUNTIME_LOCK))


# --- The template ----------------------------------------------------------------------------

@nox.session
def update(session: nox.Session) -> None:
    """Take the template's newest version into this service (`-- --vcs-ref TAG` for another)."""
    if not paths.ANSWERS_FILE.is_file():
        session.error(f"{paths.ANSWERS_FILE.name} is missing: only a service made from the "
                      "template can take its updates (the template itself has none)")
    dirty = updates.dirty_files()
    if dirty:  # copier's own refusal names no file
        session.error(updates.refusal(dirty))
    _install(session, "template")
    since = updates.template_version()
    session.run("copier", "update", "--defaults", "--trust", *session.posargs)
    notes = updates.notes(updates.CHANGELOG.read_text(encoding="utf-8"), since,
                          updates.template_version())
    if notes:
        paths.TEMPLATE_NOTES.parent.mkdir(parents=True, exist_ok=True)
        paths.TEMPLATE_NOTES.write_text(f"{notes}\n", encoding="utf-8")
        print(f"\nWhat the template changed since {since} (CHANGELOG.md):\n\n{notes}\n")
    session.log("next: `nox -s lock` (the locks are written anew, never merged), then `nox`, "
                "which fails on anything the update could not merge")


# --- Container --------------------------------------------------------------------------------

def _require(session: nox.Session, names: list[str]) -> dict[str, str]:
    """Stop the session with one line naming every unset variable, before any work."""
    absent = environment.missing(names)
    if absent:
        session.error(environment.describe(absent))
    return {name: os.environ[name] for name in names}


@nox.session(venv_backend="none")
def base_image(session: nox.Session) -> None:
    """Build a local image from the apt mirror: the air-gapped base (`-- fresh-machine`: more)."""
    name = session.posargs[0] if session.posargs else "python"
    if name not in rootfs.IMAGES:
        session.error(f"no image {name!r}: choose one of {', '.join(rootfs.IMAGES)}")
    image = rootfs.IMAGES[name]
    _preflight(session, "mmdebstrap")
    tarball = paths.BUILD_DIR / "rootfs.tar"
    tarball.parent.mkdir(parents=True, exist_ok=True)
    command = rootfs.mmdebstrap_command(tarball, rootfs.mirror_entries(image.suite), image)
    session.run(*command, external=True)
    session.run(images.docker(), "import", "--change", 'CMD ["python3"]', str(tarball), image.ref,
                external=True)
    tarball.unlink()


def _preflight(session: nox.Session, *tools: str) -> None:
    """Stop in one line when the machine lacks a system tool or a running Docker engine."""
    problem = preflight.missing_tools(tools) or preflight.docker_problem()
    if problem:
        session.error(problem)


def _docker_build(session: nox.Session, fresh: bool = False) -> None:
    try:
        tools = ["buildah", "skopeo"] if build.builder() == "buildah" else []
    except ValueError as failure:  # IMAGE_BUILDER names no builder
        session.error(str(failure))
    _preflight(session, *tools)
    try:
        steps = build.commands(fresh=fresh)
    except RuntimeError as failure:  # the base is not in Docker
        session.error(f"{failure}: build it first (`nox -s base_image -- python`) or unset "
                      "BASE_IMAGE to build on the pinned official base")
    _install(session, "image")
    _sbom(session)
    _unless_current(session, paths.WHEELS_DIR, images.wheel_download_command(python="python"))
    try:
        for argv in steps:
            session.run(*argv, external=True, env={"DOCKER_BUILDKIT": "1"})
    except CommandFailed:
        session.error("the image build failed (its output is above): fix what it names, or run "
                      "`nox -s docker_build -- --no-cache` if a cached layer is stale")
    image = f"{images.image_name()}:latest"
    session.log(f"built {image}: image ID {images.image_id(image)}")


def _docker_push(session: nox.Session) -> None:
    started = datetime.now(timezone.utc)
    registry = _require(session, ["REGISTRY"])["REGISTRY"].rstrip("/")
    remote = f"{registry}/{images.image_name()}"
    _preflight(session)
    try:
        with images.registry_credentials(registry) as env:
            unbuilt = preflight.missing_images(images.tags())
            if unbuilt:
                session.error(f"no image {', '.join(unbuilt)} in Docker: images are built per "
                              "commit, so run `nox -s docker_build` first (or `nox -s docker`)")
            for tag in images.tags():
                session.run(images.docker(), "tag", tag, f"{registry}/{tag}", external=True)
                _push(session, registry, f"{registry}/{tag}", env)
            digest = images.pushed_digest(remote)
            path = images.write_image_ref(f"{remote}@{digest}")
            session.log(f"pushed {remote}@{digest} (reference in {path.relative_to(paths.ROOT)})")
            _sign(session, oci.DigestRef.parse(f"{remote}@{digest}"), started, env)
    except (environment.MissingSettings, images.RegistryLoginFailed) as failure:
        session.error(str(failure))


def _push(session: nox.Session, registry: str, reference: str, env: dict[str, str]) -> None:
    try:
        session.run(images.docker(), "push", "--quiet", reference, external=True, env=env)
    except CommandFailed:
        session.error(f"docker push to {registry} failed (docker's words above): check that "
                      "REGISTRY names a running registry you may push to (REGISTRY_USERNAME and "
                      "REGISTRY_PASSWORD when it needs a login)")


def _sign(session: nox.Session, image: oci.DigestRef, started: datetime,
          docker_env: dict[str, str]) -> None:
    """Sign and attest what was pushed, with docker's throwaway login for skopeo too."""
    if not publish.signing_configured():
        session.warn("not signed: no IMAGE_SIGNING_KEY (deploy refuses unsigned images)")
        return
    missing = preflight.missing_tools(["gpg", "skopeo"])
    if missing:
        session.error(f"{image} is pushed but cannot be signed: {missing}")
    try:
        session.log(publish.publish_pushed(image, f"{image.repository}:latest",
                                           images.tags()[-1], started, docker_env))
    except RuntimeError as failure:  # cmd.CommandFailed, or a docker step's own error
        session.error(f"signing {image} failed: {failure}")


@nox.session
def docker_build(session: nox.Session) -> None:
    """Build the image offline from hash-checked wheels; tag commit, version and latest
    (`-- --no-cache`: from nothing, no cached layer)."""
    unknown = set(session.posargs) - {"--no-cache"}
    if unknown:
        session.error(f"docker_build takes only --no-cache, not {' '.join(sorted(unknown))}")
    _docker_build(session, fresh="--no-cache" in session.posargs)


@nox.session(venv_backend="none")
def docker_push(session: nox.Session) -> None:
    """Push every tag to $REGISTRY/$IMAGE_NAME and record the digest for deploy."""
    _docker_push(session)


@nox.session
def docker(session: nox.Session) -> None:
    """Build the image, then push it."""
    _require(session, ["REGISTRY"])  # fail before the build, not after it
    _docker_build(session)
    _docker_push(session)


@nox.session
def docker_smoke(session: nox.Session) -> None:
    """Run the smoke suite against the image, read-only with no capabilities, then stop it."""
    _preflight(session)
    image = session.posargs[0] if session.posargs else f"{images.image_name()}:latest"
    if "@" not in image and preflight.missing_images([image]):
        session.error(f"no image {image} in Docker: run `nox -s docker_build` first, or pass "
                      "an image: `nox -s docker_smoke -- REF`")
    _install(session, "runtime", "test")
    with containers.running(image) as box:
        session.log(f"{image} is healthy at {box.url} as container {box.name}")
        # Everything over HTTP except what needs the local process (its log, its signals).
        session.run("pytest", "-p", "no:cacheprovider", "-m", "not process", *HTTP,
                    env={"SMOKE_URL": box.url})
        seen = containers.observe(box)
        if seen.problems():
            session.error("; ".join(seen.problems()) + "\n" + containers.logs(box)[-2000:])
        session.log(seen.summary())


# --- Cloud Foundry ----------------------------------------------------------------------------

def _canary(session: nox.Session, url: str) -> bool:
    """Run the live checks against a URL (GET, HEAD and declared requests only); did they pass?"""
    try:
        session.run("pytest", "-p", "no:cacheprovider", "-m", "live", *paths.LIVE_TESTS,
                    env={"CANARY_URL": url})
    except CommandFailed:
        return False
    return True


@nox.session
def deploy(session: nox.Session) -> None:
    """Deploy to Cloud Foundry: canary where it can (checked, continued or cancelled), else rolling
    with rollback; `-- --dry-run` prints the commands."""
    _install(session, "runtime", "test")
    # The stage runs in this session's environment (PyYAML, pytest), never in nox's process.
    session.run("python", "-m", "pipeline.deploy", *session.posargs)


@nox.session
def rehearsal(session: nox.Session) -> None:
    """Rehearse `nox -s deploy` on the cf double with real servers behind a router stand-in: a
    broken release is cancelled with the old one serving, a healthy one reaches DEPLOYED."""
    _install(session, "runtime", "test", "pipeline")  # pipeline: the nox that runs deploy
    session.run("python", "-m", "pipeline.tests.support.rehearsal", *session.posargs)


@nox.session
def canary(session: nox.Session) -> None:
    """Check a live deployment at $CANARY_URL without changing anything there."""
    url = os.environ.get("CANARY_URL", "").strip()
    if not url:
        message = "CANARY_URL is not set: point it at a live deployment to run the canary"
        if environment.truthy("CI"):
            session.error(message)
        session.skip(message)
    _install(session, "runtime", "test")
    if not _canary(session, url):
        session.error(f"canary failed against {url}")


# --- GitHub Actions, run here -----------------------------------------------------------------

@nox.session
def act(session: nox.Session) -> None:
    """Run the workflows' jobs here with act, stand-ins listed (`-- JOB...`; default: all)."""
    _stage(session, "pipeline.actions.act_jobs", "act")


# --- Dynamic analysis and benchmarks ----------------------------------------------------------

@nox.session
def browser(session: nox.Session) -> None:
    """The API reference page in headless Chromium (Debian's chromium and chromium-driver)."""
    _install(session, "runtime", "browser")
    session.run("pytest", *(session.posargs or ["pipeline/tests/browser"]))


@nox.session
def fuzz(session: nox.Session) -> None:
    """Fuzz every operation from the served OpenAPI document (`-- --url URL` for a live one)."""
    _install(session, "runtime", "fuzz")
    session.run("python", "-m", "pipeline.dynamic.fuzz", *session.posargs)


@nox.session
def load(session: nox.Session) -> None:
    """Fixed-count load (zero errors, flat memory), then slow-header and slow-body abuse."""
    _stage(session, "pipeline.dynamic.load", "runtime")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark servers, pipeline and image side by side; write docs/bench/."""
    _stage(session, "pipeline.bench", "runtime", "bench")


# --- The template's own sessions: its folder is not rendered into services --------------------

# Imported by name: a service has no template/, and its linters must not look for one.
if (paths.ROOT / "template" / "sessions.py").is_file():
    importlib.import_module("template.sessions").register(_install, GATES)
