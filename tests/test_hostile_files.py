"""Listing folders that try to crash or hang ``linkwell validate``: each is reported, none is followed.

Run as real ``linkwell validate`` processes (with a time limit, so a hang fails the test): a listing
nested 500 levels deep in block style (and 60,000 in one line of ``- - -``), a FIFO named ``*.yml``,
a borough folder or a listing that is a symbolic link, and temporary files left by a write.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from linkwell.listings.loader import EntryLoadError, load_entry_text
from linkwell.listings.store import dump_entry
from tests.conftest import CHECKOUT, VALID_ENTRY


def _validate(*paths) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkwell", "validate", *map(str, paths)], cwd=CHECKOUT,
                          capture_output=True, text=True, timeout=120)


def _deep_block(levels: int) -> str:
    lines = ["id: deep", "name:"] + [" " * d + f"k{d}:" for d in range(1, levels)] + [" " * levels + "v: 1"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, line", [
    (_deep_block(500), None),  # about 128 KB, one space per level
    ("id: deep\nname:\n" + "- " * 60_000 + "x\n", 3),
    ("id: deep\nname: " + "[" * 900 + "]" * 900 + "\n", 2),
], ids=["block-500", "dashes-60000", "flow-900"])
def test_absurd_nesting_is_an_error_with_a_line_never_a_crash(tmp_path, text, line):
    with pytest.raises(EntryLoadError) as caught:
        load_entry_text(text)
    assert "nested more than" in caught.value.message
    assert caught.value.line is not None and (line is None or caught.value.line == line)
    folder = tmp_path / "directory" / "lewisham"
    folder.mkdir(parents=True)
    (folder / "deep.yml").write_text(text, encoding="utf-8")
    result = _validate(tmp_path / "directory")
    assert result.returncode == 1
    assert "deep.yml:" in result.stdout and "nested more than" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_fifo_named_like_a_listing_is_reported_not_read(tmp_path):
    folder = tmp_path / "directory" / "lewisham"
    folder.mkdir(parents=True)
    (folder / f"{VALID_ENTRY['id']}.yml").write_text(dump_entry(VALID_ENTRY), encoding="utf-8")
    os.mkfifo(folder / "trap.yml")
    result = _validate(tmp_path / "directory")
    assert result.returncode == 1
    assert "trap.yml:1: (file): is not a regular file" in result.stdout
    named = _validate(folder / "trap.yml")  # named on the command line: opened without blocking, refused
    assert named.returncode == 1 and "not a regular file" in named.stdout


def test_symbolic_links_are_reported_never_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "lewisham"
    elsewhere.mkdir(parents=True)
    (elsewhere / f"{VALID_ENTRY['id']}.yml").write_text(dump_entry(VALID_ENTRY), encoding="utf-8")
    root = tmp_path / "directory"
    root.mkdir()
    (root / "lewisham").symlink_to(elsewhere, target_is_directory=True)
    (root / "camden").mkdir()
    (root / "camden" / "passwd.yml").symlink_to("/etc/passwd")
    result = _validate(root)
    assert result.returncode == 1
    assert "lewisham:1: (file): is a symbolic link" in result.stdout
    assert "passwd.yml:1: (file): is a symbolic link" in result.stdout
    assert "root:" not in result.stdout  # /etc/passwd was never read


def test_stray_temporary_files_are_reported(tmp_path):
    folder = tmp_path / "directory" / "lewisham"
    folder.mkdir(parents=True)
    (folder / f"{VALID_ENTRY['id']}.yml").write_text(dump_entry(VALID_ENTRY), encoding="utf-8")
    (folder / f".{VALID_ENTRY['id']}.yml.abc123.tmp").write_text("half a listi", encoding="utf-8")
    result = _validate(tmp_path / "directory")
    assert result.returncode == 1
    assert ".deptford-walking-group.yml.abc123.tmp:1: (file): is a temporary file" in result.stdout
