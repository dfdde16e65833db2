"""The bundled London postcode table: postcode -> coordinates and borough, offline.

``postcodes()`` returns the process-wide ``PostcodeTable``, loaded lazily on first use (about
0.04 s): ``lookup("se8 4rj")`` or ``get("SE8 4RJ")`` gives a ``PostcodePoint`` (postcode, lat,
lon, borough slug) or ``None``. ``normalise_postcode`` finds a postcode in any text.

Data: linkwell/reference/data/london_postcodes.csv.gz, from OS Code-Point Open under the Open
Government Licence v3.0 (attribution in NOTICE). The geopy geocoder over it is in ``geo``.
"""

from __future__ import annotations

import gzip
import re
import threading
from dataclasses import dataclass

from linkwell.reference import DATA_DIR
from linkwell.reference.boroughs import by_gss

POSTCODE_FILE = DATA_DIR / "london_postcodes.csv.gz"
_POSTCODE_RE = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})\b")


def normalise_postcode(text: str) -> str | None:
    """'se137ab' -> 'SE13 7AB'; None when the text holds no UK-shaped postcode."""
    m = _POSTCODE_RE.search(text.upper()) if text else None
    return f"{m.group(1)} {m.group(2)}" if m else None


@dataclass(frozen=True)
class PostcodePoint:
    postcode: str
    lat: float
    lon: float
    borough: str  # borough slug


class PostcodeTable:
    """Every London postcode with its coordinates and borough, read from the bundled table.

    The table is sorted by postcode. Loading keeps it as one text (about 0.04 s); the first
    lookup in an outward code ("SE8") finds that code's lines by binary search and keeps them
    as a small dict, so a process pays only for the areas it looks up. ``codes()`` lists every
    postcode, sorted.
    """

    def __init__(self, path=POSTCODE_FILE):
        self._path = path
        self._text: str | None = None
        self._areas: dict[str, dict[str, str]] = {}  # outward code -> {postcode: CSV line}
        self._lock = threading.Lock()

    @property
    def _rows(self) -> str:
        """The CSV text without its header line, ending in a newline."""
        if self._text is None:
            with self._lock:
                if self._text is None:
                    with gzip.open(self._path, "rb") as f:
                        text = f.read().decode("utf-8")
                    text = text[text.index("\n") + 1:]
                    self._text = text if text.endswith("\n") else text + "\n"
        return self._text

    def _first_at_or_after(self, key: str) -> int:
        """The offset of the first line whose postcode sorts at or after ``key`` (binary search)."""
        text = self._rows
        lo, hi = 0, len(text)  # lo and hi are always line starts; every line before lo sorts before key
        while lo < hi:
            mid = (lo + hi) // 2
            start = text.rfind("\n", lo, mid) + 1 or lo
            if text[start:text.index(",", start)] < key:
                lo = text.index("\n", start) + 1
            else:
                hi = start
        return lo

    def _area(self, outward: str) -> dict[str, str]:
        area = self._areas.get(outward)
        if area is None:
            # "SE8 ..." sorts from "SE8 " up to "SE8!" (the character after the space)
            lines = self._rows[self._first_at_or_after(outward + " "):self._first_at_or_after(outward + "!")]
            area = self._areas[outward] = {line.partition(",")[0]: line for line in lines.splitlines()}
        return area

    def get(self, postcode: str) -> PostcodePoint | None:
        """The point for a postcode already in "SE8 4RJ" form, or None."""
        line = self._area(postcode.partition(" ")[0]).get(postcode)
        if line is None:
            return None
        _code, lat, lon, gss = line.split(",")
        borough = by_gss(gss)
        return PostcodePoint(postcode, float(lat), float(lon), borough.slug if borough else "")

    def lookup(self, text: str) -> PostcodePoint | None:
        """The point for the first postcode found in any text ("se84rj", "Deptford, SE8 4RJ")."""
        postcode = normalise_postcode(text)
        return self.get(postcode) if postcode else None

    def lines(self) -> list[str]:
        """Every row as its CSV text ("SE8 4RJ,51.47,-0.02,E09000023"), sorted by postcode."""
        return self._rows.splitlines()

    def codes(self) -> list[str]:
        return [line.partition(",")[0] for line in self.lines()]

    def __len__(self) -> int:
        return self._rows.count("\n")


_TABLE = PostcodeTable()


def borough_centres() -> dict[str, tuple[float, float]]:
    """{borough slug: (lat, lon)}: the mean position of each borough's postcodes in the table,
    kept in the cache folder (computing it reads all 180,000 rows: about 0.5 s)."""
    from linkwell.speed import cachefile
    stat = POSTCODE_FILE.stat()
    version = f"{POSTCODE_FILE}|{stat.st_size}|{stat.st_mtime_ns}"
    path = cachefile.cache_dir() / "borough-centres.marshal"
    centres = cachefile.read(path, version)
    if not centres:
        sums: dict[str, list[float]] = {}
        for line in _TABLE.lines():
            _code, lat, lon, gss = line.split(",")
            borough = by_gss(gss)
            if borough:
                s = sums.setdefault(borough.slug, [0.0, 0.0, 0])
                s[0] += float(lat)
                s[1] += float(lon)
                s[2] += 1
        centres = {slug: (s[0] / s[2], s[1] / s[2]) for slug, s in sorted(sums.items())}
        cachefile.write(path, version, centres)
    return centres


def postcodes() -> PostcodeTable:
    return _TABLE
