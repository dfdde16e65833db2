"""Spreadsheets sized by their data, not by what they claim: small hostile files stay small in memory.

Each file is a few KB: a value in cell XFD1048576, a merged range ``J3:XFD1048576``, a cell of
100,000 characters, a CSV row of 100,000 columns. Each is harvested by a real ``linkwell harvest``
process whose address space is capped at 2 GB (the unbounded reader took 2.7-3 GB), so a file read
by its declared size fails the test with a MemoryError instead of slowing the machine.
"""

from __future__ import annotations

import io
import re
import resource
import subprocess
import sys
import zipfile

import pytest
from fixtures_harvest import entries, london_postcodes, write_sources

from tests.conftest import CHECKOUT

PCS = london_postcodes(3)
LIMIT = 2 * 1024**3


def _xlsx(extra_cell: str | None = None, merge: str | None = None, text: str = "far") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["Name", "Description", "Postcode", "Borough", "Categories", "Delivery", "Cost", "Access",
               "Organisation", "Notes"])
    for i, postcode in enumerate(PCS):
        ws.append([f"Sheet group {i}", "A weekly group for local people to meet.", postcode, "", "connected",
                   "in person", "free", "drop in", "Example Trust", "note"])
    ws["J3"] = "merged note"
    ws.merge_cells("J3:J4")
    out = io.BytesIO()
    book.save(out)
    if not (extra_cell or merge):
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                if merge:
                    data = data.replace(b'ref="J3:J4"', f'ref="{merge}"'.encode())
                if extra_cell:
                    row = re.search(r"\d+", extra_cell).group()
                    data = data.replace(b"</sheetData>", f'<row r="{row}"><c r="{extra_cell}" t="inlineStr"><is><t>'
                                                          f'{text}</t></is></c></row></sheetData>'.encode())
            target.writestr(info, data)
    return patched.getvalue()


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def _harvest(tmp_path, name: str, data: bytes) -> subprocess.CompletedProcess:
    (tmp_path / name).write_bytes(data)
    sources = write_sources(tmp_path / "sources.yml", [{"id": "cvs-sheet", "kind": "spreadsheet", "path": name,
                                                         "borough": "camden"}])
    return subprocess.run([sys.executable, "-m", "linkwell", "harvest", "--sources", str(sources), "--directory",
                           str(tmp_path / "directory"), "--state-dir", str(tmp_path / "state")], cwd=CHECKOUT,
                          capture_output=True, text=True, timeout=300, preexec_fn=_cap_memory)


def test_a_merged_range_to_the_last_cell_is_filled_only_where_there_is_data(tmp_path):
    data = _xlsx(merge="J3:XFD1048576")
    assert len(data) < 10_000
    result = _harvest(tmp_path, "groups.xlsx", data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MemoryError" not in result.stderr
    assert len(entries(tmp_path / "directory")) == 3


@pytest.mark.parametrize("cell", ["XFD1048576", "A1048576", "GS2"])
def test_data_far_outside_a_list_of_groups_is_refused_naming_the_cell(tmp_path, cell):
    data = _xlsx(extra_cell=cell)
    result = _harvest(tmp_path, "groups.xlsx", data)
    assert result.returncode == 1
    assert f"cell {cell} holds data beyond" in result.stdout
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr


def test_a_cell_longer_than_a_spreadsheet_allows_is_refused(tmp_path):
    result = _harvest(tmp_path, "groups.xlsx", _xlsx(extra_cell="A6", text="x" * 100_000))
    assert result.returncode == 1
    assert "cell A6 holds 100,000 characters" in result.stdout


def test_a_csv_row_wider_than_any_list_is_refused(tmp_path):
    text = "Name,Postcode,Description\n" + "Group," + ",".join(["x"] * 100_000) + "\n"
    result = _harvest(tmp_path, "groups.csv", text.encode())
    assert result.returncode == 1
    assert "cell GS2 holds data beyond the 200 columns" in result.stdout
