"""Reading a CSV or XLSX file into rows of cells, bounded by the data really in it.

``read_rows(data, name, sheet=None)`` returns every row as a list of cell values (XLSX merged
cells filled across their range) or raises ``SourceFormatError`` with a sentence naming the file
and, where it applies, the cell. A list of community groups is small, so a file is refused, before
anything large is built, when it unpacks to more than ``MAX_UNPACKED_BYTES``, has data beyond
``MAX_ROWS`` rows or ``MAX_COLUMNS`` columns (naming the cell), or a cell longer than
``MAX_CELL_CHARS`` characters (Excel's own limit). Rows are as long as their own data; a merged
range, or a sheet's declared size, reaching to ``XFD1048576`` allocates nothing beyond the last cell
that holds a value. CSV is read as UTF-8 (with or without BOM), else Windows-1252.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from .oruk import SourceFormatError

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767
MAX_UNPACKED_BYTES = 50_000_000
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = _LETTERS[rest] + letters
    return letters


def read_rows(data: bytes, name: str, sheet: str | None = None) -> list[list]:
    """All rows of a CSV or XLSX file as lists of cell values; see the module docstring."""
    if data[:2] == b"PK" or name.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data, name, sheet)
    return _csv_rows(data, name)


def _check_cell(name: str, row: int, column: int, value) -> None:
    if column >= MAX_COLUMNS:
        raise SourceFormatError(f"{name}: cell {column_letter(column)}{row + 1} holds data beyond the "
                                f"{MAX_COLUMNS} columns a list of groups can use; delete it or move it nearer")
    if row >= MAX_ROWS:
        raise SourceFormatError(f"{name}: cell {column_letter(column)}{row + 1} holds data beyond row {MAX_ROWS:,}; "
                                "split the list or delete what is below it")
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise SourceFormatError(f"{name}: cell {column_letter(column)}{row + 1} holds {len(value):,} characters, more "
                                f"than the {MAX_CELL_CHARS:,} a spreadsheet cell can")


def _csv_rows(data: bytes, name: str) -> list[list]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("latin-1")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect)):
            while row and row[-1] == "":
                row.pop()
            for c, value in enumerate(row):
                if value != "" or c >= MAX_COLUMNS:
                    _check_cell(name, r, c, value)
            if row:
                _check_cell(name, r, 0, None)
            rows.append(row)
    except csv.Error as exc:
        raise SourceFormatError(f"{name}: is not a readable CSV file ({exc})") from None
    return rows


_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?<!/)>(.*?)</(?:\w+:)?c>', re.S)
_MERGE = re.compile(rb'(<(?:\w+:)?mergeCell ref=")([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})(")')


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _clip_merges(xml: bytes) -> bytes:
    """A worksheet's XML with every merged range cut down to the cells that hold values: openpyxl
    otherwise builds an object for each cell of a range, be it ``J3:XFD1048576``."""
    last_row = last_column = 0
    for column, row, inner in _CELL.findall(xml):
        if b"<v" in inner or b"<is" in inner or b":v" in inner or b":is" in inner:
            last_row, last_column = max(last_row, int(row)), max(last_column, _column_number(column))

    def clip(match):
        top, left = int(match.group(3)), _column_number(match.group(2))
        bottom = min(int(match.group(5)), max(last_row, top))
        right = min(_column_number(match.group(4)), max(last_column, left))
        end = column_letter(right - 1).encode() + str(bottom).encode()
        return match.group(1) + match.group(2) + match.group(3) + b":" + end + match.group(6)

    return _MERGE.sub(clip, xml)


def _bounded_workbook(data: bytes, name: str) -> io.BytesIO:
    """The XLSX file, refused when it unpacks to too much, with its merged ranges clipped."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise SourceFormatError(f"{name}: unpacks to {unpacked // 1_000_000:,} MB, far more than a list of "
                                        "groups; refusing to open it")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
                for info in archive.infolist():
                    member = archive.read(info)
                    if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                        member = _clip_merges(member)
                    copy.writestr(info, member)
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError) as exc:
        raise SourceFormatError(f"{name}: is not a readable XLSX workbook ({type(exc).__name__})") from None
    out.seek(0)
    return out


def _xlsx_rows(data: bytes, name: str, sheet: str | None) -> list[list]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    workbook = _bounded_workbook(data, name)
    try:
        book = load_workbook(workbook, data_only=True)  # keeps only the cells written in the file
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceFormatError(f"{name}: is not a readable XLSX workbook ({type(exc).__name__})") from None
    if sheet and sheet not in book.sheetnames:
        raise SourceFormatError(f"{name}: has no sheet called {sheet!r} (it has {', '.join(book.sheetnames)})")
    ws = book[sheet] if sheet else book.worksheets[0]
    values = {}
    for (r, c), cell in ws._cells.items():  # the cells that exist, never the sheet's declared size
        value = cell.value
        if value is not None and value != "":
            _check_cell(name, r - 1, c - 1, value)
            values[r - 1, c - 1] = value
    if not values:
        return []
    last_row = max(r for r, _c in values)
    last_column = max(c for _r, c in values)
    widths = [0] * (last_row + 1)
    for r, c in values:
        widths[r] = max(widths[r], c + 1)
    rows = [[None] * width for width in widths]
    for (r, c), value in values.items():
        rows[r][c] = value
    for merged in ws.merged_cells.ranges:  # fill a merged cell's value across its range, within the data
        value = values.get((merged.min_row - 1, merged.min_col - 1))
        if value is None:
            continue
        for r in range(merged.min_row - 1, min(merged.max_row, last_row + 1)):
            row = rows[r]
            end = min(merged.max_col, last_column + 1)
            if len(row) < end:
                row.extend([None] * (end - len(row)))
            for c in range(merged.min_col - 1, end):
                row[c] = value
    return rows
