"""Real nginx and Caddy (Debian's packages, installed by ``./run tests``) serving a built site on
127.0.0.1 with the configuration snippets the for-councils page gives (``linkwell.publish.feeds.hosting``).

``nginx(site)`` and ``caddy(site)`` are context managers yielding the site's base URL. Each server
runs in the foreground as a child process with every file it writes (pid, logs, temporary folders,
Caddy's data) under a scratch folder, so nothing on the machine is touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from linkwell.publish.feeds.hosting import CADDY, NGINX


def find(name: str) -> str:
    """The server's executable (nginx lives in /usr/sbin, which a user's PATH may lack)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    assert found, f"{name} is not installed: ./run tests installs it with apt-get"
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, f"the server stopped: {log.read_text(errors='replace')[-2000:]}"
        assert time.monotonic() < deadline, "the server never listened"
        time.sleep(0.05)


@contextlib.contextmanager
def _running(command: list[str], port: int, log: Path, env: dict | None = None):
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def nginx(site: Path):
    """nginx serving ``site`` at the root of http://127.0.0.1:<port>/ with ``hosting.NGINX`` inside
    its ``server`` block, as a council's web team would paste it."""
    port, work = _free_port(), Path(tempfile.mkdtemp(prefix="linkwell-nginx-"))
    temp = {name: work / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    conf = work / "nginx.conf"
    conf.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    server {{
        listen 127.0.0.1:{port};
        root {site};
{NGINX}
    }}
}}
""", encoding="utf-8")
    try:
        with _running([find("nginx"), "-e", str(work / "error.log"), "-p", str(work), "-c", str(conf),
                       "-g", "daemon off;"], port, work / "output.log") as url:
            yield url
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def caddy(site: Path):
    """Caddy serving ``site`` at http://127.0.0.1:<port>/ with ``hosting.CADDY`` in its site block."""
    port, work = _free_port(), Path(tempfile.mkdtemp(prefix="linkwell-caddy-"))
    conf = work / "Caddyfile"
    conf.write_text(f"""{{
    admin off
    auto_https off
}}
http://127.0.0.1:{port} {{
    root * {site}
{CADDY}
    file_server
}}
""", encoding="utf-8")
    env = dict(os.environ, HOME=str(work), XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    try:
        with _running([find("caddy"), "run", "--config", str(conf), "--adapter", "caddyfile"], port,
                      work / "output.log", env=env) as url:
            yield url
    finally:
        shutil.rmtree(work, ignore_errors=True)
