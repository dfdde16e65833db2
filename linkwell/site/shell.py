"""The page chrome (header, navigation, footer) shared by every page Linkwell renders itself.

MkDocs + Material render one page per URL depth whose front matter sets ``linkwell_shell: true``
(see ``theme/main.html``); its HTML holds ``@@LINKWELL:NAME@@`` slots. ``Shell(html)`` splits it
once into literal segments, and ``Shell.fill(title=..., description=..., head=..., content=...,
scripts=..., path=...)`` joins them with the values in a single pass, so text inside a value
that looks like a slot is never substituted again. ``title`` and ``description`` are plain text
and are escaped here; ``head``, ``content`` and ``scripts`` must already be safe HTML (they come
from ``linkwell.site.render``).
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

    def fill(self, *, title: str, description: str = "", head: str = "", content: str = "",
             scripts: str = "", path: str = "") -> str:
        values = {"TITLE": html.escape(title, quote=True), "DESCRIPTION": html.escape(description, quote=True),
                  "HEAD": head, "CONTENT": content, "SCRIPTS": scripts, "PATH": html.escape(path, quote=True)}
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            out.append(values[slot])
            out.append(literal)
        return "".join(out)
