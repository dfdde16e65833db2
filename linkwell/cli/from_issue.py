"""``linkwell from-issue BODY_FILE`` (or ``--event FILE``): turn a submitted issue-form body into a listing.

Reads the issue body (as GitHub renders the "Add your group" or "Update or close a listing" form)
from BODY_FILE, or with its number, author and form from a GitHub event payload (``--event
$GITHUB_EVENT_PATH``: the body never goes through argv or an environment variable), builds the entry
(``linkwell.submissions``), validates it with the same checks as ``linkwell validate`` on a staging
copy, and only then writes it into the directory through ``linkwell.listings.store``. ``--update
ID`` edits an existing listing (the update form's "Listing to update" answer is used when it is not
given). Prints Markdown for an issue comment, also written to ``--report FILE``: a short
confirmation, or the problems named by form question. Exit 0 when the listing was written (or was
already up to date), 1 when the form has problems (nothing is written) or another run holds the
project's write lock past ``--wait``, 2 for usage errors. An update from an account that is not
among the listing's ``maintainers`` is written ``verified_by: unverified``, and the message (the
pull request's body) says so with the changed contact, website and status shown before and after.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tempfile
from pathlib import Path

import click

from linkwell.cli.options import ISO_DATE, current_project
from linkwell.listings import lock
from linkwell.listings.loader import EntryLoadError, load_entry_file
from linkwell.listings.store import entry_path, lock_folder, write_entries
from linkwell.listings.validate import validate_paths
from linkwell.submissions import (
    BY_ID,
    SubmissionError,
    build_entry,
    label_for,
    parse_body,
    quote,
    render_problems,
)
from linkwell.submissions.maintainers import is_maintainer, outsider_notice

MAX_FILE_BYTES = 2_000_000
MAX_EVENT_BYTES = 25_000_000


def _field_path(name: str) -> tuple:
    """'schedule[0].opens' -> ('schedule', 0, 'opens')."""
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", name))


def _existing(directory: Path) -> dict[str, Path]:
    return {path.stem: path for path in sorted(directory.glob("*/*.yml"))}


def _listing_id(text: str) -> str:
    """The id in a 'Listing to update' answer: an id, a file path or a page address."""
    text = text.strip().rstrip("/")
    last = re.split(r"[/\\]", text)[-1]
    return re.sub(r"\.(ya?ml|html?)$", "", last).lower()


def _stage_and_check(entry: dict, today: dt.date) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(errors, warnings) from the real validator, run on a copy of the entry in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="linkwell-form-") as tmp:
        root = Path(tmp) / "directory"
        write_entries(root, [entry])
        report = validate_paths([entry_path(root, entry)], today=today, load_entries=False, keep_cache=False)
    errors = [(label_for(_field_path(p.field)), p.message) for p in report.errors]
    warnings = [(label_for(_field_path(p.field)), p.message) for p in report.warnings]
    return errors, warnings


def _target(directory: Path, answers: dict, update: str | None, form: str) -> tuple[bool, dict | None, set[str]]:
    """(updating, the listing being updated or None, the ids already taken) for a parsed form."""
    updating = update is not None or form == "update"
    if form == "add" and "listing" in answers:
        raise SubmissionError([(BY_ID["listing"].label, "this question belongs to the \"Update or close a "
                                                        "listing\" form; please don't type lines starting "
                                                        "with ### in your answers")])
    if update is None and (form == "update" or "listing" in answers):
        updating = True
        if not answers.get("listing"):
            raise SubmissionError([(BY_ID["listing"].label, "is required: copy the last part of the "
                                                            "listing's web address (like "
                                                            "`deptford-walking-group`)")])
        update = _listing_id(answers["listing"])
    existing_files = _existing(directory)
    if not updating:
        return False, None, set(existing_files)
    path = existing_files.get(update)
    if path is None:
        raise SubmissionError([(BY_ID["listing"].label,
                                f"we could not find a listing called {quote(update)}; copy the last part "
                                "of the listing's web address (like `deptford-walking-group`)")])
    try:
        return True, load_entry_file(path).data, set(existing_files)
    except (EntryLoadError, OSError) as exc:
        raise SubmissionError([(BY_ID["listing"].label,
                                f"the current listing file cannot be read ({exc}); a reviewer needs to "
                                "fix it first")]) from None


def submit(body: str, directory: Path, today: dt.date, update: str | None = None, issue: str | None = None,
           repo: str | None = None, form: str = "auto", author: str | None = None) -> tuple[bool, str]:
    """(written, Markdown message); writes only a valid listing, nothing otherwise.

    ``form`` is "add", "update" or "auto" (decided by whether the body has the update form's
    "Listing to update" question). The workflow passes the form named by the issue's label, so a
    "Listing to update" heading typed into an "Add your group" answer cannot turn it into an edit.
    ``author`` is the GitHub account that sent the form (see ``linkwell.submissions.maintainers``).
    """
    updating = update is not None or form == "update"
    try:
        answers = parse_body(body)
        updating, existing, taken = _target(directory, answers, update, form)
        entry = build_entry(answers, today=today.isoformat(), existing_ids=taken, existing=existing, issue=issue,
                            repo=repo, author=author)
        errors, warnings = _stage_and_check(entry, today)
        if errors:
            raise SubmissionError(errors)
    except SubmissionError as exc:
        return False, render_problems(exc.problems, updating)
    except ValueError as exc:  # the store refuses text that would not read back exactly
        return False, render_problems([("the form", str(exc))], updating)
    changed = write_entries(directory, [entry])
    notice = outsider_notice(author, existing, entry) if existing and not is_maintainer(existing, author) else []
    return True, _thanks(entry, updating, bool(changed), warnings, notice)


def _thanks(entry: dict, updating: bool, changed: bool, warnings: list, notice: list[str]) -> str:
    where = f"directory/{entry['borough']}/{entry['id']}.yml"
    if updating:
        lines = [f"**Thank you! Your update to `{entry['id']}` is ready for review**"
                 + ("" if changed else " (it matched the listing already, so nothing changed)") + "."]
    else:
        lines = [f"**Thank you! Your listing `{entry['id']}` is ready for review.**"]
    lines += ["", f"It passed every check and has been written to `{where}`. A volunteer reviewer will "
                  "look at it before it appears on the site."]
    if notice:
        lines += ["", *notice]
    if warnings:
        lines += ["", "Please also check these (they do not stop your listing):", ""]
        lines += [f"- **{label}**: {message}" for label, message in warnings]
    return "\n".join(lines) + "\n"


def read_event(path: Path) -> dict:
    """What ``from-issue`` needs from a GitHub ``issues`` event payload (``$GITHUB_EVENT_PATH``): the
    body, number, author and form (from the issue's labels). The body never passes through argv or
    an environment variable, so no size limit of theirs applies (GitHub allows 65,536 characters)."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read(MAX_EVENT_BYTES + 1)[:MAX_EVENT_BYTES + 1])
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"{path} is not a readable GitHub event file ({type(exc).__name__})") from None
    issue = data.get("issue") if isinstance(data, dict) else None
    if not isinstance(issue, dict):
        raise click.UsageError(f"{path} is not an issue event (it has no issue)")
    labels = {str(label.get("name")) for label in issue.get("labels") or [] if isinstance(label, dict)}
    user = issue.get("user") if isinstance(issue.get("user"), dict) else {}
    number = issue.get("number")
    return {"body": issue.get("body") if isinstance(issue.get("body"), str) else "",
            "issue": str(number) if isinstance(number, int) else None,
            "author": user.get("login") if isinstance(user.get("login"), str) else None,
            "form": "update" if "listing-update" in labels else "add"}


@click.command("from-issue")
@click.argument("body_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--event", "event_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A GitHub issues event payload ($GITHUB_EVENT_PATH): body, issue number, author and form.")
@click.option("--update", "update", metavar="ID", help="Edit the existing listing ID instead of adding one.")
@click.option("--directory", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The listings folder (default: the project's directory/).")
@click.option("--today", "today", type=ISO_DATE, default=None, help="The date to record (default: today).")
@click.option("--issue", "issue", metavar="N", envvar="LINKWELL_ISSUE_NUMBER",
              help="The issue number, kept as the listing's source record.")
@click.option("--author", "author", metavar="LOGIN", help="The GitHub account that sent the form.")
@click.option("--repo", "repo", metavar="OWNER/NAME", envvar="GITHUB_REPOSITORY",
              help="The GitHub repository, for links in messages.")
@click.option("--form", "form", type=click.Choice(["auto", "add", "update"]), default=None,
              help="Which issue form the body comes from (default: from the event's labels, else auto).")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the Markdown message to this file (for an issue comment).")
@click.option("--wait", type=click.FloatRange(0), default=lock.DEFAULT_WAIT, show_default=True,
              help="Seconds to wait for another run writing to this project; 0 refuses at once.")
def from_issue(body_file, event_file, update, directory, today, issue, author, repo, form, report, wait):
    """Turn a submitted issue-form body (BODY_FILE, or --event) into a listing file, or explain what to fix."""
    event = read_event(event_file) if event_file else {}
    if body_file is None and event_file is None:
        raise click.UsageError("give the issue body as BODY_FILE, or the GitHub event file with --event")
    issue = issue if issue is not None else event.get("issue")
    author = author or event.get("author")
    form = form or event.get("form") or "auto"
    if issue is not None and not re.fullmatch(r"[0-9]{1,10}", str(issue)):
        raise click.UsageError("--issue must be an issue number")
    if author is not None and not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}", author):
        raise click.UsageError("--author must be a GitHub account name")
    if repo is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        repo = None
    directory = directory or current_project().directory
    if not directory.is_dir():
        raise click.UsageError(f"the listings folder {directory} does not exist")
    body = _body(body_file) if body_file is not None else event["body"]
    try:
        with lock.hold(lock_folder(), wait=wait):
            ok, message = submit(body, directory, today or dt.date.today(), update=update.lower() if update else None,
                                 issue=issue, repo=repo, form=form, author=author)
    except lock.Busy as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(message, nl=False)
    if report is not None:
        report.write_text(message, encoding="utf-8")
    sys.exit(0 if ok else 1)


def _body(body_file: Path) -> str:
    raw = body_file.read_bytes()[:MAX_FILE_BYTES + 1]
    if len(raw) > MAX_FILE_BYTES:
        return "x" * (MAX_FILE_BYTES + 1)  # parse_body refuses it with a clear message
    return raw.decode("utf-8", errors="replace")
