"""template.render: how a rendering is held to its tree (copier itself runs in gates)."""

from __future__ import annotations

from pathlib import Path

from template import render


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_machinery_is_copier_yml_the_jinja_twins_and_the_template_folder() -> None:
    assert render.machinery("copier.yml") and render.machinery("README.md.jinja")
    assert render.machinery("template/render.py")
    assert not render.machinery("README.md") and not render.machinery("pipeline/copier.py")


def test_a_rendering_equal_to_the_tree_has_no_difference(tmp_path: Path) -> None:
    files = {"a.txt": "a\n", "d/b.py": "b\n"}
    tree = _tree(tmp_path / "tree", {**files, "a.txt.jinja": "{{ x }}", "copier.yml": "x: 1"})
    rendered = _tree(tmp_path / "out", {**files, render.ANSWERS_FILE: "_commit: x\n"})
    assert render.differences(rendered, tree, [*files, "a.txt.jinja", "copier.yml"]) == []


def test_each_kind_of_difference_is_named(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree", {"same.txt": "s", "changed.txt": "old", "lost.txt": "l"})
    rendered = _tree(tmp_path / "out", {"same.txt": "s", "changed.txt": "new", "extra.txt": "e"})
    (tree / "same.txt").chmod(0o755)
    lines = render.differences(rendered, tree, ["same.txt", "changed.txt", "lost.txt"])
    assert lines == ["lost.txt: in the tree, not rendered", "extra.txt: rendered, not in the tree",
                     "changed.txt: rendered differently (its .jinja twin or copier.yml's defaults "
                     "no longer agree with it)", "same.txt: rendered with another file mode"]


def test_each_answer_a_twin_names_must_be_in_its_rendering(tmp_path: Path) -> None:
    names = ["a.txt", "a.txt.jinja", "b.txt", "b.txt.jinja",
             "{{ _copier_conf.answers_file }}.jinja"]
    tree = _tree(tmp_path / "tree", {
        "a.txt": "echo\nold words\n", "a.txt.jinja": "{{ service_name }} {{ description }}",
        "b.txt": "echo", "b.txt.jinja": "{{ service_name }}"})
    answers = {"service_name": "probe-name", "description": "Probe words."}
    probe = _tree(tmp_path / "probe", {"a.txt": "probe-name\nold words\n", "b.txt": "probe-name"})
    assert render.twins(names) == ["a.txt", "b.txt"]
    assert render.unanswered(probe, tree, names, answers) == [
        "a.txt: its .jinja twin names description but the rendering lacks 'Probe words.' (the "
        "text it replaces is no longer in the plain file)"]


def test_a_template_only_block_is_the_one_difference_a_rendering_may_have(tmp_path: Path) -> None:
    block = "<!-- template-only: x -->\nAbout the template.\n<!-- /template-only -->\n\n"
    tree = _tree(tmp_path / "tree", {"README.md": f"# a\n\n{block}Rest.\n",
                                     "other.md": f"{block}Rest.\n"})
    rendered = _tree(tmp_path / "out", {"README.md": "# a\n\nRest.\n",
                                        "other.md": f"{block}Rest, changed.\n"})
    assert render.differences(rendered, tree, ["README.md", "other.md"]) == [
        "other.md: rendered differently (its .jinja twin or copier.yml's defaults no longer "
        "agree with it)"]
