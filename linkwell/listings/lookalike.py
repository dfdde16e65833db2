"""Text that could deceive a reader: invisible or direction-changing characters, lookalike domains.

``name_problem(text)`` returns a sentence when a name holds a character that changes how the text
around it reads without being seen: bidirectional overrides, embeddings and isolates (U+202A-202E,
U+2066-2069, the "Trojan Source" characters), direction marks, zero-width spaces, word joiners,
byte-order marks and soft hyphens. Zero-width joiners and non-joiners are allowed only between two
non-ASCII letters (Persian, Indic scripts and emoji need them), never beside ASCII or at an end.

``domain_problem(url)`` returns a sentence when a web address's host is internationalised
(non-ASCII, or ``xn--`` punycode) and shows it in ASCII, and says so more strongly when one part of
the host mixes alphabets (Latin with Cyrillic or Greek, say: a classic way to imitate a known site).
Validation reports the first as an error and the second as a warning.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
_INVISIBLE = {0x200B, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x180E, 0x061C, 0x00AD}
_JOINERS = {0x200C, 0x200D}


def _describe(char: str) -> str:
    return f"{unicodedata.name(char, 'unnamed character').lower()}, U+{ord(char):04X}"


def _joins_letters(text: str, i: int) -> bool:
    before, after = text[i - 1: i], text[i + 1: i + 2]
    return bool(before and after) and all(ord(c) > 0x7F and not c.isspace() for c in before + after)


def name_problem(text: str) -> str | None:
    """A sentence when ``text`` holds a character that deceives without being seen; see the docstring."""
    for i, char in enumerate(text):
        code = ord(char)
        if code in _BIDI:
            return (f"contains an invisible character that changes the direction of the text around it "
                    f"({_describe(char)}); retype it without")
        if code in _INVISIBLE or (code in _JOINERS and not _joins_letters(text, i)):
            return f"contains an invisible character ({_describe(char)}); retype it without"
    return None


def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else None


def domain_problem(url: str) -> str | None:
    """A sentence when the host of ``url`` is internationalised or mixes alphabets; see the docstring."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    if host.isascii() and "xn--" not in host:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
        shown = ascii_host.encode("ascii").decode("idna")
    except UnicodeError:
        return f"the site's name ({host!r}) is not a valid internationalised domain; check the address"
    for label in shown.split("."):
        scripts = {s for s in map(_script, label) if s}
        if len(scripts) > 1:
            return (f"the site's name mixes alphabets ({' and '.join(sorted(s.title() for s in scripts))}), a common "
                    f"way to imitate another site; in ASCII it is {ascii_host}. Check it is really the "
                    "organisation's own site")
    return (f"the site's name is written with letters outside ASCII ({shown}); in ASCII it is {ascii_host}. Check "
            "it is really the organisation's own site")
