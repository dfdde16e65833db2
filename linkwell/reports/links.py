"""Check that the websites listed in the directory still answer; never edits any listing.

``collect(entries)`` maps each distinct URL (``contact.website`` and ``organisation.website``)
to the listings and fields that use it. ``check_urls(urls, ...)`` fetches them concurrently but
politely: at most ``per_host`` requests at a time to one host (``workers`` overall), a
``Range: bytes=0-0`` GET so only a byte of each page is asked for (a server that refuses the
range with 416 is asked again without it), connect/read timeouts, up to ``retries`` retries
with backoff on timeouts, connection errors, 429 and 5xx (``Retry-After`` honoured up to 30 s),
redirects followed and recorded, and a descriptive User-Agent.

Each ``LinkResult`` has ``verdict``: ``ok``; ``moved`` (works, but through a permanent 301/308
redirect: update the listing to ``final_url``); ``dead`` (404, 410, other 4xx, 5xx after
retries, refused, timed out, unknown host, redirect loop); or ``check`` (401, 403, 429: the
site answered but would not show the page to a robot; a person should look).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

USER_AGENT = "Linkwell link checker (+https://linkwell.london/for-councils/; checks listed websites weekly)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
CHECK_STATUSES = {401, 403, 429}
MAX_RETRY_AFTER = 30.0


@dataclass
class LinkResult:
    url: str
    verdict: str  # ok | moved | dead | check
    status: int | None = None
    final_url: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, location) per hop
    error: str | None = None
    attempts: int = 0
    used_by: list[str] = field(default_factory=list)  # "<entry id> (<field>)"

    @property
    def reason(self) -> str:
        if self.error:
            return self.error
        text = f"HTTP {self.status}"
        return text + (f" after redirect to {self.final_url}" if self.redirects and self.verdict != "moved" else "")


def collect(entries) -> dict[str, list[str]]:
    """``{url: ["entry-id (contact.website)", ...]}`` for every website in the entries, sorted."""
    used: dict[str, list[str]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e["id"]):
        for where, url in (("contact.website", (entry.get("contact") or {}).get("website")),
                           ("organisation.website", entry["organisation"].get("website"))):
            if url:
                used[url].append(f"{entry['id']} ({where})")
    return dict(sorted(used.items()))


class _HostLimits:
    def __init__(self, per_host: int):
        self._per_host = per_host
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.Semaphore] = {}

    def __call__(self, url: str) -> threading.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            if host not in self._semaphores:
                self._semaphores[host] = threading.Semaphore(self._per_host)
            return self._semaphores[host]


def _retry_after(response, default: float) -> float:
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return default
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _fetch(session: requests.Session, url: str, timeout: tuple[float, float], use_range: bool):
    headers = {"Range": "bytes=0-0"} if use_range else {}
    response = session.get(url, headers=headers, timeout=timeout, allow_redirects=True, stream=True)
    response.close()  # only the status line and headers are needed
    return response


def check_url(url: str, session: requests.Session, limit: threading.Semaphore, *, timeout=(5.0, 10.0),
              retries: int = 2, backoff: float = 1.0) -> LinkResult:
    result = LinkResult(url=url, verdict="dead")
    use_range = True
    attempt = 0
    while True:
        attempt += 1
        result.attempts = attempt
        response, wait = None, backoff * 2 ** (attempt - 1)
        try:
            with limit:
                response = _fetch(session, url, timeout, use_range)
            if response.status_code == 416 and use_range:
                use_range = False
                continue
            result.status, result.error = response.status_code, None
            result.final_url = response.url
            result.redirects = [(r.status_code, r.headers.get("Location", "")) for r in response.history]
        except requests.exceptions.TooManyRedirects:
            result.error = "too many redirects (a redirect loop?)"
            return result
        except requests.exceptions.Timeout:
            result.error = f"no answer within {timeout[1]:g} s (timed out)"
        except requests.exceptions.ConnectionError as error:
            text = str(error)
            if "Connection refused" in text or "Errno 111" in text:
                result.error = "connection refused"
            elif "Name or service not known" in text or "getaddrinfo" in text or "NameResolution" in text:
                result.error = "unknown host (DNS lookup failed)"
            else:
                result.error = "could not connect"
        except requests.exceptions.RequestException as error:
            result.error = f"request failed: {type(error).__name__}"
            return result
        retryable = result.error is not None or result.status in RETRY_STATUSES
        if not retryable or attempt > retries:
            break
        time.sleep(_retry_after(response, wait))
    if result.error is None:
        if result.status < 400:
            permanent = any(status in (301, 308) for status, _ in result.redirects)
            result.verdict = "moved" if permanent else "ok"
        elif result.status in CHECK_STATUSES:
            result.verdict = "check"
    return result


def check_urls(urls, *, per_host: int = 2, workers: int = 8, timeout=(5.0, 10.0), retries: int = 2,
               backoff: float = 1.0, session: requests.Session | None = None) -> list[LinkResult]:
    """Check every URL (in the given order); see the module docstring for the rules."""
    urls = list(urls)
    limits = _HostLimits(per_host)
    own_session = session is None
    session = session or requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    adapter = requests.adapters.HTTPAdapter(pool_connections=workers, pool_maxsize=workers, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(lambda u: check_url(u, session, limits(u), timeout=timeout, retries=retries,
                                                     backoff=backoff), urls))
    finally:
        if own_session:
            session.close()


def check_entries(entries, **options) -> list[LinkResult]:
    used = collect(entries)
    results = check_urls(list(used), **options)
    for result in results:
        result.used_by = used[result.url]
    return results


def render_text(results: list[LinkResult], listings: int) -> str:
    counts = defaultdict(int)
    for r in results:
        counts[r.verdict] += 1
    lines = [f"Checked {len(results)} links from {listings} listings: {counts['ok']} ok, {counts['moved']} moved, "
             f"{counts['check']} to check by hand, {counts['dead']} dead."]
    labels = {"dead": "DEAD ", "moved": "MOVED", "check": "CHECK"}
    for verdict in ("dead", "moved", "check"):
        for r in (r for r in results if r.verdict == verdict):
            if verdict == "moved":
                what = f"now {r.final_url} ({' → '.join(str(s) for s, _ in r.redirects)}): update the listing"
            else:
                what = r.reason
            lines.append(f"{labels[verdict]} {r.url} — {what} — used by {', '.join(r.used_by)}")
    return "\n".join(lines) + "\n"
