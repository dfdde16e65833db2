"""Validate directory entries: schema, semantic and cross-file checks, fast and cached.

``validate_paths(paths, today=None, cache_dir=None)`` accepts files and folders (folders are
searched for ``*.yml``), and returns a ``Report``: ``entries`` (path -> dict, for every file that
loaded and passed the schema), ``digests`` (path -> digest of the file's bytes: a content key for
incremental builds) and ``problems`` (``Problem`` with file, line, field, message,
severity). The checks themselves are in ``linkwell.listings.rules``; in order:

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
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, field
from pathlib import Path

from linkwell import __version__
from linkwell.listings.rules import Problem, check_file, cross_file_problems, date_problems, entry_facts
from linkwell.reference import schema
from linkwell.reference.postcodes import POSTCODE_FILE, postcodes
from linkwell.speed import cachefile
from linkwell.speed.gc import no_gc

PARALLEL_THRESHOLD = 400  # below this many changed files, one process is faster


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
            report.problems.extend(date_problems(facts[4], path, display, today))
            facts_by_file[display] = facts
            paths_by_file[display] = path
    report.problems.extend(cross_file_problems(facts_by_file, paths_by_file))
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
            facts = entry_facts(entry) if entry is not None else None
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
