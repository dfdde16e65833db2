"""Versioned cache files: the one way Linkwell keeps work between runs.

``read(path, version)`` returns the data saved with that version, or ``{}`` when the file is
missing, unreadable or from another version (a cache that cannot be read only costs time).
``write(path, version, data)`` saves atomically (temporary file, then rename) and never raises
for an unwritable cache. Data is plain dicts, lists, tuples and scalars, stored with ``marshal``
(about ten times faster than pickle for these); ``codec="pickle"`` stores other objects.

``cache_dir()`` is where caches live: ``$LINKWELL_CACHE_DIR``, else ``.linkwell-cache/`` in the
working folder. ``template_cache()`` is a Jinja bytecode cache there, so templates (ours and
Material's) are compiled once, not on every build; Jinja checks each template's source, so an
edited template is compiled again.
"""

from __future__ import annotations

import marshal
import os
import pickle
from pathlib import Path


def cache_dir() -> Path:
    return Path(os.environ.get("LINKWELL_CACHE_DIR") or Path.cwd() / ".linkwell-cache")


def template_cache():
    import jinja2

    folder = cache_dir() / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


_ERRORS = (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError, pickle.PickleError)


def read(path: Path, version: str, codec: str = "marshal") -> dict:
    try:
        with open(path, "rb") as f:
            raw = f.read()  # marshal.load(f) reads in small pieces: far slower than loads of the whole
        cached = marshal.loads(raw) if codec == "marshal" else pickle.loads(raw)
        return cached["data"] if cached.get("version") == version else {}
    except _ERRORS:
        return {}


def write(path: Path, version: str, data, codec: str = "marshal") -> None:
    payload = {"version": version, "data": data}
    try:
        blob = marshal.dumps(payload) if codec == "marshal" else pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(path).with_name(f"{Path(path).name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except _ERRORS:
        pass
