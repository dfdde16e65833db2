"""One writer at a time: an exclusive lock on a project, and recovery of an interrupted write.

``hold(cache_dir, wait=..., say=...)`` is a context manager taking ``fcntl.flock`` on
``<cache_dir>/write.lock``. Every command that writes listings or harvest state (``harvest``,
``from-issue``, ``linkwell.listings.store.write_entries``) holds it, so two runs never interleave. A
second run waits, saying who holds the lock (process id, command, since when), for up to ``wait``
seconds and then raises ``Busy`` (``wait=0`` refuses at once). The operating system releases the
lock when its holder dies, even by ``kill -9``; forked children (the validation cache writer, worker
pools) close their inherited copy at once, so they never keep a dead run's lock.

Whoever takes the lock first finishes or undoes an interrupted batch write of the run before it
(``linkwell.listings.journal.recover``); ``hold`` yields those sentences. ``finish_interrupted``
does the same for commands that only read, when no run is writing. The lock is re-entrant
within one process: an inner ``hold`` of the same folder only counts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from linkwell.listings import journal

LOCK_FILE = "write.lock"
JOURNAL_DIR = "journal"
DEFAULT_WAIT = 600.0  # seconds a second run waits for the first before refusing
POLL = 0.2

_held: dict[str, list] = {}  # lock file -> [fd, depth, cache folder] for the locks this process holds
_guard = threading.Lock()


class Busy(Exception):
    """Another run holds the lock; ``str()`` is a sentence for the person waiting."""


def _close_inherited() -> None:
    """In a forked child: drop the copies of our lock files (closing, never unlocking: the parent
    still holds them; the lock goes only when the parent's copy closes too)."""
    for fd, _depth, _folder in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_inherited)


def _holder(path: Path) -> str:
    """Who holds the lock, as written by its holder: 'process 123 (linkwell harvest, since 12:01:02 UTC)'."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return f"process {int(info['pid'])} ({str(info['command'])[:80]}, since {str(info['since'])[:30]})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another linkwell run"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _acquire(fd: int, path: Path, wait: float, say: Callable[[str], None]) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    holder = _holder(path)
    if wait <= 0:
        raise Busy(f"{holder} is writing to this project; nothing was done. Run again when it has finished.")
    say(f"Waiting for {holder} to finish writing to this project (up to {wait:.0f} s) ...")
    deadline = time.monotonic() + wait
    while True:
        time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise Busy(f"{_holder(path)} was still writing to this project after {wait:.0f} s; nothing was "
                           "done. Run again when it has finished.") from None


def command_line() -> str:
    """This process's command as people typed it, for the lock file."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if name == "__main__.py":
        name = "linkwell"
    return " ".join([name, *sys.argv[1:2]])


@contextlib.contextmanager
def hold(cache_dir: Path, wait: float = DEFAULT_WAIT, say: Callable[[str], None] | None = None,
         command: str | None = None) -> Iterator[list[str]]:
    """Hold the project's write lock; yields what recovering an interrupted write did (sentences)."""
    say = say or _stderr
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / LOCK_FILE
    key = os.path.realpath(path)
    with _guard:
        mine = _held.get(key)
        if mine is not None:
            mine[1] += 1
    if mine is not None:
        try:
            yield []
        finally:
            with _guard:
                mine[1] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _acquire(fd, path, wait, say)
        since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        info = json.dumps({"pid": os.getpid(), "command": command or command_line(), "since": since}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, info, 0)
        with _guard:
            _held[key] = [fd, 1, cache_dir]
        recovered = journal.recover(cache_dir / JOURNAL_DIR)
        for line in recovered:
            say(line)
        yield recovered
    finally:
        with _guard:
            _held.pop(key, None)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # releases the lock


def finish_interrupted(cache_dir: Path, say: Callable[[str], None] | None = None) -> list[str]:
    """For commands that only read (``validate``, ``build``): when a killed run left a batch in the
    journal and nobody holds the lock, finish or undo it now, as the next writer would; when a run
    is writing, leave its batch alone. Returns what was done."""
    folder = Path(cache_dir) / JOURNAL_DIR
    try:
        if not any(folder.iterdir()):
            return []
    except OSError:
        return []
    try:
        with hold(cache_dir, wait=0, say=say or _stderr, command="linkwell (finishing an interrupted write)") as done:
            return done
    except Busy:
        return []


def held_folder() -> Path | None:
    """The cache folder whose lock this process holds (the first one taken), or None."""
    with _guard:
        return next((folder for _fd, _depth, folder in _held.values()), None)
