"""An overall deadline for an HTTP request made through ``requests``, however the server behaves.

Timeouts in ``requests``/urllib3 apply to each connect and each read, so a server that sends one
byte every few seconds never trips them. ``with watch(deadline) as timer:`` around a request gives
it until ``deadline`` (``time.monotonic()``) in all: when the time comes, a timer thread shuts down
the socket of the connection carrying this thread's request (``timer.fired`` is then true), which
ends whatever read is waiting; retries (``DeadlineRetry``) stop waiting and trying once the
deadline is past, raising ``DeadlineExceeded``. Sessions need ``DeadlineAdapter`` mounted (which
makes urllib3 use connections that say which thread they serve) and ``DeadlineRetry``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

_deadlines: dict[int, float] = {}  # thread id -> deadline of its request in flight
_in_flight: dict[int, socket.socket] = {}  # thread id -> the socket carrying it


class DeadlineExceeded(Exception):
    """The request's deadline passed before it could be (re)tried."""


def _check(thread: int) -> None:
    deadline = _deadlines.get(thread)
    if deadline is not None and time.monotonic() >= deadline:
        raise DeadlineExceeded()


class _Tracked:
    """A urllib3 connection that records the socket of the request it sends for a watched thread
    (the socket itself: http.client drops the connection's reference to it when the server says it
    will close, while the response goes on reading from it)."""

    def request(self, *args, **kwargs):
        thread = threading.get_ident()
        watched = thread in _deadlines
        if watched:
            _check(thread)
        result = super().request(*args, **kwargs)
        if watched and self.sock is not None:
            _in_flight[thread] = self.sock
        return result


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """``HTTPAdapter`` whose connections can be cut by ``watch``."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineRetry(Retry):
    """urllib3 ``Retry`` that neither waits nor retries past the request's deadline."""

    def sleep(self, response=None) -> None:
        thread = threading.get_ident()
        deadline = _deadlines.get(thread)
        if deadline is not None:
            wait = None
            if self.respect_retry_after_header and response is not None:
                wait = self.get_retry_after(response)
            if wait is None:
                wait = self.get_backoff_time()
            if time.monotonic() + min(wait, self.retry_after_max) >= deadline:
                raise DeadlineExceeded()
        super().sleep(response)


@dataclass
class Timer:
    fired: bool = False


@contextlib.contextmanager
def watch(deadline: float) -> Iterator[Timer]:
    """Cut this thread's request when ``deadline`` (monotonic seconds) passes; see the module docstring."""
    thread = threading.get_ident()
    state = Timer()
    done = threading.Event()

    def cut():
        if done.is_set():
            return
        state.fired = True
        sock = _in_flight.get(thread)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    _deadlines[thread] = deadline
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
    timer.daemon = True
    timer.start()
    try:
        yield state
    finally:
        done.set()
        timer.cancel()
        _deadlines.pop(thread, None)
        _in_flight.pop(thread, None)
