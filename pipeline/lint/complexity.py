"""Fail when any function is more complex than allowed: `python -m mccabe` always exits 0."""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import mccabe


def too_complex(path: Path, limit: int) -> list[str]:
    """List `file:line: name complexity N` for each function above the limit."""
    tree = compile(path.read_text(encoding="utf-8"), str(path), "exec", ast.PyCF_ONLY_AST)
    visitor = mccabe.PathGraphingAstVisitor()
    visitor.preorder(tree, visitor)
    return [
        f"{path}:{graph.lineno}: {graph.entity} has complexity {graph.complexity()} > {limit}"
        for graph in visitor.graphs.values()
        if graph.complexity() > limit
    ]


def python_files(targets: list[str]) -> list[Path]:
    """Expand directories into their .py files, skipping nothing else."""
    files: list[Path] = []
    for target in map(Path, targets):
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return files


def main(argv: list[str] | None = None) -> int:
    """Print each offender and exit 1 when there is one."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-complexity", type=int, required=True)
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args(argv)
    limit = args.max_complexity
    offenders = [line for path in python_files(args.targets) for line in too_complex(path, limit)]
    print("\n".join(offenders) or f"mccabe: every function is at most {args.max_complexity}")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
