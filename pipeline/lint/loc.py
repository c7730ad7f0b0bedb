"""Count lines of code: neither blank lines, comments nor docstrings (the serving budget's unit)."""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tokenize

from pipeline.lint.complexity import python_files

_NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
             tokenize.ENCODING, tokenize.ENDMARKER}


def _docstring_lines(tree: ast.Module) -> set[int]:
    """The lines of every module, class and function docstring."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def code_lines(source: str) -> int:
    """How many lines hold a token of code that is not part of a docstring."""
    docstrings = _docstring_lines(ast.parse(source))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def count(targets: list[str]) -> int:
    """The lines of code of every .py file under `targets`."""
    return sum(code_lines(path.read_text(encoding="utf-8")) for path in python_files(targets))


def main(argv: list[str] | None = None) -> int:
    """Print the count and exit 1 when it is over the budget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, required=True, help="the budget, in lines of code")
    parser.add_argument("targets", nargs="+")
    args = parser.parse_args(argv)
    total = count(args.targets)
    print(f"{' '.join(args.targets)}: {total} lines of code (budget {args.max})")
    return 1 if total > args.max else 0


if __name__ == "__main__":
    sys.exit(main())
