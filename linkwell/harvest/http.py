"""HTTP for every harvester, in one place: polite, patient and cache-aware.

``make_session(timeout=...)`` returns a ``requests.Session`` with a descriptive User-Agent and
urllib3 ``Retry`` (backoff on connection errors, 429 and 5xx, honouring ``Retry-After`` up to
``MAX_RETRY_AFTER`` seconds). Redirects are followed, so a moved endpoint still works.

``Fetcher(session, state_dir, pace_seconds, robots)`` is what harvesters call:
``fetcher.get_json(url)`` / ``fetcher.get_bytes(url)`` return the body or raise ``FetchError``
with a sentence naming the URL and what went wrong (never a traceback). It

- waits at least ``pace_seconds`` between two requests to the same host;
- sends ``If-None-Match`` / ``If-Modified-Since`` from the last response to the same URL and,
  on ``304 Not Modified``, returns the body stored then: 304 means "unchanged", never "empty"
  (``fetcher.not_modified`` counts those);
- with ``robots=True`` (for web pages and downloads, not APIs) checks the site's robots.txt
  with ``urllib.robotparser`` first and refuses what it disallows.

Conditional-GET state lives in ``<state_dir>/http-cache/<hash>.json``, one file per URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import urllib.robotparser
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = ("Linkwell/0.1 (+https://github.com/linkwell-london/linkwell; directory harvester; "
              "London social-prescribing directory)")
MAX_RETRY_AFTER = 120  # seconds: a longer Retry-After is capped, then the next attempt is made
DEFAULT_TIMEOUT = (10.0, 30.0)  # connect, read


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
    retry = Retry(total=retries, connect=retries, read=min(retries, 2), status=retries,
                  backoff_factor=backoff, backoff_max=30,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
                  respect_retry_after_header=True, retry_after_max=MAX_RETRY_AFTER,
                  raise_on_status=False, raise_on_redirect=False)
    session = _TimeoutSession(timeout)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})
    return session


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
                 pace_seconds: float = 1.0, robots: bool = False, max_bytes: int = 200_000_000):
        self.session = session or make_session()
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
                time.sleep(wait)
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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"url": url, "etag": etag, "last_modified": modified, "body": text}, f)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs bandwidth

    # --- the requests -------------------------------------------------------------------------

    def get_bytes(self, url: str, accept: str = "application/json") -> bytes:
        if not url.startswith(("http://", "https://")):
            raise FetchError(f"{url}: only http:// and https:// addresses can be harvested")
        if self.robots:
            self._robots_allow(url)
        cached = self._cached(url)
        headers = {"Accept": accept}
        if cached:
            if cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = cached["last_modified"]
        self._pace(url)
        self.requests += 1
        try:
            response = self.session.get(url, headers=headers, stream=True)
            if response.status_code == 304 and cached:
                response.close()
                self.not_modified += 1
                return cached["body"].encode("utf-8")
            if response.status_code != 200:
                response.close()
                raise FetchError(self._status_message(url, response))
            chunks, size = [], 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    response.close()
                    raise FetchError(f"{url}: the response is larger than {self.max_bytes // 1_000_000} MB; "
                                     "refusing to read it")
                chunks.append(chunk)
            body = b"".join(chunks)
        except requests.RequestException as exc:
            raise FetchError(f"{url}: {_describe(exc)}") from None
        expected = response.headers.get("Content-Length")
        if expected and expected.isdigit() and "Content-Encoding" not in response.headers \
                and int(expected) != len(body):
            raise FetchError(f"{url}: the response was cut off ({len(body)} of {expected} bytes)")
        self._store(url, response, body)
        return body

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
