"""pipeline.container.containers: the hardened run and docker_smoke's verdict."""

from __future__ import annotations

import pytest

from pipeline.container import containers
from pipeline.core import cmd
from pipeline.tests.support.recorder import Recorder

GOOD = containers.Observation(10001, "healthy", frozenset({"flask", "granian"}), 0, 0.4)


def test_a_well_behaved_image_has_no_problems() -> None:
    assert not GOOD.problems()
    assert GOOD.summary() == "uid 10001, HEALTHCHECK healthy, SBOM of 2 components, " \
                             "SIGTERM exit 0 in 0.40 s"


@pytest.mark.parametrize(("changes", "problem"), [
    ({"uid": 0}, "the server runs as root"),
    ({"health": "unhealthy"}, "HEALTHCHECK says unhealthy"),
    ({"components": frozenset({"granian"})}, "the image carries no SBOM listing flask"),
    ({"exit_code": 137}, "SIGTERM exit code 137"),
    ({"stop_seconds": 10.5}, "SIGTERM took 10.5 s"),
])
def test_each_shortfall_is_named(changes: dict[str, object], problem: str) -> None:
    fields = {**GOOD.__dict__, **changes}
    assert containers.Observation(**fields).problems() == [problem]


def test_every_shortfall_is_reported_together() -> None:
    bad = containers.Observation(0, "unhealthy", frozenset(), 1, 11.0)
    assert len(bad.problems()) == 5


def test_the_run_is_read_only_without_capabilities_on_loopback() -> None:
    argv = containers.run_command("echo:latest", "box", 8123, ["--memory", "256m"])
    joined = " ".join(argv)
    for flag in ("--read-only", "--cap-drop ALL", "--security-opt no-new-privileges",
                 "--network host", "--env HOST=127.0.0.1", "--env PORT=8123",
                 "--env TRUSTED_HOSTS=127.0.0.1"):
        assert flag in joined
    assert argv[-3:] == ["--memory", "256m", "echo:latest"]


def test_the_api_settings_pass_by_name_so_no_value_is_in_argv() -> None:
    argv = containers.run_command("echo:latest", "box", 8123, settings=["SHOP_KEY"])
    assert argv[argv.index("SHOP_KEY") - 1] == "--env"
    assert "/tmp:rw,noexec" in argv  # the one writable place, as on Cloud Foundry


def test_start_cli_says_in_one_line_why_docker_run_failed(
        capsys: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder(lambda _c: (125, "", "Unable to find image 'nope:latest' locally\n"))
    with cmd.using(recorder), pytest.raises(SystemExit) as exited:
        containers.main(["start", "nope:latest"])
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Unable to find image" in err
    assert recorder.argvs()[0][1:3] == ["image", "inspect"]  # the API's settings come first
