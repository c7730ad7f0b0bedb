"""The template's own nox sessions, which the noxfile adds only where this folder exists."""

from __future__ import annotations

from collections.abc import Callable

import nox

Install = Callable[..., None]
UNIT_TESTS = "template/tests/unit"
GATE_TESTS = "template/tests/gates"


def register(install: Install, gates: list[str]) -> None:
    """Add `template` (to plain `nox` too) and `foreign`, and the update gates to `gates`."""

    @nox.session(name="template", allow_parallel=True)
    def template(session: nox.Session) -> None:
        """Render the template: the defaults give this tree, other answers reach every file."""
        install(session, "runtime", "test", "template")
        session.run("python", "-m", "template.render")
        session.run("pytest", "-p", "no:cacheprovider", *(session.posargs or [UNIT_TESTS]))

    @nox.session(name="foreign")
    def foreign(session: nox.Session) -> None:
        """Render the template as another service with another API (template/inventory): -- DEST."""
        install(session, "template")
        session.run("python", "-m", "template.foreign", *session.posargs)

    nox.options.sessions = [*(nox.options.sessions or ()), "template"]
    gates.append(GATE_TESTS)
