"""One form answer at a time: checked for what never belongs in a listing, then converted.

``convert(spec, raw, problems)`` returns the schema value for one answer (a ``Field`` from the
forms' table and the text or choices given), or None after adding ``(form label, sentence)`` to
``problems``. Choices must be among the question's options; text is refused when it looks like a
shell command, a workflow expression, an ``ENV=value`` line or HTML, holds control characters, runs
over several lines where one is expected, or is too long; then each question has its own
converter (ages, times, web addresses, email, phone, charity and company numbers, languages,
postcodes). ``quote(text)`` shows what someone typed inside a Markdown code span; ``make_id(name)``
is the listing id for a name; ``set_path`` and ``remove_path`` place a value in the entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from linkwell.reference.postcodes import normalise_postcode, postcodes

_COMMAND_SIGNS = [
    (re.compile(r"\$\{\{|\}\}"), "contains ${{ }}, which looks like a GitHub workflow expression"),
    (re.compile(r"\$\(|\$\{|`"), "contains $( ), ${ } or backticks, which look like a computer command"),
    (re.compile(r"&&|\|\||\|\s*(sh|bash|zsh|python\d?|perl|curl|wget)\b|;\s*(rm|curl|wget|sh|bash|chmod)\b"),
     "contains a chain of shell commands (such as && or | sh)"),
    (re.compile(r"(?m)^\s*[A-Z][A-Z0-9_]*\s*=\S"), "contains a line like NAME=value, which looks like a "
                                                  "computer setting"),
]
_HTML = re.compile(r"<\s*[A-Za-z/!?]")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]")
_LIMITS = {"name": 200, "organisation": 200, "description": 1500, "venue": 200, "address": 300,
           "cost_note": 300, "schedule_note": 200, "notes": 5000}
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,18}[0-9]$")


def quote(value: str, limit: int = 40) -> str:
    """Show a bit of what someone typed inside a Markdown code span: no mentions, links or HTML."""
    text = re.sub(r"[`\s]+", " ", str(value)).strip()
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"`{text}`" if text else "(blank)"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("&", " and ")).strip("-")
    if len(slug) > 100:
        slug = slug[:100].rsplit("-", 1)[0]
    return slug


def make_id(name: str, organisation: str = "") -> str:
    """The listing id for a name: 'Deptford Walking Group' -> 'deptford-walking-group'."""
    slug = _slug(name)
    if len(slug) < 3 and organisation:
        slug = _slug(f"{organisation} {name}")
    return slug


def text_problems(spec, value: str) -> list[str]:
    """What is wrong with a text answer before it is converted (empty when nothing)."""
    out = []
    for pattern, why in _COMMAND_SIGNS:
        if pattern.search(value):
            out.append(f"{why}; please write plain words only (nothing in this form is ever run, but we "
                       "don't accept text like this in a listing)")
            break
    if _HTML.search(value):
        out.append("contains HTML such as `<b>`, `<a>` or `<script>`; please write plain text (put web addresses "
                   "in the Website question)")
    if _CONTROL.search(value):
        out.append("contains invisible control characters; please retype it as plain text")
    if spec.kind != "textarea" and "\n" in value:
        out.append("must be a single line")
    limit = _LIMITS.get(spec.id)
    if limit and len(value) > limit:
        out.append(f"is {len(value):,} characters long; please shorten it to {limit:,} characters or fewer")
    return out


# Each converter takes the stripped text and returns (value, None) or (None, what is wrong).
Result = tuple[object, str | None]


def _age(text: str) -> Result:
    if not re.fullmatch(r"\d{1,3}", text) or int(text) > 120:
        return None, f"{quote(text)} is not an age; write a whole number such as 18 or 65"
    return int(text), None


def clock_time(text: str) -> str | None:
    """'9:30', '09.30', '10am', '2.15 pm', '14:00' -> 'HH:MM'; None when not a time."""
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*", text.lower())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "")[:1]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif match.group(2) is None:
        return None  # "10" alone is ambiguous
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def _time(text: str) -> Result:
    value = clock_time(text)
    return (value, None) if value else (None, f"{quote(text)} is not a time; write it like 10:00 or 2:30pm")


def web_address(text: str) -> str | None:
    """An http(s) address (``https://`` added when missing), or None (javascript:, data:, ...)."""
    text = text.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*:", text, re.I) and not re.match(r"^https?://", text, re.I):
        return None
    if not re.match(r"^https?://", text, re.I):
        text = "https://" + text
    return text if re.fullmatch(r"https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?([/?#][^\s<>\"]*)?", text) \
        and len(text) <= 500 else None


def _website(text: str) -> Result:
    value = web_address(text)
    return (value, None) if value else (None, f"{quote(text)} is not a web address; write it like https://example.org")


def _email(text: str) -> Result:
    if _EMAIL.match(text) and len(text) <= 254:
        return text, None
    return None, f"{quote(text)} is not an email address; write it like info@example.org"


def _phone(text: str) -> Result:
    if _PHONE.match(text):
        return text, None
    return None, f"{quote(text)} is not a phone number; use digits and spaces, like 020 7946 0000"


def _charity(text: str) -> Result:
    if re.fullmatch(r"[0-9]{6,8}(-[0-9]{1,2})?|SC[0-9]{6}", text):
        return text, None
    return None, (f"{quote(text)} is not a charity number; it is 6 to 8 digits, like 1123456 (leave it blank "
                  "if the group is not a registered charity)")


def _company(text: str) -> Result:
    text = text.upper().replace(" ", "")
    if re.fullmatch(r"[0-9]{8}|[A-Z]{2}[0-9]{6}", text):
        return text, None
    return None, f"{quote(text)} is not a Companies House number; it has 8 characters, like 01234567"


def _languages(text: str) -> Result:
    codes = [c for c in re.split(r"[\s,;/]+", text.lower()) if c]
    wrong = [c for c in codes if not re.fullmatch(r"[a-z]{2}", c)]
    if wrong:
        return None, (f"{quote(wrong[0])} is not a two-letter language code; write codes separated by commas, "
                      "like en, bn, pl")
    return list(dict.fromkeys(codes)), None


def _postcode(text: str) -> Result:
    normal = normalise_postcode(text)
    if normal is None or len(re.sub(r"\s", "", text)) > 8:
        return None, f"{quote(text)} is not a UK postcode; write it like SE8 4RJ"
    if postcodes().get(normal) is None:
        return None, (f"{normal} is not a London postcode we know; Linkwell lists London services only, so "
                      "please check it for typos")
    return normal, None


CONVERTERS: dict[str, Callable[[str], Result]] = {
    "min_age": _age, "max_age": _age, "opens": _time, "closes": _time, "website": _website,
    "organisation_website": _website, "email": _email, "phone": _phone, "charity_number": _charity,
    "company_number": _company, "languages": _languages, "postcode": _postcode,
}


def _choices(spec, raw) -> Result:
    values = raw if isinstance(raw, list) else [raw]
    unknown = [v for v in values if v not in spec.options]
    if unknown:
        return None, f"{quote(unknown[0])} is not one of the choices; please pick from the list"
    chosen = [spec.options[v] for v in values]
    return (chosen if spec.multiple else chosen[0]), None


def convert(spec, raw, problems: list) -> object:
    """The schema value for one answer, or None (and a problem added) when it cannot be used."""
    if spec.kind in ("dropdown", "checkboxes"):
        value, error = _choices(spec, raw)
    else:
        text = raw.strip()
        found = text_problems(spec, text)
        value, error = (None, found[0]) if found else CONVERTERS.get(spec.id, lambda t: (t, None))(text)
    if error:
        problems.append((spec.label, error))
        return None
    return value


def set_path(entry: dict, path: tuple, value) -> None:
    """Put ``value`` at a path of keys and list indexes, making the containers on the way."""
    node = entry
    for step, following in zip(path, path[1:], strict=False):
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            node = node[step]
        else:
            node = node.setdefault(step, [] if isinstance(following, int) else {})
    last = path[-1]
    node[last] = value


def remove_path(entry: dict, path: tuple) -> None:
    """Remove what is at a path, and the containers the removal leaves empty."""
    parents = []
    node = entry
    for step in path[:-1]:
        try:
            parents.append((node, step))
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict):
        node.pop(path[-1], None)
    for parent, step in reversed(parents):  # drop containers the removal left empty
        if parent[step] in ({}, []):
            del parent[step]
