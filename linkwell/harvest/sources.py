"""The sources file (``harvesters/sources.yml``): read it safely and check it.

``load_sources(path)`` returns a list of ``Source`` (every source, enabled or not) or raises
``SourcesError`` whose lines name the field (``sources[2].mapping.Zumba[0]``) and what to do.
The file is checked against ``schema/sources.schema.json`` and then for unique ids, real borough
slugs, and mapping values that exist in our categories/activities vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from linkwell.reference import schema
from linkwell.reference.boroughs import BOROUGHS


class SourcesError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Source:
    """One configured source; ``raw`` is its dict from the sources file."""

    raw: dict
    base_dir: Path = field(default_factory=Path)

    id = property(lambda self: self.raw["id"])
    kind = property(lambda self: self.raw["kind"])
    title = property(lambda self: self.raw.get("title"))
    url = property(lambda self: self.raw.get("url"))
    enabled = property(lambda self: self.raw.get("enabled", True))
    borough = property(lambda self: self.raw.get("borough"))
    licence = property(lambda self: self.raw["licence"])
    attribution = property(lambda self: self.raw["attribution"])
    mapping = property(lambda self: self.raw.get("mapping") or {})
    default_categories = property(lambda self: self.raw.get("default_categories") or [])
    defaults = property(lambda self: self.raw.get("defaults") or {})
    http = property(lambda self: self.raw.get("http") or {})
    geocoder = property(lambda self: self.raw.get("geocoder") or {})

    def option(self, section: str, name: str, default=None):
        return (self.raw.get(section) or {}).get(name, default)

    @property
    def path(self) -> Path | None:
        value = self.raw.get("path")
        if value is None:
            return None
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path

    @property
    def location(self) -> str:
        return self.url or str(self.path)


def _field(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def check_sources(data, where: str = "sources file", base_dir: Path | None = None) -> list[Source]:
    """Check an already-parsed sources document; see ``load_sources``."""
    problems = []
    for error in sorted(schema.validator("sources.schema.json").iter_errors(data), key=lambda e: list(e.path)):
        message = error.message
        if error.validator == "oneOf":
            message = "give exactly one of url (to download) or path (a local file)"
        elif error.validator == "additionalProperties":
            message = f"{message}; check the spelling against schema/sources.schema.json"
        problems.append(f"{where}: {_field(error.path)}: {message}")
    if problems:
        raise SourcesError(problems)
    categories = set(schema.vocabulary("categories")) | set(schema.vocabulary("activities"))
    seen = set()
    for i, raw in enumerate(data["sources"]):
        if raw["id"] in seen:
            problems.append(f"{where}: sources[{i}].id: '{raw['id']}' is used by two sources; ids must be unique")
        seen.add(raw["id"])
        if "borough" in raw and raw["borough"] not in BOROUGHS:
            problems.append(f"{where}: sources[{i}].borough: '{raw['borough']}' is not a London borough slug "
                            "(see schema/entry.schema.json)")
        for label, values in (raw.get("mapping") or {}).items():
            for j, value in enumerate(values):
                if value not in categories:
                    problems.append(f"{where}: sources[{i}].mapping.{label}[{j}]: '{value}' is not one of our "
                                    "categories or activities")
    if problems:
        raise SourcesError(problems)
    return [Source(raw, base_dir or Path.cwd()) for raw in data["sources"]]


def load_sources(path: Path) -> list[Source]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError([f"{path}: cannot be read: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise SourcesError([f"{path}: is not UTF-8 text"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"{path}:{line + 1}" if line is not None else str(path)
        raise SourcesError([f"{where}: is not valid YAML ({getattr(exc, 'problem', None) or exc})"]) from None
    return check_sources(data, str(path), path.parent)
