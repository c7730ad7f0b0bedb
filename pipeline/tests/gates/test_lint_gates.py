"""Each static gate fails when its defect is planted in an otherwise clean copy.

Defects go into serving/, which every service made from the template has, so the gates bite
the same way whatever API app/ holds.
"""

from __future__ import annotations

import re
import sys

from pipeline.tests.support.tree import Tree, failed, passed

COMPLEX = "\n\ndef tangled(x):\n" + "".join(
    f"    if x == {i}:\n        return {i}\n" for i in range(11)
) + "    return -1\n"


def test_clean_copy_passes_lint(tree: Tree) -> None:
    passed(tree.nox("-s", "lint"))


def test_unused_import_fails_lint(tree: Tree) -> None:
    tree.plant("serving/endpoints.py", "\nimport textwrap  # planted\n")
    output = failed(tree.nox("-s", "lint"))
    assert "'textwrap' imported but unused" in output


def test_long_line_fails_pycodestyle(tree: Tree) -> None:
    tree.plant("serving/endpoints.py", "\nPLANTED = '" + "x" * 120 + "'\n")
    assert "E501" in failed(tree.nox("-s", "pycodestyle"))


def test_complex_function_fails_mccabe(tree: Tree) -> None:
    tree.plant("serving/bodies.py", COMPLEX)
    assert "tangled has complexity 12 > 10" in failed(tree.nox("-s", "mccabe"))


def test_pylint_finding_fails_the_10_gate(tree: Tree) -> None:
    tree.plant("serving/endpoints.py", "\n\ndef planted(a):\n    return a\n")
    assert "missing-function-docstring" in failed(tree.nox("-s", "pylint"))


def test_pylint_error_fails_even_with_no_score_floor(tree: Tree) -> None:
    tree.plant("serving/endpoints.py",
               '\n\ndef planted() -> None:\n    """P."""\n    print(nowhere)\n')
    result = tree.run(
        sys.executable, "-m", "pylint", "--rcfile=.pylintrc", "--fail-under=-100", "serving"
    )
    assert "undefined-variable" in failed(result)


def test_type_error_fails_mypy(tree: Tree) -> None:
    tree.plant("serving/bodies.py", '\n\ndef planted() -> int:\n    """P."""\n    return "text"\n')
    output = failed(tree.nox("-s", "mypy"))
    assert 'Incompatible return value type (got "str", expected "int")' in output
    assert "serving/bodies.py" in output


def test_shell_injection_fails_bandit(tree: Tree) -> None:
    tree.plant(
        "serving/endpoints.py",
        "\nimport subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
    )
    assert "B602" in failed(tree.nox("-s", "bandit"))


def test_coverage_below_the_floor_fails_tests(tree: Tree) -> None:
    # An untested function, so the stack is below 100 % whatever the rest reaches.
    tree.plant("serving/endpoints.py", '\n\ndef planted() -> int:\n    """P."""\n    return 1\n')
    pyproject = tree.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(" serving = 95,", " serving = 100,"))
    # The planted lines count against serving/'s size budget too: room for them, so only the
    # coverage floor can fail.
    budget = tree.path / "pipeline/tests/unit/test_loc.py"
    budget.write_text(re.sub(r"SERVING_BUDGET = \d+", "SERVING_BUDGET = 100_000",
                             budget.read_text()))
    output = failed(tree.nox("-s", "tests-3.11"))
    assert "Coverage failure: total of" in output
    assert "--include=serving/*' --fail-under=100" in output


def test_stale_lock_fails_the_lock_check(tree: Tree) -> None:
    pyproject = tree.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        '    "python-dotenv>=1.0",\n', '    "python-dotenv>=1.0",\n    "six>=1.16",\n', 1))
    output = failed(tree.nox("-s", "lock", "--", "--check"))
    assert "needs to be updated" in output or "does not match" in output
