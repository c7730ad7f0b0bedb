"""The template gates: the self-render check bites, and an update brings the pipeline's changes,
keeps the owner's, moves what a migration moves, and never lets a conflict through."""

from __future__ import annotations

from pathlib import Path

import pytest

from template.render import commit, render, snapshot
from pipeline.tests.support.tree import Tree, failed, passed

SHOP = {"service_name": "shop", "description": "Sells things."}
OWNER_EDIT = "\n# the owner's own line\n"
PIPELINE_FIX = "\n# a pipeline fix of the newer template version\n"
MIGRATION = """_migrations:
  - version: v2.1.0
    when: "{{ _stage == 'before' }}"
    command: [python3, "{{ _copier_conf.src_path }}/template/migrate.py",
              move, tests/probes.toml, tests/service/probes.toml]
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_default_that_no_longer_matches_its_file_fails_the_template_check(tree: Tree) -> None:
    _edit(tree.path / "copier.yml", "  default: A Flask {{ service_name }} microservice",
          "  default: A Flask {{ service_name }} parrot microservice")
    output = failed(tree.nox("-s", "template"))
    assert "template: pyproject.toml: rendered differently" in output
    assert "template: README.md: rendered differently" in output


def test_a_plain_file_that_moved_under_its_twin_fails_the_template_check(tree: Tree) -> None:
    _edit(tree.path / "manifest.yml", "  - name: echo\n", "  - name: echo  # the app\n")
    output = failed(tree.nox("-s", "template"))
    # The twin's other replacement (the bound settings instance) still changes the file, so the
    # render check passes it; the rendered service's own check names what stayed echo.
    assert "FAILED template/tests/unit/test_answers.py::test_the_manifest_and_the_dockerfile_" \
        "never_say_echo" in output


@pytest.fixture
def releases(tmp_path: Path) -> Tree:
    """The template as released at v2.0.0, in a repository of its own."""
    return Tree(snapshot(tmp_path / "template", "v2.0.0"))


def _release(template: Tree, tag: str) -> None:
    commit(template.path, f"template {tag}")
    assert template.run("git", "tag", tag).returncode == 0


@pytest.fixture
def shop(releases: Tree, tmp_path: Path) -> Tree:
    """A service made from v2.0.0, committed, then edited and committed by its owner."""
    service = Tree(render(tmp_path / "shop", SHOP, releases.path, vcs_ref="v2.0.0"))
    service.run("git", "init", "-q")
    service.commit("start shop from the template")
    service.plant("app/views.py", OWNER_EDIT)
    _edit(service.path / "tests" / "probes.toml", 'path = "/echo/hello?lang=en-GB"',
          'path = "/echo/shop?lang=en"')
    service.commit("the owner's edits")
    return service


def test_an_update_brings_the_pipeline_and_keeps_the_owners_work(
        releases: Tree, shop: Tree) -> None:
    template = releases.path
    releases.plant("pipeline/lint/complexity.py", PIPELINE_FIX)
    releases.plant("app/views.py", "\n# the echo example changed too\n")
    releases.run("git", "mv", "docs/build-type.md", "docs/slsa-build-type.md")
    _edit(template / "copier.yml", "_migrations: []\n", MIGRATION)
    _release(releases, "v2.1.0")

    output = passed(shop.nox("-s", "update"))
    assert "Updating to template version 2.1.0" in output
    assert "What the template changed since v2.0.0 (CHANGELOG.md):\n\n## [Unreleased]" in output
    assert "migrate: moved tests/probes.toml to tests/service/probes.toml" in output
    service = shop.path
    assert (service / "pipeline/lint/complexity.py").read_text().endswith(PIPELINE_FIX)
    assert (service / "docs/slsa-build-type.md").is_file()
    assert not (service / "docs/build-type.md").exists()
    routes = (service / "app/views.py").read_text()
    assert routes.endswith(OWNER_EDIT) and "echo example changed" not in routes
    assert 'path = "/echo/shop?lang=en"' in (service / "tests/service/probes.toml").read_text()
    assert "_commit: v2.1.0" in (service / ".copier-answers.yml").read_text()
    assert "conflicts: none in" in passed(shop.nox("-s", "conflicts"))


def test_what_an_update_cannot_merge_fails_the_conflict_check(
        releases: Tree, shop: Tree) -> None:
    line = "Run the whole pipeline (needs only"
    _edit(shop.path / "README.md", line, "Run all of it (needs only")
    shop.commit("the owner rewords the README")
    _edit(releases.path / "README.md", line, "Run every gate (needs only")
    _release(releases, "v2.1.0")

    passed(shop.nox("-s", "update"))  # copier merges what it can and marks the rest
    output = failed(shop.nox("-s", "conflicts"))
    assert "conflicts: README.md:" in output and "conflict marker an update left" in output
    assert "conflicts: none" not in output


def test_an_update_on_a_dirty_tree_names_the_files_and_what_to_do(shop: Tree) -> None:
    shop.plant("deploy/vars.production.yml", "route: shop.example.com\n")  # docs/deploy.md's step
    shop.plant("notes.txt", "the owner's\n")
    output = failed(shop.nox("-s", "update"))
    assert "update: 1 file(s) not committed (notes.txt): commit them, or set them aside" in output
    assert "Traceback" not in output and "Destination repository is dirty" not in output


def test_the_template_itself_has_nothing_to_update_from(tree: Tree) -> None:
    output = failed(tree.nox("-s", "update"))
    assert ".copier-answers.yml is missing: only a service made from the template" in output
    assert "Traceback" not in output
