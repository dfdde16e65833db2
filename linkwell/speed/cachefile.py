"""Versioned cache files: the one way Linkwell keeps work between runs.

``read(path, version)`` returns the data saved with that version, or ``{}`` when the file is
missing, unreadable or from another version (a cache that cannot be read only costs time).
``write(path, version, data)`` saves atomically (temporary file, then rename) and never raises
for an unwritable cache. Data is plain dicts, lists, tuples and scalars, stored with ``marshal``
(about ten times faster than pickle for these).

``read_sharded(path, version)`` / ``write_sharded(path, version, data, changed)`` keep a large
``{str key: value}`` cache in ``SHARDS`` files (``<path>.<n>``) and rewrite only the files holding
a changed key, so a rebuild after one edit does not rewrite tens of megabytes.

``cache_dir()`` is where caches live: ``$LINKWELL_CACHE_DIR``, else ``.linkwell-cache/`` in the
project (``linkwell.project``), else in the working folder. ``for_output(out_dir)`` is the folder
there for the caches of a build into ``out_dir`` (never inside it: a host publishes all it holds).
``template_cache()`` is a Jinja bytecode cache there, so templates (ours and Material's) are
compiled once, not on every build; Jinja checks each template's source, so an edited template is
compiled again.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import zlib
from pathlib import Path

from linkwell import project

SHARDS = 16


def cache_dir() -> Path:
    if os.environ.get("LINKWELL_CACHE_DIR"):
        return Path(os.environ["LINKWELL_CACHE_DIR"])
    try:
        return project.find().cache_dir
    except project.ProjectNotFound:
        return Path.cwd() / ".linkwell-cache"


def for_output(out_dir: Path) -> Path:
    """The cache folder of builds into ``out_dir`` (one per output folder, named by its path)."""
    key = hashlib.sha256(str(Path(out_dir).resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "build" / key


def template_cache():
    import jinja2

    folder = cache_dir() / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


_ERRORS = (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError)


def read(path: Path, version: str) -> dict:
    try:
        with open(path, "rb") as f:
            raw = f.read()  # marshal.load(f) reads in small pieces: far slower than loads of the whole
        cached = marshal.loads(raw)
        return cached["data"] if cached.get("version") == version else {}
    except _ERRORS:
        return {}


def write(path: Path, version: str, data) -> None:
    payload = {"version": version, "data": data}
    try:
        blob = marshal.dumps(payload)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(path).with_name(f"{Path(path).name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except _ERRORS:
        pass


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % SHARDS


def read_sharded(path: Path, version: str) -> dict:
    """Every readable shard's data merged (a missing or stale shard only costs recomputing its keys)."""
    data: dict = {}
    for n in range(SHARDS):
        data.update(read(Path(f"{path}.{n}"), version))
    return data


def write_sharded(path: Path, version: str, data: dict, changed=None) -> None:
    """Write the shards holding a key of ``changed`` (added, updated or removed keys; None: all)."""
    dirty = set(range(SHARDS)) if changed is None else {shard_of(key) for key in changed}
    if not dirty:
        return
    parts: dict[int, dict] = {n: {} for n in dirty}
    for key, value in data.items():
        part = parts.get(shard_of(key))
        if part is not None:
            part[key] = value
    for n, part in parts.items():
        write(Path(f"{path}.{n}"), version, part)
