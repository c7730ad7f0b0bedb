"""pipeline.core.cmd: real processes keep stdout and stderr apart; recorders see every call."""

from __future__ import annotations

import sys

import pytest

from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder


def test_stdout_and_stderr_stay_apart_and_stdin_is_fed() -> None:
    script = "import sys; print(sys.stdin.read().upper()); print('warned', file=sys.stderr)"
    result = cmd.run([sys.executable, "-c", script], stdin="secret")
    assert (result.returncode, result.stdout, result.stderr) == (0, "SECRET\n", "warned\n")
    assert "secret" not in str(result.command)


def test_failure_names_the_command_and_its_last_stderr_line() -> None:
    script = "import sys; print('first', file=sys.stderr); print('last', file=sys.stderr); exit(3)"
    with pytest.raises(cmd.CommandFailed, match=r"exited 3: last$") as caught:
        cmd.run([sys.executable, "-c", script])
    assert caught.value.result.returncode == 3
    assert not cmd.run([sys.executable, "-c", script], check=False).ok


def test_a_missing_program_is_exit_127_not_a_traceback() -> None:
    result = cmd.run(["no-such-program-here"], check=False)
    assert result.returncode == 127
    assert "command not found" in result.stderr


def test_environment_additions_reach_the_child() -> None:
    printed = cmd.output([sys.executable, "-c", "import os; print(os.environ['CMD_TEST'])"],
                         env={"CMD_TEST": "yes"})
    assert printed == "yes"


def test_using_records_instead_of_running() -> None:
    recorder = Recorder(lambda command: (0, "recorded\n", ""))
    with cmd.using(recorder):
        assert cmd.output(["docker", "info"]) == "recorded"
    assert recorder.argvs() == [["docker", "info"]]
    assert cmd.run([sys.executable, "-c", "print(1)"]).stdout == "1\n"  # real again outside
