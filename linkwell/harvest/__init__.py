"""Harvesters: read council ORUK APIs, OpenActive RPDE feeds and CVS spreadsheets into candidates.

One module per source kind (``oruk``, ``openactive``, ``spreadsheet``), sharing ``http`` (the only
code that makes requests), ``geocode`` (postcode -> coordinates and borough), ``mapping`` (labels
-> our categories and activities), ``text`` (HTML to plain text, days, times, dates) and
``candidate`` (what a harvester returns). ``config`` reads ``harvesters/sources.yml``.

``run_source(source, today, state_dir)`` runs one source and always returns a ``SourceResult``:
a failure (network, HTTP status, malformed or truncated JSON, unreadable file) is a sentence in
``result.error``, never an exception. What a run would keep for the next one (the RPDE position,
the conditional-GET copies) is not written by it: with ``pending={}`` it is collected there as
``{path: bytes}``, for the caller to write in the same all-or-nothing batch as the listings it
belongs to (``linkwell.harvest.merge.Plan.apply(files=...)``), so a refused, dry or killed run keeps none of
it. ``linkwell.harvest.merge`` turns results into listing files.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .candidate import Candidate, Finisher, Skip, SourceResult
from .geocode import Geography
from .http import DEFAULT_DEADLINE, DEFAULT_SOURCE_DEADLINE, Fetcher, FetchError, make_session
from .oruk import SourceFormatError
from .sources import Source, SourcesError, load_sources

__all__ = ["Candidate", "Skip", "Source", "SourceResult", "SourcesError", "load_sources", "run_source",
           "state_files"]


def _state_file(state_dir: Path, source: Source) -> Path:
    return Path(state_dir) / source.id / "state.json"


def load_state(state_dir: Path | None, source: Source) -> dict:
    if state_dir is None:
        return {}
    try:
        data = json.loads(_state_file(state_dir, source).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and data.get("url") == source.location else {}
    except (OSError, ValueError):
        return {}


def state_files(result: SourceResult, state_dir: Path | None) -> dict[Path, bytes]:
    """The RPDE position file of a result, as ``{path: bytes}`` (empty when there is none)."""
    if state_dir is None or result.state is None:
        return {}
    text = json.dumps({"url": result.source.location, **result.state}, sort_keys=True)
    return {_state_file(state_dir, result.source): text.encode("utf-8")}


def make_fetcher(source: Source, state_dir: Path | None, session=None) -> Fetcher:
    http = source.http
    session = session or make_session(timeout=http.get("timeout", 30), retries=http.get("retries", 4),
                                      backoff=http.get("backoff", 0.5))
    robots = http.get("robots", source.kind == "spreadsheet")
    return Fetcher(session, Path(state_dir) / source.id if state_dir else None,
                   pace_seconds=http.get("pace_seconds", 1.0), robots=robots, origin=source.url,
                   allow_origins=http.get("allow_origins", []),
                   deadline=http.get("deadline", DEFAULT_DEADLINE),
                   source_deadline=http.get("source_deadline", DEFAULT_SOURCE_DEADLINE))


def run_source(source: Source, today: dt.date | None = None, state_dir: Path | None = None,
               session=None, pending: dict[Path, bytes] | None = None) -> SourceResult:
    """Harvest one source; see the module docstring."""
    from . import openactive, oruk, spreadsheet

    today = today or dt.date.today()
    result = SourceResult(source)
    fetcher = make_fetcher(source, state_dir, session)
    geography = Geography(source.geocoder, Path(state_dir) / source.id if state_dir else None)
    finisher = Finisher(source, result, geography, today)
    try:
        if source.kind == "oruk":
            oruk.harvest(source, fetcher, finisher, result)
        elif source.kind == "openactive":
            openactive.harvest(source, fetcher, finisher, result, load_state(state_dir, source))
        else:
            spreadsheet.harvest(source, fetcher, finisher, result)
    except (FetchError, SourceFormatError) as exc:
        result.error = str(exc)
    except Exception as exc:  # a bug or a shape nobody expected: report it, never a traceback
        result.error = f"{source.location}: could not be harvested ({type(exc).__name__}: {exc})"
    finally:
        fetcher.session.close()
    result.notes += geography.notes
    result.not_modified = fetcher.requests > 0 and fetcher.not_modified == fetcher.requests
    geography.save()
    if pending is not None and not result.error:
        pending.update(fetcher.pending)
        pending.update(state_files(result, state_dir))
    return result
