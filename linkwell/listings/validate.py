"""Validate directory entries: schema, semantic and cross-file checks, fast and cached.

``validate_paths(paths, today=None, cache_dir=None)`` accepts files and folders (folders are
searched for ``*.yml``), and returns a ``Report``: ``entries`` (path -> dict, for every file that
loaded and passed the schema), ``digests`` (path -> digest of the file's bytes: a content key for
incremental builds) and ``problems`` (``Problem`` with file, line, field, message,
severity). Checks, in order:

1. per file (in worker processes when many files changed): safe YAML load, the JSON Schema,
   ``id`` equals the file name, the folder equals ``borough``, opening times, ages, personal-data
   warnings (UK mobile numbers, emails that look like a person's name);
2. postcodes against the bundled London table (exists, and lies in ``borough``);
3. dates that depend on today (``last_verified`` and ``sources`` dates not in the future);
4. across files: unique ids and likely duplicates (same name + postcode, or same website).

Results of 1 and 2 are cached per file by content hash in ``.linkwell-cache/``, so a run where
nothing changed only stats the files.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import marshal
import os
import re
import threading
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, field
from pathlib import Path

from linkwell import __version__
from linkwell.listings.loader import (
    EntryLoadError,
    LoadedDocument,
    decode,
    load_entry_file,
    load_entry_text,
    read_entry_bytes,
)
from linkwell.listings.lookalike import domain_problem, name_problem
from linkwell.listings.messages import explain, field_name
from linkwell.reference import schema
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reference.postcodes import POSTCODE_FILE, normalise_postcode, postcodes
from linkwell.speed import cachefile
from linkwell.speed.gc import no_gc

PARALLEL_THRESHOLD = 400  # below this many changed files, one process is faster


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        level = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {self.field}: {level}{self.message}"


@dataclass
class Report:
    entries: dict[str, dict] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # file -> digest of its bytes, for each of ``entries``
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0

    def entry_digests(self) -> dict[str, str]:
        """{entry id: content digest} for every entry: the keys incremental builds use."""
        return {entry["id"]: self.digests[file] for file, entry in self.entries.items()}

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


# --- per-file checks -------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"(?<![\d])(?:\+44\s?7|\(?07)\d{3}\)?[\s-]?\d{3}[\s-]?\d{3}(?![\d])")
_EMAIL_IN_TEXT_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ROLE_WORDS = {"info", "hello", "admin", "contact", "enquiries", "enquiry", "office", "team", "bookings",
               "booking", "referrals", "referral", "help", "support", "mail", "general", "reception",
               "volunteer", "volunteers", "volunteering", "events", "services", "service", "project",
               "projects", "community", "social", "prescribing", "link", "workers", "london", "group",
               "centre", "center", "club", "hub", "advice", "membership", "members", "accounts",
               "finance", "director", "manager", "coordinator", "communications", "press", "media",
               "careers", "jobs", "hr", "it", "web", "news", "noreply", "no", "reply", "post",
               "wellbeing", "health", "care", "carers", "youth", "older", "people", "family", "families"}


def _looks_personal_email(address: str) -> bool:
    local = address.split("@", 1)[0].lower()
    parts = re.split(r"[._-]", local)
    if len(parts) != 2 or not all(p.isalpha() and len(p) > 1 for p in parts):
        return False
    return not (set(parts) & _ROLE_WORDS)


def _personal_data_warnings(entry: dict) -> list[tuple[tuple, str]]:
    out = []
    contact = entry.get("contact") or {}
    phone = contact.get("phone")
    if isinstance(phone, str) and "7" in phone and _MOBILE_RE.search(phone):
        out.append((("contact", "phone"), "looks like a mobile number; give an organisational number, "
                                          "not a person's own phone"))
    email = contact.get("email")
    if isinstance(email, str) and _looks_personal_email(email):
        out.append((("contact", "email"), "looks like a person's own email address; use a shared "
                                          "address such as info@ or hello@"))
    for key in ("description", "cost_note"):
        text = entry.get(key)
        if not isinstance(text, str) or ("@" not in text and "07" not in text and "+44" not in text):
            continue
        if _MOBILE_RE.search(text) or _EMAIL_IN_TEXT_RE.search(text):
            out.append(((key,), "contains a phone number or email address; put organisational contact "
                                "details in contact, and no personal ones anywhere"))
    return out


def _lookalike_problems(entry: dict) -> tuple[list[tuple[tuple, str]], list[tuple[tuple, str]]]:
    """(errors, warnings): invisible characters in names; internationalised or mixed-alphabet sites."""
    errors, warnings = [], []
    organisation = entry.get("organisation") or {}
    for path, text in ((("name",), entry.get("name")), (("organisation", "name"), organisation.get("name"))):
        problem = name_problem(text) if isinstance(text, str) and not text.isascii() else None
        if problem:
            errors.append((path, problem))
    contact = entry.get("contact") or {}
    for path, url in ((("contact", "website"), contact.get("website")),
                      (("organisation", "website"), organisation.get("website"))):
        problem = domain_problem(url) if isinstance(url, str) else None
        if problem:
            warnings.append((path, problem))
    return errors, warnings


def _semantic_errors(entry: dict, path: str) -> list[tuple[tuple, str]]:
    out = []
    folder_path, filename = os.path.split(path)
    stem, folder = os.path.splitext(filename)[0], os.path.basename(folder_path)
    if entry["id"] != stem:
        out.append((("id",), f"'{entry['id']}' must equal the file name; rename the file to "
                             f"{entry['id']}.yml or change id to '{stem}'"))
    if entry["borough"] != folder:
        out.append((("borough",), f"'{entry['borough']}' does not match the folder '{folder}'; "
                                  f"the file belongs in directory/{entry['borough']}/"))
    for i, slot in enumerate(entry.get("schedule") or []):
        opens, closes = slot.get("opens"), slot.get("closes")
        if opens and closes and closes <= opens:
            out.append((("schedule", i, "closes"), f"closing time {closes} is not after opening time {opens}"))
    audience = entry.get("audience") or {}
    if "min_age" in audience and "max_age" in audience and audience["min_age"] > audience["max_age"]:
        out.append((("audience", "max_age"), "is lower than min_age"))
    if "in-person" in entry["delivery"] and not entry.get("location") and entry["verified_by"] != "unverified":
        out.append((("location",), "is needed for an in-person listing: give at least the venue or "
                                   "postcode (or set delivery to online/phone only)"))
    return out


def _line(document: LoadedDocument | None, path: tuple) -> int:
    return document.line_of(path) if document is not None else 1


def check_file(path: str, display: str) -> tuple[str, dict | None, list[Problem]]:
    """Load and check one file on its own (no other files, no today's date).

    Returns (content digest, entry or None when it cannot be used, problems).
    """
    try:
        raw = read_entry_bytes(path)
    except OSError as exc:
        return "", None, [Problem(display, 1, "(file)", f"cannot be read: {exc.strerror}")]
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    problems: list[Problem] = []
    document = None
    try:
        document = load_entry_text(decode(raw))
    except EntryLoadError as exc:
        return digest, None, [Problem(display, exc.line or 1, exc.field or "(file)", exc.message)]
    entry = document.data

    def add(items, severity="error"):
        for p, message in items:
            problems.append(Problem(display, _line(document, p), field_name(p), message, severity))

    if not schema.entry_checker().is_valid(entry):
        for error in schema.entry_validator().iter_errors(entry):
            add(explain(error, document))
        if not problems:  # jsonschema (Python regexes) let through what the strict check refused
            add((tuple(error.instance_path), f"does not match schema/entry.schema.json: {error.message}")
                for error in schema.entry_checker().iter_errors(entry))
        return digest, None, sorted(problems)
    add(_semantic_errors(entry, path))
    add(_postcode_problems(entry))
    add(_personal_data_warnings(entry), "warning")
    lookalike_errors, lookalike_warnings = _lookalike_problems(entry)
    add(lookalike_errors)
    add(lookalike_warnings, "warning")
    return digest, entry, sorted(problems)


def line_in_file(path: str, field_path: tuple) -> int:
    """The line of a field in a file that loaded before; used only when a later check finds a
    problem, so the fast path never walks the YAML nodes for line numbers."""
    try:
        return load_entry_file(path).line_of(field_path)
    except (OSError, EntryLoadError):
        return 1


def _postcode_problems(entry: dict) -> list[tuple[tuple, str]]:
    location = entry.get("location") or {}
    if "postcode" not in location:
        return []
    table = postcodes()
    point = table.get(location["postcode"]) or table.lookup(location["postcode"])
    where = ("location", "postcode")
    if point is None:
        return [(where, f"{location['postcode']!r} is not a current London postcode; check it "
                        "(Linkwell lists London services only)")]
    if point.borough != entry["borough"]:
        name = BOROUGHS[point.borough].name if point.borough in BOROUGHS else point.borough
        return [(where, f"{point.postcode} is in {name}, not {entry['borough']}; move the file to "
                        f"directory/{point.borough}/ and set borough: {point.borough}, or correct the "
                        "postcode")]
    if point.postcode != location["postcode"]:
        return [(where, f"write it as {point.postcode!r} (capitals, one space)")]
    return []


# --- checks that depend on today, and across files: on small "facts" kept per file ------------

def _facts(entry: dict) -> tuple:
    """What the date and cross-file checks need from an entry, small enough to cache cheaply."""
    location = entry.get("location") or {}
    dates = [(("last_verified",), entry["last_verified"])]
    for i, source in enumerate(entry["sources"]):
        dates += [(("sources", i, key), source[key]) for key in ("first_seen", "last_seen") if key in source]
    website = (entry.get("contact") or {}).get("website")
    return (entry["id"], _normalise_name(entry["name"]), normalise_postcode(location.get("postcode", "")),
            _normalise_url(website) if website else None, tuple(dates))


def _date_problems(dates, path: str, display: str, today: dt.date) -> list[Problem]:
    out = []
    for p, value in dates:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            out.append(Problem(display, line_in_file(path, p), field_name(p), f"{value!r} is not a real date"))
            continue
        if day > today:
            out.append(Problem(display, line_in_file(path, p), field_name(p),
                               f"{value} is in the future; use the date the details were actually "
                               "confirmed"))
    return out


def _normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().replace("&", "and"))


def _normalise_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/")


def _cross_file_problems(facts: dict[str, tuple], paths: dict[str, str]) -> list[Problem]:
    out = []
    by_id: dict[str, list[str]] = defaultdict(list)
    by_name_postcode: dict[tuple, list[str]] = defaultdict(list)
    by_website: dict[str, list[str]] = defaultdict(list)
    for display, (entry_id, name, postcode, website, _dates) in facts.items():
        by_id[entry_id].append(display)
        if postcode:
            by_name_postcode[(name, postcode)].append(display)
        if website:
            by_website[website].append(display)
    for entry_id, files in by_id.items():
        for display in files[1:]:
            out.append(Problem(display, line_in_file(paths[display], ("id",)), "id",
                               f"'{entry_id}' is already used by {files[0]}; ids must be unique across "
                               "the directory"))
    for groups, reason in ((by_name_postcode, "the same name and postcode"),
                           (by_website, "the same website")):
        for files in groups.values():
            for display in files[1:]:
                out.append(Problem(display, line_in_file(paths[display], ("name",)), "name",
                                   f"looks like a duplicate of {files[0]} ({reason}); merge them or make "
                                   "the difference clear", "warning"))
    return out


# --- files, cache and the whole run ----------------------------------------------------------

@dataclass
class Walk:
    """What a walk of the given files and folders found, as absolute or given path strings."""
    files: list[str] = field(default_factory=list)  # listing files to read
    others: list[str] = field(default_factory=list)  # files that are not listings
    links: list[str] = field(default_factory=list)  # symbolic links (to files or folders): never followed
    special: list[str] = field(default_factory=list)  # FIFOs, sockets, devices: never opened
    temporary: list[str] = field(default_factory=list)  # .<name>.tmp files of a write under way or interrupted

    def problems(self, cwd: str) -> list[Problem]:
        out = [Problem(_display(f, cwd), 1, "(file)", "only .yml listing files belong in the directory; move this "
                       "file elsewhere", "warning") for f in self.others]
        out += [Problem(_display(f, cwd), 1, "(file)", "is a symbolic link; Linkwell does not follow links (they "
                        "could point anywhere), so its listings are not read: put real files or a real folder "
                        "here") for f in self.links]
        out += [Problem(_display(f, cwd), 1, "(file)", "is not a regular file (a FIFO, socket or device) and is not "
                        "read; only listing files belong here") for f in self.special]
        out += [Problem(_display(f, cwd), 1, "(file)", "is a temporary file of a write that is under way or was "
                        "interrupted; the next `linkwell harvest` or `linkwell from-issue` finishes or undoes an "
                        "interrupted write (if this file stays after that, delete it)") for f in self.temporary]
        return out


def walk(paths: list[Path]) -> Walk:
    """Listing files and everything else under the given files and folders (sorted; dot-folders
    skipped; links, FIFOs and devices listed apart, never followed or opened)."""
    found = Walk()
    for path in paths:
        if os.path.isdir(path):  # a folder named on the command line is read even through a link
            _walk_folder(str(path), found)
        else:
            found.files.append(str(path))
    return found


def _walk_folder(folder: str, found: Walk) -> None:
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        name = entry.name
        if entry.is_symlink():
            if not name.startswith("."):
                found.links.append(entry.path)
        elif entry.is_dir(follow_symlinks=False):
            if not name.startswith("."):
                _walk_folder(entry.path, found)
        elif name.startswith("."):
            if name.endswith(".tmp"):
                found.temporary.append(entry.path)
        elif not entry.is_file(follow_symlinks=False):
            found.special.append(entry.path)
        elif name.endswith((".yml", ".yaml")):
            found.files.append(entry.path)
        else:
            found.others.append(entry.path)


def find_entry_files(paths: list[Path]) -> tuple[list[str], list[str]]:
    """(listing files, other files) under the given files and folders, as sorted path strings."""
    found = walk(paths)
    return found.files, found.others


def _display(path: str, cwd: str) -> str:
    """The path (absolute) as shown to people: relative to the working folder when inside it."""
    return path[len(cwd) + 1:] if path.startswith(cwd + os.sep) else path


class _Cache:
    """Per-file results kept between runs in ``<cache_dir>/validate-<hash>.marshal.<n>`` (shards:
    a run rewrites only those holding a changed file).

    ``records`` maps an absolute path to (stat stamp, display name, digest, facts, problems as
    tuples) and is all a plain ``linkwell validate`` reads; the entries themselves are kept
    apart, keyed by content digest in ``entries-<hash>.marshal.<n>``, and read only by callers
    that want them (the site and feed builders).
    """

    def __init__(self, cache_dir: Path, files: list[str]):
        sources = [schema.SCHEMA_DIR / "entry.schema.json", POSTCODE_FILE, *Path(__file__).parent.glob("*.py")]
        stamp = "|".join(f"{p}:{p.stat().st_mtime_ns}" for p in sources)
        self.key = hashlib.blake2b(f"{__version__}|{stamp}".encode(), digest_size=12).hexdigest()
        anchor = os.path.commonpath(files) if files else ""
        name = hashlib.blake2b(anchor.encode(), digest_size=8).hexdigest()
        self.records_file = cache_dir / f"validate-{name}.marshal"
        self.entries_file = cache_dir / f"entries-{name}.marshal"

    def read_records(self) -> dict:
        return cachefile.read_sharded(self.records_file, self.key)

    def write_records(self, records: dict, changed: set[str]) -> None:
        cachefile.write_sharded(self.records_file, self.key, records, changed)

    def read_entries(self) -> dict:
        return cachefile.read_sharded(self.entries_file, self.key)

    def write_entries(self, entries: dict, changed: set[str]) -> None:
        cachefile.write_sharded(self.entries_file, self.key, entries, changed)


def validate_paths(paths, today: dt.date | None = None, cache_dir: Path | None = None,
                   workers: int | None = None, load_entries: bool = True, keep_cache: bool = True) -> Report:
    """Validate every entry file under ``paths``; see the module docstring.

    With ``load_entries=False`` the report's ``entries`` stays empty, which lets a run where
    nothing changed read only the small per-file records from the cache. ``keep_cache=False``
    neither reads nor writes the cache (for one-off checks of a scratch folder, which may be
    deleted as soon as this returns: no cache writer is left behind to write into it).
    """
    with no_gc():
        return _validate_paths(paths, today or dt.date.today(), cache_dir, workers, load_entries, keep_cache)


def _validate_paths(paths, today, cache_dir, workers, load_entries, keep_cache=True) -> Report:
    cwd = os.getcwd()
    found = walk([Path(os.path.abspath(p)) for p in paths])  # so every path found is absolute
    files = found.files
    cache_dir = cache_dir or cachefile.cache_dir()
    cache = _Cache(Path(cache_dir), files)
    wait_for_cache_writers()
    records = cache.read_records() if keep_cache else {}
    entries = cache.read_entries() if load_entries and keep_cache else {}
    cached_digests = set(entries)

    current: dict[str, tuple] = {}
    todo: list[tuple[str, str]] = []
    for path in files:
        display = _display(path, cwd)
        hit = records.get(path)  # with no cache at all (a first run), no file needs a stat here
        if (hit is not None and hit[0] is not None and hit[0] == _stamp(path) and hit[1] == display
                and (not load_entries or hit[3] is None or hit[2] in entries)):
            current[path] = hit
        else:
            todo.append((path, display))

    fresh = _check_all(todo, workers, load_entries)
    for (path, display), (stamp, digest, facts, problems, entry) in zip(todo, fresh, strict=True):
        current[path] = records[path] = (stamp, display, digest, facts, problems)
        if entry is not None:
            entries[digest] = entry

    report = Report(files_checked=len(files))
    report.problems.extend(found.problems(cwd))
    facts_by_file, paths_by_file = {}, {}
    for path, (_when, display, _digest, facts, problems) in current.items():
        report.problems.extend(Problem(*p) for p in problems)
        if facts is not None:
            report.problems.extend(_date_problems(facts[4], path, display, today))
            facts_by_file[display] = facts
            paths_by_file[display] = path
    report.problems.extend(_cross_file_problems(facts_by_file, paths_by_file))
    report.problems.sort()
    bad = {p.file for p in report.problems if p.severity == "error"}
    if load_entries:
        for display, path in sorted(paths_by_file.items()):
            if display not in bad:
                report.digests[display] = digest = current[path][2]
                report.entries[display] = entries[digest]
    if todo and keep_cache:
        gone = set(records) - set(current)
        records = {path: record for path, record in records.items() if path in current}
        changed = {path for path, _display in todo} | gone
        kept = {}
        if load_entries:
            digests = {record[2] for record in records.values()}
            kept = {d: e for d, e in entries.items() if d in digests}
        _write_cache(cache, records, changed, kept, set(kept) ^ cached_digests if load_entries else None,
                     in_background=len(todo) >= PARALLEL_THRESHOLD)
    return report


_CACHE_WRITERS: list[int] = []  # forked processes still writing this process's validation cache


def _write_cache(cache: _Cache, records: dict, changed: set, entries: dict, changed_entries: set | None,
                 in_background: bool) -> None:
    """Save the per-file results; after many changed files, in a forked process (like a database's
    background snapshot: it writes its copy of the data while this process goes on to build), so
    no core idles while one marshals tens of megabytes. The cache is only a speed-up and its files
    are replaced atomically; a run in this process waits for its writers before reading it."""
    forked = in_background and hasattr(os, "fork")
    if forked:
        pid = os.fork()
        if pid:
            _CACHE_WRITERS.append(pid)
            return
    try:
        cache.write_records(records, changed)
        if changed_entries is not None:
            cache.write_entries(entries, changed_entries)
    finally:
        if forked:
            os._exit(0)  # the writer: nothing of this process's own exit (buffers, handlers) runs twice


def wait_for_cache_writers() -> None:
    """Wait until the forked cache writers of this process have finished."""
    while _CACHE_WRITERS:
        try:
            os.waitpid(_CACHE_WRITERS.pop(), 0)
        except ChildProcessError:
            pass


atexit.register(wait_for_cache_writers)


def _stamp(path: str) -> tuple | None:
    """What says a file is unchanged since it was checked: (mtime, size, inode), None if missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _check_batch(batch: list[tuple[str, str]], keep_entries: bool = True) -> list[tuple]:
    """(stamp, digest, facts, problems as tuples, entry or None) for each (path, display) pair;
    the stamp is taken before the file is read, so a file changed meanwhile is checked again."""
    with no_gc():
        out = []
        for path, display in batch:
            stamp = _stamp(path)
            digest, entry, problems = check_file(path, display)
            facts = _facts(entry) if entry is not None else None
            out.append((stamp, digest, facts, [astuple(p) for p in problems], entry if keep_entries else None))
        return out


def _check_chunk(batch: list[tuple[str, str]], keep_entries: bool) -> bytes:
    """``_check_batch`` in a worker process, its results sent back as marshal (10x quicker to
    write than the pickle the pool would use)."""
    return marshal.dumps(_check_batch(batch, keep_entries))


def _check_all(batch: list[tuple[str, str]], workers: int | None, keep_entries: bool) -> list[tuple]:
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(batch) < PARALLEL_THRESHOLD:
        return _check_batch(batch, keep_entries)
    schema.entry_checker()  # compile and load once before forking: the workers inherit them
    len(postcodes())
    chunk = max(50, len(batch) // (workers * 16))  # small enough that both workers end together
    chunks = [batch[i:i + chunk] for i in range(0, len(batch), chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = pool.map(_check_chunk, chunks, [keep_entries] * len(chunks))
        threading.Thread(target=_read_ahead, args=([path for path, _display in batch],), daemon=True).start()
        return [result for part in parts for result in marshal.loads(part)]


def _read_ahead(paths: list[str]) -> None:
    """Ask the kernel to start reading the files the workers will read next (posix_fadvise
    WILLNEED returns at once). Files not read for a while are off the page cache, and a worker
    reading them one by one waits for the disk each time; this keeps many reads in flight."""
    if not hasattr(os, "posix_fadvise"):
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue  # the worker reports it
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)
