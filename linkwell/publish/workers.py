"""The feeds and the search index, written beside the pages while the pages are rendered.

``start(entries, out_dir, today, feeds=True, search=True, digests=None)`` forks one process per
output (``feeds.write_feeds``, ``search.index.write_search_index``) and returns ``Workers``, or
None when there is one core or nothing to write; ``Workers.wait()`` returns when both have
finished and raises with a worker's error; ``stop()`` ends them. ``write_now(...)`` writes the
same outputs in this process. The workers only write the feed files, ``openreferral/``,
``search/`` and ``postcodes/`` (never a page), so they can start as soon as the output folder is
ready. The entries reach them by ``fork`` (no copy through a pipe); each reports back only
``None`` or the text of its error.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import traceback
from pathlib import Path


class WorkerError(RuntimeError):
    """A feeds or search index worker failed; the message holds its traceback."""


def _write_feeds(entries, out_dir: Path, today: dt.date, digests: dict[str, str]) -> None:
    from linkwell.publish.feeds import write_feeds
    write_feeds(entries, out_dir, digests=digests)


def _write_search_index(entries, out_dir: Path, today: dt.date, digests: dict[str, str]) -> None:
    from linkwell.publish.search.index import write_search_index
    write_search_index(entries, out_dir, today, digests=digests)


def _outputs(feeds: bool, search: bool) -> list:
    return [job for job, wanted in ((_write_feeds, feeds), (_write_search_index, search)) if wanted]


def _child(job, args, report) -> None:
    gc.disable()  # a process that ends with the build: no collector passes (nor one big one at the end)
    try:
        job(*args)
    except BaseException:
        report.send(traceback.format_exc())
        raise
    report.send(None)


class Workers:
    """Forked processes writing the feeds and the search index (see the module docstring)."""

    def __init__(self, jobs: list, args: tuple):
        context = multiprocessing.get_context("fork")
        self.running = []
        for job in jobs:
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(job, args, writer), daemon=True,
                                      name=f"linkwell{job.__name__}")
            process.start()
            writer.close()
            self.running.append((job.__name__.strip("_").replace("_", " "), process, reader))

    def wait(self) -> None:
        try:
            for name, process, reader in self.running:
                try:
                    error = reader.recv()
                except EOFError:
                    error = f"the process ended without a word (exit code {process.join() or process.exitcode})"
                if error:
                    raise WorkerError(f"{name} failed:\n{error}")
        finally:
            self.stop()

    def stop(self) -> None:
        for _name, process, reader in self.running:
            if process.is_alive():
                process.terminate()
            process.join()
            reader.close()
        self.running = []


def start(entries: list[dict], out_dir: Path, today: dt.date | None = None, feeds: bool = True,
          search: bool = True, digests: dict[str, str] | None = None, cores: int | None = None) -> Workers | None:
    jobs = _outputs(feeds, search)
    if not jobs or (cores or os.cpu_count() or 1) < 2:
        return None
    args = (sorted(entries, key=lambda e: e["id"]), Path(out_dir), today or dt.date.today(), digests or {})
    return Workers(jobs, args)


def write_now(entries: list[dict], out_dir: Path, today: dt.date | None = None, feeds: bool = True,
              search: bool = True, digests: dict[str, str] | None = None) -> None:
    """The same outputs as ``start``, written in this process."""
    args = (sorted(entries, key=lambda e: e["id"]), Path(out_dir), today or dt.date.today(), digests or {})
    for job in _outputs(feeds, search):
        job(*args)
