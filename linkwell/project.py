"""Which project ``linkwell`` works on: the folder it runs in, as with MkDocs.

A project is a folder holding ``mkdocs.yml``. ``find()`` looks for one in the working folder and
its parents (``--project DIR`` or ``$LINKWELL_PROJECT`` name it instead); every path Linkwell reads
or writes (listings, sources, pages, caches) comes from the ``Project`` it returns, never from
where the package is installed. ``linkwell new`` writes a fresh project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "mkdocs.yml"


class ProjectNotFound(Exception):
    """No ``mkdocs.yml`` in the folder given or any folder above it."""


@dataclass(frozen=True)
class Project:
    """A Linkwell project folder and the paths inside it."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def directory(self) -> Path:
        """The listings: ``directory/<borough>/<id>.yml``."""
        return self.root / "directory"

    @property
    def sources_file(self) -> Path:
        """What ``linkwell harvest`` fetches."""
        return self.root / "harvesters" / "sources.yml"

    @property
    def docs_dir(self) -> Path:
        """Hand-written pages (``docs_dir`` in mkdocs.yml)."""
        return self.root / "site_src"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def cache_dir(self) -> Path:
        """Caches and harvest state: ``$LINKWELL_CACHE_DIR``, else ``.linkwell-cache/``."""
        return Path(os.environ.get("LINKWELL_CACHE_DIR") or self.root / ".linkwell-cache")

    @property
    def harvest_state_dir(self) -> Path:
        return self.cache_dir / "harvest"


def find(start: Path | str | None = None) -> Project:
    """The project holding ``start`` (default: the working folder) or the nearest folder above it
    with a ``mkdocs.yml``; with no ``start``, ``$LINKWELL_PROJECT`` (set by ``--project``) wins.

    Raises ``ProjectNotFound`` with a sentence saying what to do.
    """
    named = os.environ.get("LINKWELL_PROJECT") if start is None else None
    if named:
        return exactly(named)
    origin = Path(start or Path.cwd()).resolve()
    for folder in (origin, *origin.parents):
        if (folder / CONFIG_FILE).is_file():
            return Project(folder)
    raise ProjectNotFound(f"No Linkwell project here: neither {origin} nor any folder above it has a "
                          f"{CONFIG_FILE}. Run linkwell inside a project, pass --project DIR, or create one "
                          "with `linkwell new DIR`.")


def exactly(root: Path | str) -> Project:
    """The project whose root is ``root`` (no search upwards)."""
    origin = Path(root).resolve()
    if not (origin / CONFIG_FILE).is_file():
        raise ProjectNotFound(f"{origin} is not a Linkwell project: it has no {CONFIG_FILE} "
                              "(create one with `linkwell new DIR`).")
    return Project(origin)


def use(root: Path | str) -> Project:
    """Make ``root`` the project for this process and the processes it starts (``--project``)."""
    project = exactly(root)
    os.environ["LINKWELL_PROJECT"] = str(project.root)
    return project
