"""What the answers change: `copier copy --defaults` with a name alone keeps no echo words."""

from __future__ import annotations

import re
import subprocess  # nosec B404 - copier's own CLI, as an owner runs it
import sys
import tomllib
from pathlib import Path

import pytest

from pipeline.core.paths import ROOT
from template import render

NAME = "inventory-api"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template rendered as an owner does who answers the name and accepts every default."""
    destination = tmp_path_factory.mktemp("service") / NAME
    copier = Path(sys.executable).with_name("copier")
    subprocess.run([str(copier), "copy", "--quiet", "--defaults", "--vcs-ref=HEAD",  # nosec B603
                    "--data", f"service_name={NAME}", str(ROOT), str(destination)],
                   check=True, capture_output=True)
    return destination


def test_the_project_is_named_and_described_after_the_service(service: Path) -> None:
    project = tomllib.loads((service / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == NAME
    assert NAME in project["description"] and "echo" not in project["description"].lower()


def test_the_manifest_and_the_dockerfile_never_say_echo(service: Path) -> None:
    manifest = (service / "manifest.yml").read_text(encoding="utf-8")
    assert f"- name: {NAME}\n" in manifest
    assert "echo" not in manifest.lower()
    assert "echo" not in (service / "Dockerfile").read_text(encoding="utf-8").lower()


def test_the_readme_is_the_services_own(service: Path) -> None:
    readme = (service / "README.md").read_text(encoding="utf-8")
    title, blank, description = readme.splitlines()[:3]
    assert (title, blank) == (f"# {NAME}", "")
    assert NAME in description and "echo" not in description.lower()
    # It speaks of the template it came from, never of itself as one.
    assert "template-only" not in readme and not re.search(r"(?i)also a\s+\[copier\]", readme)


def test_the_env_example_names_the_entry_point_the_service_has(service: Path) -> None:
    example = (service / ".env.example").read_text(encoding="utf-8")
    assert "python -m serving" in example and "python -m app" not in example
    assert (service / "serving" / "__main__.py").is_file()


def test_a_service_carries_none_of_the_templates_own_parts(service: Path) -> None:
    carried = render.rendered_files(service)
    assert not [name for name in carried if render.machinery(name)]
    assert "pipeline/tests/gates/test_update.py" not in carried
