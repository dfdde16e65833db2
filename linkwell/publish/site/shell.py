"""The page chrome (header, navigation, footer) shared by every page Linkwell renders itself.

MkDocs + Material render one page per URL depth whose front matter sets ``linkwell_shell: true``
(see ``theme/main.html``); its HTML holds ``@@LINKWELL:NAME@@`` slots. ``Shell(html)`` splits it
once into literal segments, and ``Shell.fill(title=..., description=..., head=..., content=...,
scripts=..., path=...)`` joins them with the values in a single pass, so text inside a value
that looks like a slot is never substituted again; ``Shell.fill_bytes(...)`` gives the same
page as UTF-8 bytes, ready to write, for a fraction of the cost of encoding ``fill``'s text.
``title``, ``description`` and ``path`` are plain text and are escaped here; ``head``,
``content`` and ``scripts`` must already be safe HTML (they come from ``linkwell.publish.site.render``).
"""

from __future__ import annotations

import hashlib
import html
import re

SLOTS = ("TITLE", "DESCRIPTION", "HEAD", "CONTENT", "SCRIPTS", "PATH")
_SLOT_RE = re.compile(r"@@LINKWELL:(" + "|".join(SLOTS) + r")@@")
FRONT_MATTER = """---
title: "@@LINKWELL:TITLE@@"
description: "@@LINKWELL:DESCRIPTION@@"
linkwell_shell: true
hide:
  - toc
---
"""


class ShellError(ValueError):
    pass


class Shell:
    def __init__(self, page_html: str, canonical_url: str | None = None, site_url: str | None = None):
        if canonical_url and site_url:
            page_html = page_html.replace(f'href="{canonical_url}"', f'href="{site_url.rstrip("/")}/@@LINKWELL:PATH@@"')
        parts = _SLOT_RE.split(page_html)
        self.literals = parts[0::2]
        self.slots = parts[1::2]
        if "CONTENT" not in self.slots:
            raise ShellError("the page shell has no content slot: is theme/main.html the custom_dir override?")
        self.digest = hashlib.blake2b(page_html.encode(), digest_size=16).hexdigest()
        self._encoded = [literal.encode("utf-8") for literal in self.literals]
        self._order = [SLOTS.index(slot) for slot in self.slots]  # each slot's place in _values()

    def _values(self, title, description, head, content, scripts, path) -> tuple[str, ...]:
        """The slot values in SLOTS order, title, description and path escaped."""
        return (html.escape(title, quote=True), html.escape(description, quote=True), head, content, scripts,
                html.escape(path, quote=True))

    def fill(self, *, title: str, description: str = "", head: str = "", content: str = "",
             scripts: str = "", path: str = "") -> str:
        values = self._values(title, description, head, content, scripts, path)
        out = [self.literals[0]]
        for index, literal in zip(self._order, self.literals[1:], strict=True):
            out.append(values[index])
            out.append(literal)
        return "".join(out)

    def fill_bytes(self, *, title: str, description: str = "", head: str = "", content: str = "",
                   scripts: str = "", path: str = "") -> bytes:
        """``fill(...).encode("utf-8")``, without encoding the shell again for every page: its
        literal parts (most of a page) are encoded once, so only the values are encoded here. A
        page's text holds non-ASCII characters, which makes encoding it whole cost several times
        the fill itself."""
        values = [value.encode("utf-8") for value in self._values(title, description, head, content, scripts, path)]
        out = [self._encoded[0]]
        for index, literal in zip(self._order, self._encoded[1:], strict=True):
            out.append(values[index])
            out.append(literal)
        return b"".join(out)
