"""The search index's files, one kind at a time (``linkwell.publish.search.index.build_files`` calls them).

Each function takes what the entries contribute once they are numbered in result order
(``Numbered``) and returns ``{path under search/<hash>/: bytes}`` for one kind of file: term
shards (``t/``), position tiles and their blocks and the records by place (``g/``, ``p/``),
facet files (``f/``, ``fp/``), facet columns (``c/``), records in entry order (``r/``) and the
id shards (``id/``). The formats are described in ``linkwell.publish.search.index``. Also the
postcode table by outward code (``postcode_shards``) and the writing of a build folder
(``write_build_folder``: only changed files, ``done`` last).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from linkwell.publish.output import json_bytes, write_bytes
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reference.postcodes import postcodes

CHUNK = 16  # display records per file: a page of 20 scattered results costs at most 20 small files
PLACE_CHUNK = 32  # display records per file by place: the 20 nearest results usually span 2-7 of them
PLACE_GRID = 64  # the Hilbert curve that orders a tile's entries visits a 64 x 64 grid of ~85 m cells
SHARD_SPLIT_BYTES = 48_000  # a two-letter term shard larger than this is split by three letters
TILE_LAT, TILE_LON = 0.05, 0.08  # geo tiles of about 5.5 km x 5.5 km
TILE_Y, TILE_X = round(TILE_LAT * 10000), round(TILE_LON * 10000)  # a tile's size in positions' units
NO_POSITION = (None, None)
SINGLE_VALUED = {"bor", "cost"}  # facets an entry has exactly one value of
APPROX = "~"  # the tile name index.entry_facts gives a listing placed at its borough's centre


@dataclass
class Numbered:
    """What the entries contribute, by entry number (result order)."""
    total: int
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    name_postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    facets: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    ages: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    tiles: dict[tuple[int, str], list[tuple[int, int, int]]] = field(default_factory=lambda: defaultdict(list))
    approx: dict[int, list[tuple[int, int, int]]] = field(default_factory=lambda: defaultdict(list))  # t: (n, y, x)
    records: list[bytes] = field(default_factory=list)
    id_map: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    positions: dict[int, list[int]] = field(default_factory=dict)  # n -> [y, x] from the London box's corner
    place_index: dict[int, int] = field(default_factory=dict)  # n -> its index in its tile's file


# --- id list encoding ---------------------------------------------------------------------

def encode_ids(ids: list[int], total: int):
    """A sorted id list as deltas ``[3, 1, 7]``, or as a base64 bitset string when it holds more than
    a tenth of all entries (where the bitset is the smaller of the two, gzipped)."""
    if len(ids) * 10 > total:
        bits = bytearray((total + 7) // 8)
        for i in ids:
            bits[i >> 3] |= 1 << (i & 7)
        return base64.b64encode(bytes(bits)).decode("ascii")
    return encode_order(ids)


def encode_order(ids: list[int]) -> list[int]:
    """An id list in any order as deltas (a gap is negative where the next id is smaller)."""
    return [b - a for a, b in zip([0, *ids], ids, strict=False)]


def hilbert(order: int, x: int, y: int) -> int:
    """Distance of cell (x, y) along a Hilbert curve filling an ``order`` x ``order`` grid (a power of
    two): cells near each other on the curve are near each other in the grid."""
    d = 0
    s = order // 2
    while s:
        rx, ry = int(x & s > 0), int(y & s > 0)
        d += s * s * ((3 * rx) ^ ry)
        if not ry:
            if rx:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        s //= 2
    return d


def place_order(points: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """A tile's points ``(n, dy, dx)`` along the Hilbert curve through the tile (then by number)."""
    def cell(p):  # 0 <= dy < TILE_Y and 0 <= dx < TILE_X (index.entry_facts)
        return hilbert(PLACE_GRID, p[2] * PLACE_GRID // TILE_X, p[1] * PLACE_GRID // TILE_Y), p[0]
    return sorted(points, key=cell)


def _json_list(items) -> bytes:
    """A JSON array of values already in JSON."""
    return b"[" + b",".join(items) + b"]"


# --- the files ----------------------------------------------------------------------------

def term_files(num: Numbered) -> tuple[dict[str, bytes], list[str]]:
    """Term shards: two-letter prefixes, split into three-letter ones when large; and the split prefixes."""
    files: dict[str, bytes] = {}
    by_prefix: dict[str, dict[str, list]] = defaultdict(dict)
    for term in sorted(num.postings):
        by_prefix[term[:2]][term] = [encode_ids(num.postings[term], num.total),
                                     encode_ids(num.name_postings.get(term, []), num.total)]
    split = []
    for prefix, terms in sorted(by_prefix.items()):
        body = json_bytes(terms)
        if len(body) > SHARD_SPLIT_BYTES:
            split.append(prefix)
            sub: dict[str, dict] = defaultdict(dict)
            for term, lists in terms.items():
                sub[term[:3]][term] = lists  # a two-letter term lands in the shard named by itself
            for p3, part in sub.items():
                files[f"t/{p3}.json"] = json_bytes(part)
        else:
            files[f"t/{prefix}.json"] = body
    return files, split


def geo_files(num: Numbered, tiers: int) -> tuple[dict[str, bytes], dict[str, list[int]], list[int]]:
    """Position tiles by tier, their 2 x 2 blocks and the records by place; each tile's count per
    tier; and each tier's count of listings placed at their borough's centre, which are not in the
    tiles but in ``g/<tier>/approx.json`` (``{"o": ids, "p": [y, x, ...]}`` from the London box's
    corner): a search by distance lists them after the exact places. Also ``g/all/<tile>.json``: a
    tile's entries of every tier in one file (``all_tiers_tile``), for the circle of a radius.
    Fills ``num.positions`` and
    ``num.place_index`` (the facet files with positions need them; a listing at its borough's
    centre has a position but no place index)."""
    files: dict[str, bytes] = {}
    tile_counts: dict[str, list[int]] = defaultdict(lambda: [0] * tiers)
    blocks: dict[tuple[int, str], list[str]] = defaultdict(list)  # (tier, south-west tile) -> its tiles
    by_tile: dict[str, dict[int, list]] = defaultdict(dict)  # tile -> tier -> its points in place order
    for (t, name), points in num.tiles.items():
        tile_counts[name][t] = len(points)
        tx, ty = (int(c) for c in name.split("-"))
        points = by_tile[name][t] = place_order(points)
        ids = [p[0] for p in points]
        for i, (n, dy, dx) in enumerate(points):
            num.positions[n] = [ty * TILE_Y + dy, tx * TILE_X + dx]
            num.place_index[n] = i
        files[f"g/{t}/{name}.json"] = json_bytes({"o": encode_order(ids), "p": [c for p in points for c in p[1:]]})
        for dx in (0, 1):
            for dy in (0, 1):
                blocks[t, f"{tx - dx}-{ty - dy}"].append(name)
        for k in range(0, len(ids), PLACE_CHUNK):
            files[f"p/{t}/{name}-{k // PLACE_CHUNK}.json"] = _json_list(num.records[n] for n in ids[k:k + PLACE_CHUNK])
    for (t, corner), names in blocks.items():
        files[f"g/{t}/b{corner}.json"] = b"{" + b",".join(
            json_bytes(name) + b":" + files[f"g/{t}/{name}.json"] for name in sorted(names)) + b"}"
    for name, per_tier in by_tile.items():
        files[f"g/all/{name}.json"] = all_tiers_tile(per_tier, tiers)
    approx_counts = [0] * tiers
    for t, points in num.approx.items():
        approx_counts[t] = len(points)
        for n, y, x in points:
            num.positions[n] = [y, x]
        files[f"g/{t}/approx.json"] = json_bytes({"o": encode_order([p[0] for p in points]),
                                                  "p": [c for p in points for c in p[1:]]})
    return files, dict(sorted(tile_counts.items())), approx_counts


def all_tiers_tile(per_tier: dict[int, list[tuple[int, int, int]]], tiers: int) -> bytes:
    """One tile's entries of every tier, ``{"o": ids, "p": [dy, dx, ...], "n": [count per tier]}``:
    tier 0's entries in the order of ``g/0/<tile>.json``, then tier 1's, and so on (so an entry's
    index in its tier's tile file, which locates its record by place, is its index here less the
    counts of the tiers before it). The browser reads the tiles a radius reaches from these files,
    one request per tile rather than one per tile and tier."""
    points = [p for t in range(tiers) for p in per_tier.get(t, ())]
    return json_bytes({"o": encode_order([p[0] for p in points]), "p": [c for p in points for c in p[1:]],
                       "n": [len(per_tier.get(t, ())) for t in range(tiers)]})


def facet_files(num: Numbered) -> tuple[dict[str, bytes], dict[str, int]]:
    """One file per facet value; for values held by at most a tenth of the entries, a second one with
    each entry's position (``fp/``); and those values' counts. Needs ``geo_files`` first."""
    files: dict[str, bytes] = {}
    pos_counts = {}
    total = num.total
    for (key, value), ids in num.facets.items():
        files[f"f/{key}/{value}.json"] = json_bytes(encode_ids(ids, total))
        if len(ids) * 10 <= total:  # few entries: also with positions, to sort them by distance alone
            pos_counts[f"{key}/{value}"] = len(ids)
            files[f"fp/{key}/{value}.json"] = json_bytes(
                {"o": encode_ids(ids, total), "p": [c for n in ids for c in num.positions.get(n, NO_POSITION)],
                 "k": [num.place_index.get(n) for n in ids]})
    files["f/age.json"] = json_bytes([[lo, hi, encode_ids(ids, total)] for (lo, hi), ids in sorted(num.ages.items())])
    return files, dict(sorted(pos_counts.items()))


def column_files(num: Numbered, values: dict[str, list[str]], keys) -> dict[str, bytes]:
    """``c/<key>.json`` for each facet in ``keys``: every entry's values of that facet, so the browser
    counts each filter option's results in one pass. ``{"n": values, "w": bytes per entry, "s": 1 when
    single-valued, "d": base64}``: a single-valued facet stores value number + 1 (0: none) in one byte,
    others a bitmask of ``w`` bytes (bit i: value i)."""
    files = {}
    for key in keys:
        single = key in SINGLE_VALUED and len(values[key]) < 255
        width = 1 if single else (len(values[key]) + 7) // 8
        column = bytearray(num.total * width)
        for i, value in enumerate(values[key]):
            for n in num.facets.get((key, value), ()):
                if single:
                    column[n] = i + 1
                else:
                    column[n * width + i // 8] |= 1 << (i % 8)
        files[f"c/{key}.json"] = json_bytes({"n": len(values[key]), "w": width, "s": int(single),
                                             "d": base64.b64encode(bytes(column)).decode("ascii")})
    return files


def record_files(num: Numbered) -> dict[str, bytes]:
    """Display records in entry order, ``CHUNK`` a file, and the id shards."""
    files = {f"r/{start // CHUNK}.json": _json_list(num.records[start:start + CHUNK])
             for start in range(0, num.total, CHUNK)}
    for shard, ids in num.id_map.items():
        files[f"id/{shard}.json"] = json_bytes(ids)
    return files


# --- the postcode table -------------------------------------------------------------------

@cache
def postcode_shards() -> dict[str, dict]:
    """{outward: {inward: [lat, lon, borough], "": centroid}}; borough: its number in
    ``reference.boroughs.BOROUGHS`` (meta.json's ``facets.bor``), so the add-your-group form can
    check that a postcode is in the borough chosen."""
    shards: dict[str, dict] = defaultdict(dict)
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    number = {b.gss: i for i, b in enumerate(BOROUGHS.values())}
    for line in postcodes().lines():
        code, lat, lon, gss = line.split(",")
        outward, _, inward = code.partition(" ")
        la, lo = float(lat), float(lon)
        shards[outward][inward] = [round(la, 5), round(lo, 5), number.get(gss.strip(), -1)]
        s = sums[outward]
        s[0] += la
        s[1] += lo
        s[2] += 1
    for outward, s in sums.items():
        shards[outward][""] = [round(s[0] / s[2], 5), round(s[1] / s[2], 5)]
    return shards


# --- writing -------------------------------------------------------------------------------

def write_build_folder(search_dir: Path, old_name: str | None, old_sums: dict[str, str], name: str,
                        files: dict[str, bytes]) -> dict[str, str]:
    """Make ``search/<name>/`` hold exactly ``files``, from the previous build's folder when it is
    complete (renamed, then only changed files written and gone ones removed); returns the files'
    digests. ``done`` is written last, so an interrupted build's folder is never reused."""
    sums = file_sums(files)
    folder = search_dir / name
    old = search_dir / old_name if old_name else None
    if folder.exists():
        shutil.rmtree(folder)
    if old is not None and old != folder and (old / "done").is_file():
        (old / "done").unlink()
        os.rename(old, folder)
        for path in set(old_sums) - set(files):
            (folder / path).unlink(missing_ok=True)
        files = {path: body for path, body in files.items() if old_sums.get(path) != sums[path]}
    for sub in sorted({str(Path(p).parent) for p in files}):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_all(folder, files)
    (folder / "done").write_bytes(b"")
    return sums


def file_sums(files: dict[str, bytes]) -> dict[str, str]:
    """Each file's digest, by path."""
    return {path: hashlib.blake2b(body, digest_size=16).hexdigest() for path, body in files.items()}


def write_all(folder: Path, files: dict[str, bytes]) -> None:
    """Write many small files; threads overlap the file system's latency."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(write_bytes, folder / path, body) for path, body in files.items()]:
            future.result()
