"""``linkwell from-issue BODY_FILE``: turn a submitted issue-form body into a listing file.

Reads the issue body (as GitHub renders the "Add your group" or "Update or close a listing" form)
from BODY_FILE, builds the entry (``linkwell.submissions``), validates it with the same checks as
``linkwell validate`` on a staging copy, and only then writes it into the directory through
``linkwell.listings.store``. ``--update ID`` edits an existing listing (the update form's "Listing to
update" answer is used when it is not given). Prints Markdown for an issue comment, also written
to ``--report FILE``: a short confirmation, or the problems named by form question. Exit 0 when
the listing was written (or was already up to date), 1 when the form has problems (nothing is
written), 2 for usage errors.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from pathlib import Path

import click

from linkwell.cli.options import ISO_DATE, current_project
from linkwell.listings.loader import EntryLoadError, load_entry_file
from linkwell.listings.store import entry_path, write_entries
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

MAX_FILE_BYTES = 2_000_000


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
        report = validate_paths([entry_path(root, entry)], today=today, cache_dir=Path(tmp) / "cache",
                                load_entries=False)
    errors = [(label_for(_field_path(p.field)), p.message) for p in report.errors]
    warnings = [(label_for(_field_path(p.field)), p.message) for p in report.warnings]
    return errors, warnings


def submit(body: str, directory: Path, today: dt.date, update: str | None = None, issue: str | None = None,
           repo: str | None = None, form: str = "auto") -> tuple[bool, str]:
    """(written, Markdown message); writes only a valid listing, nothing otherwise.

    ``form`` is "add", "update" or "auto" (decided by whether the body has the update form's
    "Listing to update" question). The workflow passes the form named by the issue's label, so a
    "Listing to update" heading typed into an "Add your group" answer cannot turn it into an edit.
    """
    updating = update is not None or form == "update"
    try:
        answers = parse_body(body)
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
        existing = None
        if updating:
            path = existing_files.get(update)
            if path is None:
                raise SubmissionError([(BY_ID["listing"].label,
                                        f"we could not find a listing called {quote(update)}; copy the last part "
                                        "of the listing's web address (like `deptford-walking-group`)")])
            try:
                existing = load_entry_file(path).data
            except (EntryLoadError, OSError) as exc:
                raise SubmissionError([(BY_ID["listing"].label,
                                        f"the current listing file cannot be read ({exc}); a reviewer needs to "
                                        "fix it first")]) from None
        entry = build_entry(answers, today=today.isoformat(), existing_ids=set(existing_files),
                            existing=existing, issue=issue, repo=repo)
        errors, warnings = _stage_and_check(entry, today)
        if errors:
            raise SubmissionError(errors)
    except SubmissionError as exc:
        return False, render_problems(exc.problems, updating)
    except ValueError as exc:  # the store refuses text that would not read back exactly
        return False, render_problems([("the form", str(exc))], updating)

    changed = write_entries(directory, [entry])
    where = f"directory/{entry['borough']}/{entry['id']}.yml"
    if updating:
        lines = [f"**Thank you! Your update to `{entry['id']}` is ready for review**"
                 + ("" if changed else " (it matched the listing already, so nothing changed)") + "."]
    else:
        lines = [f"**Thank you! Your listing `{entry['id']}` is ready for review.**"]
    lines += ["", f"It passed every check and has been written to `{where}`. A volunteer reviewer will "
                  "look at it before it appears on the site."]
    if warnings:
        lines += ["", "Please also check these (they do not stop your listing):", ""]
        lines += [f"- **{label}**: {message}" for label, message in warnings]
    return True, "\n".join(lines) + "\n"


@click.command("from-issue")
@click.argument("body_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--update", "update", metavar="ID", help="Edit the existing listing ID instead of adding one.")
@click.option("--directory", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The listings folder (default: the project's directory/).")
@click.option("--today", "today", type=ISO_DATE, default=None, help="The date to record (default: today).")
@click.option("--issue", "issue", metavar="N", envvar="LINKWELL_ISSUE_NUMBER",
              help="The issue number, kept as the listing's source record.")
@click.option("--repo", "repo", metavar="OWNER/NAME", envvar="GITHUB_REPOSITORY",
              help="The GitHub repository, for links in messages.")
@click.option("--form", "form", type=click.Choice(["auto", "add", "update"]), default="auto", show_default=True,
              help="Which issue form the body comes from (the workflow passes the issue's label).")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the Markdown message to this file (for an issue comment).")
def from_issue(body_file, update, directory, today, issue, repo, form, report):
    """Turn a submitted issue-form body (BODY_FILE) into a listing file, or explain what to fix."""
    day = today or dt.date.today()
    if issue is not None and not re.fullmatch(r"[0-9]{1,10}", str(issue)):
        raise click.UsageError("--issue must be an issue number")
    if repo is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
        repo = None
    directory = directory or current_project().directory
    if not directory.is_dir():
        raise click.UsageError(f"the listings folder {directory} does not exist")
    raw = body_file.read_bytes()[:MAX_FILE_BYTES + 1]
    body = raw.decode("utf-8", errors="replace")
    if len(raw) > MAX_FILE_BYTES:
        body = "x" * (MAX_FILE_BYTES + 1)  # parse_body refuses it with a clear message
    ok, message = submit(body, directory, day, update=update.lower() if update else None, issue=issue, repo=repo,
                         form=form)
    click.echo(message, nl=False)
    if report is not None:
        report.write_text(message, encoding="utf-8")
    sys.exit(0 if ok else 1)
