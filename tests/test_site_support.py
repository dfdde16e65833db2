"""Helpers for the website tests (no tests here): build a site once, serve it, open Chromium.

``bundled_site(tmp_path_factory)`` builds the bundled directory/ with the real ``linkwell build``
once per test session; ``build(directory, out)`` builds any folder of listings; ``serve(root)``
serves a folder over HTTP on 127.0.0.1; ``chromium()`` launches Debian's headless Chromium.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:  # for bench.synthetic
    sys.path.insert(0, str(PROJECT))
LINKWELL = [sys.executable, "-m", "linkwell"]
ARTIFACTS = PROJECT / "test-artifacts" / "site"
TILE_PNG = bytes.fromhex(  # a 1x1 light grey PNG served instead of map tiles (no network in tests)
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8fffd3f0005fe02fea7d6a9c40000000049454e44ae426082")
_BUILT: dict[str, Path] = {}


def run_linkwell(*args, cwd=PROJECT, cache=None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if cache:
        env["LINKWELL_CACHE_DIR"] = str(cache)
    return subprocess.run([*LINKWELL, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def build(directory: Path | None, out: Path, cache: Path) -> subprocess.CompletedProcess:
    args = ["build", "--out", out] + (["--directory", directory] if directory else [])
    return run_linkwell(*args, cache=cache)


def bundled_site(tmp_path_factory) -> Path:
    """The bundled directory built once per session (the real MkDocs build)."""
    if "bundled" not in _BUILT:
        out = tmp_path_factory.mktemp("bundled") / "site"
        result = build(None, out, tmp_path_factory.mktemp("cache"))
        assert result.returncode == 0, result.stdout + result.stderr
        _BUILT["bundled"] = out
    return _BUILT["bundled"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(root: Path):
    """Serve ``root`` on http://127.0.0.1:<port>/ for the duration of the block."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--headless", "--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, width=1280, height=900, tiles="stub"):
    """A page whose map tiles are stubbed ("stub") or fail ("fail"); records dialogs and console errors."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    if tiles == "fail":
        page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    else:
        page.route("**/tile.openstreetmap.org/**",
                   lambda route: route.fulfill(status=200, content_type="image/png", body=TILE_PNG))
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
