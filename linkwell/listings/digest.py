"""``entry_digest(entry)``: a short hex digest of an entry dict's content, the cache key of every
incremental build step (entry pages, feeds, search index).

Accepts a validated entry (plain dicts, lists, strings, numbers, booleans, None). Equal entries
(same keys in the same order, same values) give the same digest in every process and run:
``marshal`` format 0 writes no references and no interning flags, so its bytes depend on the
content only. ``publish`` computes each digest once and hands them to the feed and search writers.
"""

from __future__ import annotations

import hashlib
import marshal


def entry_digest(entry: dict) -> str:
    return hashlib.blake2b(marshal.dumps(entry, 0), digest_size=16).hexdigest()
