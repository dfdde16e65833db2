"""A quick reader for listing files in the layout ``linkwell.listings.store.dump_entry`` writes.

``read(text)`` returns the listing as plain data, exactly as ``linkwell.listings.loader`` would read it
through libyaml, or ``None`` when the text uses anything outside that layout — then the caller
reads it with libyaml, which also words every error. It exists because listings are read
20,000 at a time: building libyaml's node tree costs about three times as much as this.

What it accepts (everything else gives ``None``, never a guess):

- ``key: value`` lines (keys in lower snake case, each key once per block), nested blocks
  indented by two spaces, and ``- item`` lists at the same indentation as their key or deeper,
  with ``- key: value`` items starting a block;
- values that are plain text on one line (resolved with YAML 1.1's rules, as the loader
  does: ``12:30`` is a number, ``no`` is false), single-quoted text on one line, double-quoted
  text without backslashes, ``>-`` folded text whose lines share one indentation, and ``[]``;
- printable characters only; no tabs, comments, blank lines, trailing spaces, other flow brackets,
  anchors, aliases, tags, document markers or multi-line plain text.

tests/test_quick_yaml.py checks that whatever it accepts reads the same as libyaml.

Keys and short texts (codes, dates, times: at most ``SHARED_TEXT`` characters) are interned, so
the 20,000 listings of a build share one copy of each ``"categories"`` or ``"2026-01-15"``: less
memory, and ``marshal`` (which carries listings between processes and into caches) writes a
back-reference instead of the text again.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

from linkwell.listings.scalars import plain_scalar

MAX_DEPTH = 32  # nesting levels; a listing needs about six (the loader refuses more, with a line)

SHARED_TEXT = 16

# Each line: indentation, "- " when it is a list item, "key" and the value after "key: " (both
# empty unless the line is "key:" or "key: value"), and any other text after the indentation.
_LINES = re.compile(r"^( *)(- )?(?:([a-z_][a-z0-9_]*):(?: (.+))?$)?(.*)$", re.M)
# Characters libyaml treats as line breaks or refuses, and tabs: such files go the long way.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")


_intern = sys.intern


class _Outside(Exception):
    """The text uses something this reader does not handle."""


def read(text: str) -> dict | None:
    """The listing as plain data, or None when it must be read by libyaml."""
    body = text[:-1] if text.endswith("\n") else text
    if not body or _UNUSUAL.search(body) or "\n\n" in body or " \n" in body or body[0] == "\n" or body[-1] == " ":
        return None  # blank lines and trailing spaces fold differently in places: leave them to libyaml
    reader = _Reader(body)
    try:
        data, end = reader.mapping(0, 0)
    except _Outside:
        return None
    return data if end == len(reader.lines) else None


class _Reader:
    """Reads blocks by indentation over ``self.lines``: one ``_LINES`` match per line, as
    (indentation, "- " or "", key or "", value text or "", other text)."""

    def __init__(self, body: str):
        self.body = body
        self.lines = _LINES.findall(body)

    def mapping(self, i: int, indent: int, first_item: bool = False, depth: int = 0) -> tuple[dict, int]:
        """The block of ``key: value`` lines at ``indent`` from line ``i`` (which is a
        ``- key: value`` list item when ``first_item``); ``depth`` counts the blocks around it
        (beyond ``MAX_DEPTH`` libyaml's reader words the error, with its line)."""
        if depth > MAX_DEPTH:
            raise _Outside
        lines, out = self.lines, {}
        while i < len(lines):
            spaces, item, key, rest, _text = lines[i]
            at = len(spaces)
            if first_item:
                at, item, first_item = at + 2, "", False
            if at < indent:
                break
            if at > indent or item or not key:
                raise _Outside  # deeper text, a list item here, a quoted key, a comment, "---"...
            if key in out:
                raise _Outside  # libyaml's reader words the error
            key = _intern(key)
            if not rest:
                out[key], i = self.nested(i + 1, indent, depth + 1)
            elif rest == ">-":
                out[key], i = self.folded(i + 1, indent)
            else:
                out[key] = _scalar(rest)
                i += 1
        return out, i

    def nested(self, i: int, indent: int, depth: int) -> tuple[object, int]:
        """What follows ``key:``: a list (at ``indent`` or deeper) or a deeper block."""
        if i >= len(self.lines):
            raise _Outside  # an empty value
        spaces, item = self.lines[i][:2]
        at = len(spaces)
        if item and at >= indent:
            return self.sequence(i, at, depth)
        if at > indent:
            return self.mapping(i, at, depth=depth)
        raise _Outside  # an empty value

    def sequence(self, i: int, indent: int, depth: int) -> tuple[list, int]:
        lines, out = self.lines, []
        while i < len(lines):
            spaces, item, key, _rest, text = lines[i]
            at = len(spaces)
            if at != indent or not item:
                if at > indent:
                    raise _Outside
                break
            if key:  # "- key: value" starts a block two spaces in
                value, i = self.mapping(i, at + 2, first_item=True, depth=depth + 1)
            else:
                value, i = _scalar(text), i + 1
            out.append(value)
        return out, i

    def folded(self, i: int, indent: int) -> tuple[str, int]:
        """A ``>-`` block: lines sharing one deeper indentation, joined by spaces."""
        lines, parts = self.lines, []
        inner = len(lines[i][0]) if i < len(lines) else 0
        if inner <= indent:
            raise _Outside
        while i < len(lines):
            spaces, item, key, rest, text = lines[i]
            at = len(spaces)
            if at <= indent:
                break
            if at != inner:
                raise _Outside  # more-indented lines fold differently
            parts.append(f"{item}{key}:{' ' if rest else ''}{rest}{text}" if key else item + text)
            i += 1
        return " ".join(parts), i


def _scalar(text: str):
    """One value written on one line after ``key: `` or ``- ``."""
    if len(text) <= SHARED_TEXT and text != "[]":  # a list is never shared
        return _short_scalar(text)
    return _text(text)


@lru_cache(maxsize=8192)
def _short_scalar(text: str):
    """Codes, dates and times repeat across listings: each is read once (``_Outside`` is not kept)."""
    value = _text(text)
    return _intern(value) if type(value) is str else value


def _text(text: str):
    first = text[0]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _Outside
        return inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
            raise _Outside
        return inner
    if text == "[]":  # how dump_entry writes an empty list
        return []
    if first in _PLAIN_START and (first not in "-?:" or len(text) < 2 or text[1] == " "):
        raise _Outside
    if ": " in text or " #" in text or text[-1] == ":" or text[0] == " ":
        raise _Outside
    return plain_scalar(text)
