"""Writing the built site's files: ``write_bytes(path, data)``.

A build writes some 40,000 files (a page and an ORUK record per listing), so this skips what
``open()`` adds per file (a buffered file object, an isatty and an fstat call): ``os.open`` and
``os.write`` only. ``path`` is a str or Path whose folder exists; the file is replaced.
"""

from __future__ import annotations

import os

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_bytes(path, data: bytes) -> None:
    fd = os.open(path, _FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
