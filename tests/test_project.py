"""The project is the folder linkwell runs in: found from the working folder or --project, and
``linkwell new`` writes one that builds, names its own repository everywhere, and validates."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from linkwell import project as project_module
from linkwell.cli import cli
from tests.conftest import CHECKOUT, VALID_ENTRY


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_the_project_is_found_from_any_folder_inside_it(project):
    (project.root / "directory" / "lewisham").mkdir()
    assert project_module.find(project.root / "directory" / "lewisham").root == project.root
    assert project_module.find().root == project.root  # the fixture's working folder
    assert project.directory == project.root / "directory"
    assert project.sources_file == project.root / "harvesters" / "sources.yml"


def test_outside_a_project_commands_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "No Linkwell project here" in result.output and "--project DIR" in result.output


def test_project_option_names_another_folder(project, tmp_path, monkeypatch):
    from linkwell.listings.store import dump_entry
    folder = project.directory / "lewisham"
    folder.mkdir()
    (folder / f"{VALID_ENTRY['id']}.yml").write_text(dump_entry(VALID_ENTRY), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(cli, ["--project", str(project.root), "validate"])
    assert result.exit_code == 0, result.output
    assert "Checked 1 listing files: 0 errors" in result.output
    bad = CliRunner().invoke(cli, ["--project", str(tmp_path), "validate"])
    assert bad.exit_code == 2 and "is not a Linkwell project" in bad.output


def test_new_refuses_a_folder_that_has_files(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["new", str(tmp_path / "busy")])
    assert result.exit_code == 2 and "not empty" in result.output
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_new_project_names_its_own_repository_everywhere(project):
    url = "https://github.com/example/linkwell-test"
    config = yaml.safe_load((project.root / "mkdocs.yml").read_text())
    assert config["repo_url"] == url and config["site_name"] == "Linkwell Test"
    forms = yaml.safe_load((project.root / ".github" / "ISSUE_TEMPLATE" / "config.yml").read_text())
    assert all(link["url"].startswith(url) for link in forms["contact_links"])
    texts = [p.read_text() for p in project.root.rglob("*") if p.is_file()]
    assert not any("linkwell-london/linkwell/" in t or "linkwell-london/linkwell)" in t for t in texts
                   if "pip install" not in t and "pipx install" not in t)
    assert not (project.root / ".github" / "workflows" / "tests.yml").exists()
    requirement = (project.root / ".github" / "linkwell-requirement.txt").read_text()
    assert "linkwell @ git+https://github.com/linkwell-london/linkwell" in requirement


def test_this_repository_names_its_repository_once():
    """mkdocs.yml's repo_url is the address; the issue-form config (read by GitHub as it is) must agree,
    and the pages say {{ repo_url }}, which the plugin fills in."""
    url = yaml.safe_load((CHECKOUT / "mkdocs.yml").read_text())["repo_url"]
    forms = yaml.safe_load((CHECKOUT / ".github" / "ISSUE_TEMPLATE" / "config.yml").read_text())
    assert all(link["url"].startswith(url + "/") for link in forms["contact_links"])
    pages = "".join(p.read_text() for p in (CHECKOUT / "site_src").glob("*.md"))
    assert url not in pages and "{{ repo_url }}" in pages


def test_new_project_builds_with_the_address_filled_in(project):
    result = invoke("build")
    assert result.exit_code == 0, result.output
    page = (project.site_dir / "add-your-group" / "index.html").read_text()
    assert "https://github.com/example/linkwell-test/issues/new" in page and "{{ repo_url }}" not in page
    assert (project.site_dir / "schema" / "entry.schema.json").is_file()
