"""HTTP for every harvester, in one place: polite, patient and cache-aware.

``make_session(timeout=...)`` returns a ``requests.Session`` with a descriptive User-Agent and
urllib3 ``Retry`` (backoff on connection errors, 429 and 5xx, honouring ``Retry-After`` up to
``MAX_RETRY_AFTER`` seconds). ``timeout`` is per connect and per read; the deadlines below bound
the whole request, however slowly a server drips its answer (``linkwell.harvest.deadline``).

``Fetcher(session, state_dir, pace_seconds, robots, origin=..., allow_origins=..., deadline=...,
source_deadline=...)`` is what harvesters call:
``fetcher.get_json(url)`` / ``fetcher.get_bytes(url)`` return the body or raise ``FetchError``
with a sentence naming the URL and what went wrong (never a traceback). It

- waits at least ``pace_seconds`` between two requests to the same host;
- sends ``If-None-Match`` / ``If-Modified-Since`` from the last response to the same URL and,
  on ``304 Not Modified``, returns the body stored then: 304 means "unchanged", never "empty"
  (``fetcher.not_modified`` counts those);
- with ``robots=True`` (for web pages and downloads, not APIs) checks the site's robots.txt
  with ``urllib.robotparser`` first and refuses what it disallows;
- stays on the source: every URL it fetches, and every redirect it follows (by hand, at most
  ``MAX_REDIRECTS``), must have the scheme, host and port of ``origin`` or of one of
  ``allow_origins`` (the source's ``http.allow_origins``); an ``http`` origin also admits the
  same host over ``https`` (an upgrade, never a downgrade);
- gives each request at most ``deadline`` seconds from its first byte sent to its last byte read
  (retries and their waits included) and the whole source at most ``source_deadline``.

Conditional-GET state lives in ``<state_dir>/http-cache/<hash>.json``, one file per URL. A fetch
does not write it: new copies wait in ``fetcher.pending`` (``{path: bytes}``) until the caller
writes them together with the listings they produced.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.robotparser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from linkwell import __version__

from .deadline import DeadlineAdapter, DeadlineExceeded, DeadlineRetry, watch

USER_AGENT = (f"Linkwell/{__version__} (+https://github.com/linkwell-london/linkwell; directory harvester; "
              "London social-prescribing directory)")
MAX_RETRY_AFTER = 120  # seconds: a longer Retry-After is capped, then the next attempt is made
DEFAULT_TIMEOUT = (10.0, 30.0)  # connect, read
DEFAULT_DEADLINE = 300.0  # seconds for one request, retries included
DEFAULT_SOURCE_DEADLINE = 3600.0  # seconds for every request of one source together
MAX_REDIRECTS = 10
_DEFAULT_PORTS = {"http": 80, "https": 443}


class FetchError(Exception):
    """A request that failed for good; ``str()`` is a sentence for the report."""


class _TimeoutSession(requests.Session):
    def __init__(self, timeout):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, **kwargs)


def make_session(timeout: float | tuple[float, float] = DEFAULT_TIMEOUT, retries: int = 4,
                 backoff: float = 0.5) -> requests.Session:
    """A session with timeouts, retries with backoff on 429/5xx (honouring Retry-After) and our
    User-Agent. ``retries`` counts attempts after the first."""
    retry = DeadlineRetry(total=retries, connect=retries, read=min(retries, 2), status=retries,
                  backoff_factor=backoff, backoff_max=30,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
                  respect_retry_after_header=True, retry_after_max=MAX_RETRY_AFTER,
                  raise_on_status=False, raise_on_redirect=False)
    session = _TimeoutSession(timeout)
    adapter = DeadlineAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})
    return session


def origin_of(url: str) -> str:
    """'https://Example.org:443/x' -> 'https://example.org:443': scheme, host and port, as compared."""
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = None
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def _with_https(origins: set[str]) -> set[str]:
    """An ``http`` origin on the default port also admits ``https`` on the same host's default
    port: publishers move to https and redirect there; the same site, never a downgrade."""
    upgraded = {"https://" + o.removeprefix("http://").removesuffix(":80") + ":443"
                for o in origins if o.startswith("http://") and o.endswith(":80")}
    return origins | upgraded


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.exceptions.Timeout):
        return "the server did not answer in time (timeout)"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        if "Max retries exceeded" in text and "too many" in text and "error responses" in text:
            return "the server kept answering with errors after several retries"
        if "Read timed out" in text or "timed out" in text:
            return "the server did not answer in time (timeout)"
        return "could not connect (offline, wrong address, or the server is down)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the response was cut off before it ended (truncated)"
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "the response could not be decoded"
    return f"the request failed ({type(exc).__name__})"


class Fetcher:
    """Polite GETs for one source; see the module docstring."""

    def __init__(self, session: requests.Session | None = None, state_dir: Path | None = None,
                 pace_seconds: float = 1.0, robots: bool = False, max_bytes: int = 200_000_000,
                 origin: str | None = None, allow_origins: list[str] | tuple = (),
                 deadline: float = DEFAULT_DEADLINE, source_deadline: float = DEFAULT_SOURCE_DEADLINE):
        self.session = session or make_session()
        self.origins = _with_https({origin_of(u) for u in (origin, *allow_origins) if u}) if origin else None
        self.deadline = deadline
        self.source_deadline_seconds = source_deadline
        self.source_deadline = time.monotonic() + source_deadline
        self.pending: dict[Path, bytes] = {}
        self.cache_dir = Path(state_dir) / "http-cache" if state_dir else None
        self.pace_seconds = pace_seconds
        self.robots = robots
        self.max_bytes = max_bytes
        self.not_modified = 0
        self.requests = 0
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._lock = threading.Lock()

    # --- politeness ---------------------------------------------------------------------------

    def _pace(self, url: str) -> None:
        host = urlsplit(url).netloc
        with self._lock:
            wait = self._last_request.get(host, 0.0) + self.pace_seconds - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, max(0.0, self.source_deadline - time.monotonic())))
            self._last_request[host] = time.monotonic()

    def _robots_allow(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            self._pace(origin)
            try:
                response = self.session.get(origin + "/robots.txt")
            except requests.RequestException as exc:
                raise FetchError(f"{origin}/robots.txt: {_describe(exc)}; not fetching {url} without "
                                 "knowing the site's rules") from None
            if response.status_code >= 500:
                raise FetchError(f"{origin}/robots.txt answered HTTP {response.status_code}; not fetching "
                                 f"{url} without knowing the site's rules")
            if response.status_code in (401, 403):
                parser.disallow_all = True
            elif response.status_code >= 400:
                parser.allow_all = True
            else:
                parser.parse(response.text.splitlines())
            self._robots[origin] = parser
        if not self._robots[origin].can_fetch(USER_AGENT, url):
            raise FetchError(f"{url}: the site's robots.txt does not allow harvesters to fetch it; ask the "
                             "publisher for an open-data link or set robots: false only with their permission")

    # --- conditional GET cache ----------------------------------------------------------------

    def _cache_file(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")

    def _cached(self, url: str) -> dict | None:
        path = self._cache_file(url)
        if path is None:
            return None
        try:
            if path in self.pending:
                cached = json.loads(self.pending[path])
            else:
                with open(path, encoding="utf-8") as f:
                    cached = json.load(f)
            return cached if cached.get("url") == url and isinstance(cached.get("body"), str) else None
        except (OSError, ValueError):
            return None

    def _store(self, url: str, response: requests.Response, body: bytes) -> None:
        path = self._cache_file(url)
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if path is None or not (etag or modified):
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return
        self.pending[path] = json.dumps({"url": url, "etag": etag, "last_modified": modified,
                                         "body": text}).encode("utf-8")

    # --- the requests -------------------------------------------------------------------------

    def check_origin(self, url: str, how: str = "") -> None:
        """Refuse a URL outside the source's scheme, host and port (and its allowed origins)."""
        if not url.startswith(("http://", "https://")):
            raise FetchError(f"{url}: only http:// and https:// addresses can be harvested")
        if self.origins is not None and origin_of(url) not in self.origins:
            allowed = ", ".join(sorted(self.origins))
            raise FetchError(f"{how or url + ': is'} on another site than the source ({allowed}); not followed. "
                             "If the publisher really serves it from there, add "
                             f"{origin_of(url)} to the source's http.allow_origins in the sources file")

    def _request_deadline(self, url: str) -> tuple[float, str]:
        now = time.monotonic()
        if now >= self.source_deadline:
            raise FetchError(f"{url}: not fetched: the source took longer than its {self.source_deadline_seconds:g} s "
                             "in all (http.source_deadline)")
        if now + self.deadline <= self.source_deadline:
            return now + self.deadline, (f"no complete answer within {self.deadline:g} s (http.deadline per request);"
                                         " the server is too slow or drips its answer")
        return self.source_deadline, (f"the source took longer than its {self.source_deadline_seconds:g} s in all "
                                      "(http.source_deadline)")

    def get_bytes(self, url: str, accept: str = "application/json") -> bytes:
        self.check_origin(url)
        cached = self._cached(url)
        headers = {"Accept": accept}
        if cached:
            if cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = cached["last_modified"]
        deadline, late = self._request_deadline(url)
        try:
            with watch(deadline) as timer:
                response, final = self._follow(url, headers)
                if response.status_code == 304 and cached:
                    response.close()
                    self.not_modified += 1
                    return cached["body"].encode("utf-8")
                if response.status_code != 200:
                    response.close()
                    raise FetchError(self._status_message(final, response))
                body = self._read(final, response)
        except DeadlineExceeded:
            raise FetchError(f"{url}: {late}") from None
        except requests.RequestException as exc:
            raise FetchError(f"{url}: {late if timer.fired else _describe(exc)}") from None
        if timer.fired:
            raise FetchError(f"{url}: {late}")
        expected = response.headers.get("Content-Length")
        if expected and expected.isdigit() and "Content-Encoding" not in response.headers \
                and int(expected) != len(body):
            raise FetchError(f"{url}: the response was cut off ({len(body)} of {expected} bytes)")
        self._store(url, response, body)
        return body

    def _follow(self, url: str, headers: dict) -> tuple[requests.Response, str]:
        """GET ``url``, following redirects by hand so each one is checked; (response, its URL)."""
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            if self.robots:
                self._robots_allow(current)
            self._pace(current)
            self.requests += 1
            response = self.session.get(current, headers=headers, stream=True, allow_redirects=False)
            if not response.is_redirect:
                return response, current
            target = urljoin(current, response.headers["Location"])
            response.close()
            self.check_origin(target, f"{url}: redirects to {target}, which is")
            current = target
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _read(self, url: str, response: requests.Response) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_content(65536):
            size += len(chunk)
            if size > self.max_bytes:
                response.close()
                raise FetchError(f"{url}: the response is larger than {self.max_bytes // 1_000_000} MB; "
                                 "refusing to read it")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _status_message(url: str, response: requests.Response) -> str:
        code = response.status_code
        if code == 429:
            return f"{url}: HTTP 429 Too Many Requests even after waiting and retrying; try again later"
        if code >= 500:
            return f"{url}: HTTP {code} server error even after retrying; the source may be down"
        if code == 404:
            return f"{url}: HTTP 404 Not Found; check the source's url in the sources file"
        if code in (401, 403):
            return f"{url}: HTTP {code}; the source needs permission (an API key?) we do not have"
        if code == 304:
            return f"{url}: HTTP 304 Not Modified but no earlier copy is stored; run again"
        return f"{url}: unexpected HTTP {code}"

    def get_json(self, url: str, accept: str = "application/json"):
        body = self.get_bytes(url, accept)
        if not body.strip():
            raise FetchError(f"{url}: the response was empty (no JSON at all)")
        try:
            return json.loads(body)
        except UnicodeDecodeError:
            raise FetchError(f"{url}: the response is not UTF-8 text") from None
        except ValueError as exc:
            where = f" at character {exc.pos}" if getattr(exc, "pos", None) is not None else ""
            truncated = " (it looks cut off: truncated)" if getattr(exc, "pos", 0) and exc.pos >= len(body.rstrip()) \
                else ""
            raise FetchError(f"{url}: the response is not valid JSON{where}{truncated}") from None
