"""Text from listings or sources made inert before it goes into Markdown that GitHub renders (a
pull-request body, an issue): ``inline(text)`` puts it on one line, shows control, invisible and
direction-changing characters (NUL included) as U+FFFD, and writes ``@`` as the full-width ``＠``
so ``@name`` never mentions (notifies) anyone. Each report then escapes the Markdown syntax its
own context needs (``harvest.text.markdown_text``, ``reports.stale.md_escape``).
"""

from __future__ import annotations

import re

_UNSEEN_RE = re.compile("[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def inline(text) -> str:
    return _UNSEEN_RE.sub("\ufffd", " ".join(str(text).split())).replace("@", "\uff20")
