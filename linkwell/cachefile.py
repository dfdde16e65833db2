"""Versioned cache files: the one way Linkwell keeps work between runs.

``read(path, version)`` returns the data saved with that version, or ``{}`` when the file is
missing, unreadable or from another version (a cache that cannot be read only costs time).
``write(path, version, data)`` saves atomically (temporary file, then rename) and never raises
for an unwritable cache. Data is plain dicts, lists, tuples and scalars, stored with ``marshal``
(about ten times faster than pickle for these); ``codec="pickle"`` stores other objects.
"""

from __future__ import annotations

import marshal
import os
import pickle
from pathlib import Path

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
