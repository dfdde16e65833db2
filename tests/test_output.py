"""linkwell.output.write_bytes: the one way the build writes its many files."""

from __future__ import annotations

import pytest

from linkwell.output import write_bytes


def test_writes_and_replaces_a_file(tmp_path):
    path = tmp_path / "page.html"
    write_bytes(path, b"x" * 300_000)
    assert path.read_bytes() == b"x" * 300_000
    write_bytes(str(path), "shorter é".encode())  # truncated, not overwritten in place
    assert path.read_text(encoding="utf-8") == "shorter é"


def test_a_missing_folder_is_an_error_for_the_caller(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_bytes(tmp_path / "missing" / "page.html", b"x")
