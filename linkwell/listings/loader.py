"""Safe YAML loading for directory entries, with line numbers for every problem.

``load_entry_text(text)`` returns a ``LoadedDocument`` (the data plus the YAML node tree, so
``line_of(path)`` can name the line of any field) or raises ``EntryLoadError`` with a sentence a
volunteer can act on. libyaml's C parser composes the node tree and a small walker builds plain
data from it (about twice as fast as PyYAML's constructor; no Python objects or tags beyond
str/int/float/bool/null/list/dict). It refuses duplicate keys, aliases, merge keys and explicit
tags, keeps dates as the text written (``2025-01-31`` stays a string), and leaves
YAML 1.1 surprises (``no`` -> false, ``0207...`` -> a number, ``12:30`` -> 750) as the values YAML
gives so that validation can report them; ``yaml_surprise(path)`` explains such a value.
Empty, binary, non-UTF-8 and over-large files are refused before parsing. Files in the layout
``linkwell.listings.store`` writes are read by ``linkwell.listings.quick_yaml`` instead (the same data, about three
times faster); the node tree is then composed only when a line number is wanted.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml

from linkwell.listings import quick_yaml
from linkwell.listings.scalars import STR as _STR
from linkwell.listings.scalars import implicit_tag, plain_scalar

MAX_FILE_BYTES = 200_000
MAX_BRACKETS = 1_000  # libyaml recurses per nesting level; refuse absurd nesting before parsing
MAX_DEPTH = quick_yaml.MAX_DEPTH  # nesting levels; a listing needs about six
MAX_INDENT = 200  # columns of indentation (with "- " and "? " marks) before libyaml composes anything
_LEAD = re.compile(r"^ *(?:[-?] +)*", re.M)

_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_DEFAULT_TAG = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


class _ComposeLoader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):
    """libyaml's composer with untagged nodes given the plain str/seq/map tag, nothing more."""

    def resolve(self, kind, value, implicit):
        return _DEFAULT_TAG[kind]

    def descend_resolver(self, current_parent, current_index):
        pass  # no path resolvers: skip the per-node bookkeeping

    def ascend_resolver(self):
        pass


class EntryLoadError(Exception):
    """A file that cannot be read as one YAML mapping; ``line`` is 1-based or None."""

    def __init__(self, message: str, line: int | None = None, field: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


def _line(node) -> int:
    return node.start_mark.line + 1


def _too_deep(line: int):
    raise EntryLoadError(f"the data is nested more than {MAX_DEPTH} levels deep, far more than a listing "
                         "needs; check the indentation", line)


def _build(node, seen: set | None, depth: int = 0):
    """Plain Python data from a composed node tree: dicts, lists, str, int, float, bool, None."""
    if depth > MAX_DEPTH:
        _too_deep(_line(node))
    if seen is not None:
        if id(node) in seen:
            raise EntryLoadError("anchors and aliases (&name, *name) are not allowed in a listing; "
                                 "write the value out in full", _line(node))
        seen.add(id(node))
    cls = node.__class__
    if cls is yaml.ScalarNode:
        if node.tag != _STR:
            _refuse_tag(node)
        return node.value if node.style else plain_scalar(node.value)
    if cls is yaml.MappingNode:
        if node.tag != _MAP:
            _refuse_tag(node)
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag != _STR:
                raise EntryLoadError("field names must be plain words followed by a colon",
                                     _line(key_node))
            key = key_node.value
            if key == "<<":
                raise EntryLoadError("merge keys (<<) are not allowed in a listing; write the fields "
                                     "out in full", _line(key_node))
            if key in out:
                first = next(_line(k) for k, _v in node.value if k.value == key)
                raise EntryLoadError(f"'{key}' appears twice in the same block (first on line "
                                     f"{first}); keep one and delete the other", _line(key_node), key)
            out[key] = _build(value_node, seen, depth + 1)
        return out
    if node.tag != _SEQ:
        _refuse_tag(node)
    return [_build(item, seen, depth + 1) for item in node.value]


def _refuse_tag(node):
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise EntryLoadError(f"the YAML tag {tag!r} is not allowed in a listing; write plain text, "
                         "numbers and lists", _line(node))


@dataclass
class LoadedDocument:
    """The data, and the YAML node tree for line numbers (composed on first use when the quick
    reader read the data)."""
    data: dict
    node: Any = field(default=None, repr=False)
    text: str = field(default="", repr=False)

    def tree(self) -> Any:
        if self.node is None:
            self.node = load_entry_text(self.text, quick=False).node
        return self.node

    def node_at(self, path: tuple) -> Any:
        """The YAML node at a path of keys and indexes, or the nearest parent that exists."""
        node = self.tree()
        for step in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == step:
                        child = value_node
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                child = node.value[step]
            if child is None:
                return node
            node = child
        return node

    def line_of(self, path: tuple) -> int:
        node = self.node_at(path)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and path:
            key = self._key_node(path)
            if key is not None:
                return key.start_mark.line + 1
        return node.start_mark.line + 1

    def _key_node(self, path: tuple):
        parent = self.node_at(path[:-1])
        if isinstance(parent, yaml.MappingNode):
            for key_node, _value in parent.value:
                if key_node.value == path[-1]:
                    return key_node
        return None

    def yaml_surprise(self, path: tuple) -> str | None:
        """Explain a plain scalar YAML 1.1 turned into a bool or number, e.g. ``no`` or ``12:30``."""
        node = self.node_at(path)
        if not isinstance(node, yaml.ScalarNode) or node.style not in (None, ""):
            return None
        tag = implicit_tag(node).rsplit(":", 1)[-1]
        if tag not in {"bool", "int", "float", "null"}:
            return None
        kind = {"bool": "true/false", "int": "a number", "float": "a number", "null": "empty"}[tag]
        return (f"YAML reads {node.value} without quotes as {kind}; "
                f'write it in quotes: "{node.value}"')


def decode(raw: bytes) -> str:
    """Bytes of an entry file as text, or EntryLoadError for empty, binary, huge or non-UTF-8 files."""
    if len(raw) > MAX_FILE_BYTES:
        raise EntryLoadError(f"the file is {len(raw):,} bytes; an entry must be under "
                             f"{MAX_FILE_BYTES:,} bytes (is it really a listing?)", 1)
    if b"\x00" in raw:
        raise EntryLoadError("this is a binary file, not YAML text; save the listing as plain text", 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EntryLoadError("the file is not UTF-8 text; save it again as UTF-8", line) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise EntryLoadError("the file is empty; it should hold one listing (see schema/README.md)", 1)
    return text


def load_entry_text(text: str, quick: bool = True) -> LoadedDocument:
    """Parse one listing's YAML text; raises EntryLoadError with a line number on any problem.
    Text in the layout ``linkwell.listings.store`` writes is read by ``linkwell.listings.quick_yaml`` (the same data,
    about three times faster); ``quick=False`` always composes libyaml's node tree."""
    if text.count("[") + text.count("{") > MAX_BRACKETS:
        raise EntryLoadError("the file nests brackets too deeply to be a listing", 1)
    if quick:
        data = quick_yaml.read(text)
        if data is not None:
            return LoadedDocument(data, None, text)
    for match in _LEAD.finditer(text):
        if match.end() - match.start() > MAX_INDENT:
            _too_deep(text.count("\n", 0, match.start()) + 1)
    loader = _ComposeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise EntryLoadError("the file is empty; it should hold one listing", 1)
        if not isinstance(node, yaml.MappingNode):
            raise EntryLoadError("the file must be a set of 'field: value' lines (a YAML mapping)", _line(node))
        data = _build(node, set() if ("&" in text or "*" in text) else None)
    except EntryLoadError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or "could not be read").rstrip(".")
        lines = text.splitlines()
        if exc.context_mark is not None and (mark is None or mark.line >= len(lines)):
            mark = exc.context_mark  # the problem is "end of file": point at what was left open
            problem += f" ({exc.context} is never closed)" if exc.context else ""
        line_text = lines[mark.line] if mark and mark.line < len(lines) else ""
        raise EntryLoadError(f"this is not valid YAML: {problem}{_yaml_hint(problem, line_text)}",
                             mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise EntryLoadError(f"this is not valid YAML: {exc}") from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise EntryLoadError(f"this YAML cannot be read as a listing: {exc}") from None
    finally:
        loader.dispose()
    return LoadedDocument(data, node, text)


def _yaml_hint(problem: str, line_text: str) -> str:
    if "mapping values are not allowed" in problem:
        return ' (a value containing ": " needs to be in quotes)'
    if "\t" in line_text:
        return " (use spaces, not tabs, for indentation)"
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return " (check the indentation of this line and the one before it)"
    return ""


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def read_entry_bytes(path) -> bytes:
    """A listing file's bytes, at most ``MAX_FILE_BYTES + 1`` of them (``decode`` refuses more),
    read without reserving that much memory for every file (f.read(n) allocates n bytes first).
    Only a regular file is read: a symbolic link, FIFO, device or folder raises ``OSError`` (opened
    without following links and without blocking, then checked)."""
    try:
        fd = os.open(path, _READ_FLAGS)  # no buffered file object: listings are read 20,000 at a time
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "it is a symbolic link; a listing must be a real file") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a folder, FIFO or device?)")
        want = min(info.st_size, MAX_FILE_BYTES) + 1  # one more byte shows the end (or a file too long)
        chunks = []
        while want > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)  # b"" for an empty file
    finally:
        os.close(fd)


def load_entry_file(path) -> LoadedDocument:
    return load_entry_text(decode(read_entry_bytes(path)))
