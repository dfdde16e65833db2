"""linkwell.publish.output: the one way the build writes its many files (and its few large ones)."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from linkwell.publish.output import JOIN_BATCH, json_bytes, write_bytes, write_joined


def test_writes_and_replaces_a_file(tmp_path):
    path = tmp_path / "page.html"
    write_bytes(path, b"x" * 300_000)
    assert path.read_bytes() == b"x" * 300_000
    write_bytes(str(path), "shorter é".encode())  # truncated, not overwritten in place
    assert path.read_text(encoding="utf-8") == "shorter é"


def test_a_missing_folder_is_an_error_for_the_caller(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_bytes(tmp_path / "missing" / "page.html", b"x")


@pytest.mark.parametrize("count", [0, 1, 2, JOIN_BATCH - 1, JOIN_BATCH, JOIN_BATCH + 1, 3 * JOIN_BATCH + 5])
@pytest.mark.parametrize("sep", [b",", b""])
def test_write_joined_gives_the_joined_bytes(tmp_path, count, sep):
    items = [f'{{"n":{i},"t":"é{"x" * (i % 7)}"}}'.encode() for i in range(count)]
    path = tmp_path / "directory.json"
    path.write_bytes(b"an older, longer file " * 10_000)
    write_joined(path, b'{"entries":[', items, sep, b"]}\n")
    assert path.read_bytes() == b'{"entries":[' + sep.join(items) + b"]}\n"


def test_json_bytes_is_compact_json_held_in_its_own_size():
    value = {"name": "Café Crème", "tags": ["a", "b"], "n": 3, "x": 51.5, "none": None}
    assert json_bytes(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    tracemalloc.start()
    try:
        texts = [json_bytes({"i": i, "name": "Walking group"}) for i in range(2000)]
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 3 * sum(len(t) + 40 for t in texts)  # orjson's own result keeps 4 KB each
