"""What nox's own process imports: the standard library, nox and stdlib-only pipeline modules.

Any nox (pipx, uvx, `pip install nox`) must load the noxfile and run every session's own code,
so nothing the noxfile imports, at load or inside a session, may reach a third-party package;
a stage that needs one runs in its session's environment (`session.run("python", "-m", ...)`).
The check follows every import, top level and inside functions, through pipeline/ modules.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline.core.paths import ROOT

ALLOWED = {"nox", "__future__", "pipeline"} | set(sys.stdlib_module_names)


def _imports(path: Path) -> Iterator[str]:
    """Every module an import statement in the file names, wherever the statement is."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            # `from pipeline.core import environment` may name a module of the package
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _source(module: str, root: Path) -> Path | None:
    """The file of a pipeline module or package, or None for a name that is neither."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def third_party(noxfile: Path, root: Path = ROOT) -> dict[str, str]:
    """Each third-party package nox's process would import, with the file that imports it."""
    found: dict[str, str] = {}
    seen: set[Path] = set()
    pending = [noxfile]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _imports(path):
            top = module.split(".", 1)[0]
            if top == "pipeline":
                source = _source(module, root)
                pending += [source] if source else []
            elif top not in ALLOWED:
                found.setdefault(top, str(path.relative_to(root)) if path.is_relative_to(root)
                                 else path.name)
    return found


def test_nox_s_process_imports_nothing_third_party() -> None:
    found = third_party(ROOT / "noxfile.py")
    assert not found, found


def test_a_session_importing_the_deploy_stage_would_be_caught(tmp_path: Path) -> None:
    planted = tmp_path / "noxfile.py"
    planted.write_text((ROOT / "noxfile.py").read_text(encoding="utf-8") + (
        "\n\ndef deploy_in_process() -> None:\n"
        "    from pipeline.deploy import rollout  # found before: PyYAML in nox's process\n"
        "    rollout.run()\n"), encoding="utf-8")
    found = third_party(planted)
    assert found.get("yaml") == "pipeline/deploy/settings.py"
