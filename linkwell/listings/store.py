"""Writing listing files: the one place that writes ``directory/``.

``dump_entry(entry)`` renders an entry as YAML deterministically (fields, and keys inside them, in
schema order; block style, UTF-8, long text folded the same way every time), so a
rewrite of unchanged data is byte-identical and a git diff shows only real changes.
``write_entries(root, entries, files)`` writes a batch all-or-nothing, even across ``kill -9``,
under the project's write lock (``linkwell.listings.journal``, ``linkwell.listings.lock``).
``entry_path(root, entry)`` is ``root/<borough>/<id>.yml``. Callers (merge for harvests,
submissions for forms) validate before they write; this module never deletes a listing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from linkwell import project
from linkwell.listings import journal, lock
from linkwell.listings.loader import load_entry_text
from linkwell.reference import schema
from linkwell.speed import cachefile


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """libyaml's emitter (about 6x faster than PyYAML's): block style, long text folded (``>-``)."""


def _represent_str(dumper, value: str):
    style = ">" if len(value) > 90 and "\n" not in value and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _ordered(value, node: dict | None):
    """Dict keys in schema order (unknown keys after, sorted), recursively."""
    if isinstance(value, list):
        items = (node or {}).get("items")
        return [_ordered(v, items) for v in value]
    if not isinstance(value, dict):
        return value
    properties = (node or {}).get("properties", {})
    keys = [k for k in properties if k in value] + sorted(k for k in value if k not in properties)
    return {k: _ordered(value[k], properties.get(k)) for k in keys}


@cache
def _resolved_schema() -> dict:
    """The entry schema with local ``$ref``s inlined, to read property orders from."""
    root = schema.load("entry.schema.json")

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node and node["$ref"].startswith("#/$defs/"):
                return inline(root["$defs"][node["$ref"].rsplit("/", 1)[-1]])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return inline(root)


def dump_entry(entry: dict) -> str:
    """The entry as YAML text, identical for identical data."""
    return yaml.dump(_ordered(entry, _resolved_schema()), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100, indent=2)


def entry_path(root: Path, entry: dict) -> Path:
    return Path(root) / entry["borough"] / f"{entry['id']}.yml"


def lock_folder() -> Path:
    """Where the write lock and journal live: the folder of the lock this process holds, else the
    cache folder of the project around the working folder (or ``$LINKWELL_CACHE_DIR``)."""
    held = lock.held_folder()
    if held is not None:
        return held
    try:
        return project.find().cache_dir
    except project.ProjectNotFound:
        return cachefile.cache_dir()


def write_entries(root: Path, entries: list[dict], texts: dict[str, str] | None = None,
                  files: dict[Path, bytes] | None = None, cache_dir: Path | None = None,
                  wait: float = lock.DEFAULT_WAIT) -> list[Path]:
    """Write entries (and ``files``: other paths with their bytes, such as harvest state) as one
    batch, all or nothing even across a crash; returns the listing paths whose content changed.
    ``texts`` may give entries' ``dump_entry`` text (by id) that the caller made and read back already.

    Holds the project's write lock (``linkwell.listings.lock``) meanwhile, taking it unless this process
    already does, and writes through ``linkwell.listings.journal`` (staged files, fsync, a commit point).
    """
    batch: dict[Path, bytes] = {}
    for entry in entries:
        target = entry_path(root, entry)
        text = (texts or {}).get(entry["id"])
        if text is None:
            text = dump_entry(entry)
            if load_entry_text(text).data != entry:
                raise ValueError(f"{target.name}: the listing would not read back exactly as written "
                                 "(unusual characters?); nothing was written")
        batch[target] = text.encode("utf-8")
    listings = set(batch)
    for path, data in (files or {}).items():
        batch[Path(path)] = data
    cache_dir = Path(cache_dir) if cache_dir is not None else lock_folder()
    with lock.hold(cache_dir, wait=wait):
        written = journal.write_batch(batch, cache_dir / lock.JOURNAL_DIR)
    return [path for path in written if path in listings]
