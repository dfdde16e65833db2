"""``linkwell new DIR``: write a ready data repository for a borough, a CVS or a partner.

``linkwell new DIR [--name "Linkwell Hackney"] [--repo-url URL] [--site-url URL]`` creates DIR
(which must not exist or be empty) holding ``mkdocs.yml``, an empty ``directory/``,
``harvesters/sources.yml`` (example sources, all switched off), the hand-written pages in
``site_src/``, the GitHub workflows and issue forms in ``.github/``, a README and a .gitignore.
Everything comes from ``linkwell/project_template/`` inside the package: the same pages, forms and
workflows Linkwell London runs on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

TEMPLATE = Path(__file__).resolve().parent.parent / "project_template"
OUR_REPO_URL = "https://github.com/linkwell-london/linkwell"
ENGINE_ONLY = {"github/linkwell-requirement.txt",  # written from requirement.txt.in instead
               "github/workflows/tests.yml"}  # the engine's own test suite


def _copy_text(src: Path, dst: Path, replacements: dict[str, str]) -> None:
    text = src.read_text(encoding="utf-8")
    for old, new in replacements.items():
        text = text.replace(old, new)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text, encoding="utf-8")


def write_project(target: Path, name: str, repo_url: str, site_url: str) -> list[Path]:
    """Write a new project into ``target``; returns the files written."""
    values = {"{{name}}": name, "{{repo_url}}": repo_url, "{{site_url}}": site_url,
              "{{repo}}": repo_url.removeprefix("https://github.com/")}
    written: list[Path] = []
    templates = {"mkdocs.yml.in": "mkdocs.yml", "README.md.in": "README.md", "gitignore.in": ".gitignore",
                 "requirement.txt.in": ".github/linkwell-requirement.txt"}
    for src_name, dst_name in templates.items():
        _copy_text(TEMPLATE / src_name, target / dst_name, values)
        written.append(target / dst_name)
    link = {OUR_REPO_URL: repo_url}  # the pages, forms and workflows name this repository: point them at the new one
    for src_dir, dst_dir in (("site_src", "site_src"), ("github", ".github")):
        for src in sorted((TEMPLATE / src_dir).rglob("*")):
            if src.is_file() and src.relative_to(TEMPLATE).as_posix() not in ENGINE_ONLY:
                dst = target / dst_dir / src.relative_to(TEMPLATE / src_dir)
                _copy_text(src, dst, link)
                written.append(dst)
    _copy_text(TEMPLATE / "CONTRIBUTING.md", target / "CONTRIBUTING.md", link)
    written.append(target / "CONTRIBUTING.md")
    sources = target / "harvesters" / "sources.yml"
    sources.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATE / "sources.yml", sources)
    keep = target / "directory" / ".gitkeep"
    keep.parent.mkdir(parents=True, exist_ok=True)
    keep.touch()
    return [*written, sources, keep]


@click.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Linkwell", show_default=True, help="The site's name, e.g. 'Linkwell Hackney'.")
@click.option("--repo-url", default="https://github.com/OWNER/REPOSITORY", show_default=True,
              help="The GitHub repository that will hold this directory (issue forms and edits link there).")
@click.option("--site-url", default="", help="Where the site will be published (e.g. https://owner.github.io/repo/).")
def new(target, name, repo_url, site_url):
    """Create a new Linkwell directory (a data repository) in TARGET."""
    if target.exists() and any(target.iterdir()):
        raise click.UsageError(f"{target} already exists and is not empty: choose a new folder.")
    files = write_project(target, name, repo_url.rstrip("/"), site_url)
    click.echo(f"Wrote a new Linkwell directory to {target} ({len(files)} files).\n"
               f"Next: cd {target}, add listings under directory/<borough>/ (see README.md), then run "
               "`linkwell validate` and `linkwell build`.")
