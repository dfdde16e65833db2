"""Who maintains a listing, and how an update from anyone else is shown to the reviewers.

A listing's ``maintainers`` are GitHub accounts: the one that added it through the form, and any a
reviewer adds by hand. ``is_maintainer(entry, account)`` compares accounts as GitHub does (case
does not matter). ``outsider_notice(account, before, after)`` is the Markdown a pull request carries
when someone else sent an update: who sent it, that the listing is now ``unverified``, and every
changed contact, website and status field before and after (each value in a code span, so nothing
in it is read as Markdown, a link or a mention).
"""

from __future__ import annotations

from .answers import quote

WATCHED = [(("status",), "Status"), (("contact", "website"), "Website"),
           (("organisation", "website"), "Organisation website"), (("contact", "email"), "Email"),
           (("contact", "phone"), "Phone")]


def is_maintainer(entry: dict, account: str | None) -> bool:
    if not account:
        return False
    return account.lower() in {str(m).lower() for m in entry.get("maintainers") or []}


def _get(entry: dict, path: tuple):
    node = entry
    for step in path:
        node = node.get(step) if isinstance(node, dict) else None
    return node


def changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """(label, before, after) for each watched field the update changes."""
    return [(label, _get(before, path), _get(after, path)) for path, label in WATCHED
            if _get(before, path) != _get(after, path)]


def _cell(value, missing: str) -> str:
    return quote(value, 80).replace("|", "\\|") if value is not None else missing


def outsider_notice(account: str | None, before: dict, after: dict) -> list[str]:
    """Markdown lines for an update sent by someone who does not maintain the listing."""
    who = quote(account, 60) if account else "an unknown account"
    listed = ", ".join(quote(m, 60) for m in before.get("maintainers") or []) or "nobody yet"
    lines = ["**Check before merging: this update was not sent by the listing's maintainer.** It came from "
             f"{who}; the listing's maintainers are {listed}. It is marked `verified_by: unverified` until a "
             "reviewer confirms the changes with the group (then set `verified_by` and, if they should maintain "
             "it, add them to `maintainers`).", ""]
    changed = changes(before, after)
    if changed:
        lines += ["| field | before | after |", "|---|---|---|"]
        lines += [f"| {label} | {_cell(old, '(none)')} | {_cell(new, '(removed)')} |" for label, old, new in changed]
    else:
        lines.append("It changes no contact details, website or status.")
    return lines
