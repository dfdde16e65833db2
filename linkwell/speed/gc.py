"""``no_gc()``: pause the cyclic garbage collector while building many small acyclic objects."""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def no_gc():
    """Pause the cyclic garbage collector while building many small acyclic objects (YAML nodes,
    cached entries, feed records): its passes only cost time there; reference counting still frees
    memory. The objects are frozen before the collector resumes, or its next pass would walk them
    all (0.2 s at 20,000 entries)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
