"""The website's search index: small static files the browser fetches only for what it searches.

``write_search_index(entries, out_dir, today)`` takes validated entry dicts and writes, under
``out_dir``:

- ``search/meta.json`` — the only fixed path: vocabularies with labels, counts, tiers, the geo
  tile list and ``base``, the folder holding this build's files (``search/<hash>/``, so a
  browser never mixes files from two builds);
- ``search/<hash>/t/<prefix>.json`` — the inverted index, one shard per term prefix (two
  letters, three where a shard grows large): ``{term: [postings, name_postings]}``;
- ``search/<hash>/f/<facet>/<value>.json`` — the entries having one facet value;
  ``f/age.json`` — age limits grouped by (min, max);
- ``search/<hash>/fp/<facet>/<value>.json`` — for values held by at most a tenth of the entries
  (listed with their counts in meta.json's ``pos``): the same entries with each one's position,
  ``{"o": ids, "p": [y, x, ...]}`` in 1/10,000 degree north and east of the London box's
  south-west corner (``null`` when unknown), so a query sorted by distance whose narrowest
  filter is such a value orders its matches without any geo tile; ``"k"``: each one's index in
  its tile's file (below), which locates its record by place;
- ``search/<hash>/g/<tier>/<tx>-<ty>.json`` — every entry's position, by tier and ~5.5 km tile
  (``{"o": ids, "p": [dy, dx, ...]}``, 1/10,000 degree from the tile's south-west corner), for
  sorting by distance nearest-first without fetching every position: a tier's matches are ordered
  from that tier's tiles alone (the first page usually needs only the fresh tier, a sixth of the
  entries). meta.json's ``tiles`` gives each tile's entry count per tier (``{"7-5": [12, 80, 9,
  3]}``; a tile file exists only where its count is not 0). A tile lists its entries in place
  order (along a Hilbert curve through the tile, so neighbours are listed near each other; ``o``
  is a delta list whose gaps may be negative). ``g/<tier>/b<tx>-<ty>.json`` holds the 2 x 2 tiles
  whose south-west one is ``<tx>-<ty>`` (``{"<tile>": body, ...}``, the tiles of that tier holding
  entries): a point is at least half a tile inside the block around it, so one request orders
  its nearest neighbours;
- ``search/<hash>/r/<n>.json`` — compact display records, ``CHUNK`` entries per file, in entry
  order (what results without a postcode show);
- ``search/<hash>/p/<tier>/<tx>-<ty>-<k>.json`` — the same records by place: a tier's tile file's
  entries ``k * PLACE_CHUNK`` onwards, in its order. Results sorted by distance are neighbours,
  so their records come from a few of these files instead of one ``r/`` file each;
- ``search/<hash>/id/<nn>.json`` — id -> entry number, sharded by a hash of the id (shortlist);
- ``postcodes/<OUTWARD>.json`` — the bundled London postcode table by outward code
  (``{"4RJ": [lat, lon], "": centroid}``), so a typed postcode costs one small fetch.

Entries are numbered in result order: tier (fresh, stale, unverified — from
``linkwell.listings.freshness`` — then temporarily closed), then name. Closed entries are left out.
Every id list is sorted and stored either as a delta list ``[first, gap, gap, ...]`` or, when
dense, as a base64 bitset string; ``linkwell/publish/site/assets/js/search-index.js`` reads them. Tokens are lower-case
ASCII words of two or more characters (accents and apostrophes dropped, stop words removed),
the same rule the JavaScript applies to the query.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import marshal
import os
import re
import shutil
import unicodedata
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from linkwell.listings.describe import DAY_NAMES, DAYS, age_text, schedule_text
from linkwell.listings.digest import entry_digest
from linkwell.listings.freshness import freshness
from linkwell.publish.output import json_bytes, write_bytes
from linkwell.reference import vocabulary
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reference.postcodes import POSTCODE_FILE, borough_centres, normalise_postcode, postcodes
from linkwell.speed import cachefile

CHUNK = 16  # display records per file: a page of 20 scattered results costs at most 20 small files
PLACE_CHUNK = 32  # display records per file by place: the 20 nearest results usually span 2-7 of them
PLACE_GRID = 64  # the Hilbert curve that orders a tile's entries visits a 64 x 64 grid of ~85 m cells
SHARD_SPLIT_BYTES = 48_000  # a two-letter term shard larger than this is split by three letters
TILE_LAT, TILE_LON = 0.05, 0.08  # geo tiles of about 5.5 km x 5.5 km
TILE_Y, TILE_X = round(TILE_LAT * 10000), round(TILE_LON * 10000)  # a tile's size in positions' units
NO_POSITION = (None, None)
LAT0, LON0 = 51.2, -0.6  # south-west corner of the London box in the entry schema
ID_SHARDS = 64
TIERS = ["fresh", "stale", "unverified", "temporarily-closed"]
STOP_WORDS = frozenset(
    "an and are as at be but by for from has have in into is it its of on or our so that the their them "
    "they this to was we were will with you your".split())

TIMES = {"daytime": "Daytime (weekdays, starts before 5pm)", "evening": "Evening (from 5pm)",
         "weekend": "Weekend"}
FACET_FIELDS = {"cat": "categories", "cost": "cost", "del": "delivery", "grp": "groups", "acc": "access",
                "a11y": "accessibility"}  # facet key -> vocabulary field (linkwell.reference.vocabulary)


def facet_values() -> dict[str, list[str]]:
    """Every facet the search offers, in display order: key -> allowed values."""
    values = {key: list(vocabulary.labels(field)) for key, field in FACET_FIELDS.items()}
    return {"cat": values["cat"], "bor": list(BOROUGHS), "cost": values["cost"], "del": values["del"],
            "day": list(DAYS), "time": list(TIMES), "grp": values["grp"], "acc": values["acc"],
            "a11y": values["a11y"]}


def facet_labels() -> dict[str, list[str]]:
    """The words shown for each facet value, in the order of ``facet_values``."""
    out = {key: list(vocabulary.labels(field).values()) for key, field in FACET_FIELDS.items()}
    out["bor"] = [b.name for b in BOROUGHS.values()]
    out["day"] = [DAY_NAMES[d] for d in DAYS]
    out["time"] = list(TIMES.values())
    return {key: out[key] for key in facet_values()}


# --- tokens -------------------------------------------------------------------------------

_SPLIT = re.compile(r"[^a-z0-9]+")
_MARKS = re.compile(r"[\u0300-\u036f]")  # combining accents, as search.js removes them
_APOSTROPHES = re.compile(r"['\u2019]")


def tokens(text: str) -> list[str]:
    """Index words of a text: 'Men’s Café, Brixton' -> ['mens', 'cafe', 'brixton']."""
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    text = _APOSTROPHES.sub("", text.lower())
    return [t for t in _SPLIT.split(text) if len(t) >= 2 and t not in STOP_WORDS]


def id_shard(entry_id: str) -> int:
    """FNV-1a (32-bit) of the id, modulo ``ID_SHARDS`` — the same function as search.js."""
    h = 0x811C9DC5
    for byte in entry_id.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % ID_SHARDS


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
    def cell(p):  # 0 <= dy < TILE_Y and 0 <= dx < TILE_X (entry_facts)
        return hilbert(PLACE_GRID, p[2] * PLACE_GRID // TILE_X, p[1] * PLACE_GRID // TILE_Y), p[0]
    return sorted(points, key=cell)


# --- per-entry facts ----------------------------------------------------------------------

def _minutes(hhmm: str | None) -> int | None:
    if not hhmm:
        return None
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def schedule_facets(entry: dict) -> tuple[set[str], set[str]]:
    """(days, times) an entry runs on: times among daytime / evening / weekend."""
    days, times = set(), set()
    for slot in entry.get("schedule") or ():
        slot_days = set(slot.get("days") or ())
        days |= slot_days
        opens, closes = _minutes(slot.get("opens")), _minutes(slot.get("closes"))
        if slot_days & {"sa", "su"}:
            times.add("weekend")
        if slot_days - {"sa", "su"} and opens is not None and opens < 17 * 60:
            times.add("daytime")
        if (opens is not None and opens >= 17 * 60) or (closes is not None and closes > 18 * 60):
            times.add("evening")
    return days, times


def snippet(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def tier(entry: dict, today: dt.date) -> tuple[int, str]:
    """(tier number, freshness notice): 0 fresh, 1 stale, 2 unverified, 3 temporarily closed."""
    fresh = freshness(entry, today)
    if entry.get("status") == "temporarily-closed":
        return 3, "Temporarily closed — " + fresh.notice[0].lower() + fresh.notice[1:]
    return fresh.rank, fresh.notice


# --- the postcode table -------------------------------------------------------------------

@cache
def _postcode_shards() -> dict[str, dict]:
    """{outward: {inward: [lat, lon], "": centroid}}."""
    shards: dict[str, dict] = defaultdict(dict)
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for line in postcodes().lines():
        code, lat, lon, _gss = line.split(",")
        outward, _, inward = code.partition(" ")
        la, lo = float(lat), float(lon)
        shards[outward][inward] = [round(la, 5), round(lo, 5)]
        s = sums[outward]
        s[0] += la
        s[1] += lo
        s[2] += 1
    for outward, s in sums.items():
        shards[outward][""] = [round(s[0] / s[2], 5), round(s[1] / s[2], 5)]
    return shards


def entry_point(entry: dict, centroids: dict) -> tuple[float, float, bool] | None:
    """(lat, lon, approximate): the listed coordinates, else the postcode's, else the borough centre."""
    loc = entry.get("location") or {}
    if "lat" in loc and "lon" in loc:
        return float(loc["lat"]), float(loc["lon"]), False
    code = normalise_postcode(loc.get("postcode") or "")
    point = postcodes().get(code) if code else None
    if point:
        return point.lat, point.lon, False
    centre = centroids.get(entry.get("borough"))
    return (centre[0], centre[1], True) if centre else None


# --- the index ----------------------------------------------------------------------------

def _json_list(items) -> bytes:
    """A JSON array of values already in JSON."""
    return b"[" + b",".join(items) + b"]"


def entry_facts(entry: dict, today: dt.date, index_of: dict, centroids: dict) -> tuple:
    """What the index needs from one (not closed) entry, independent of the others:
    (tier, sort name, display record as JSON, words, name words, facet (key, value) pairs, age range or None,
    (tile, dy, dx) or None, id shard)."""
    t, notice = tier(entry, today)
    org = entry["organisation"]["name"]
    name_words = set(tokens(entry["name"]) + tokens(org))
    words = set(tokens(entry.get("description", ""))) | name_words
    for act in entry.get("activities") or ():
        words.update(tokens(act.replace("-", " ")))

    days, times = schedule_facets(entry)
    audience = entry.get("audience") or {}
    facts = {
        "cat": entry["categories"], "bor": [entry["borough"]], "cost": [entry["cost"]],
        "del": entry["delivery"], "day": days, "time": times, "grp": audience.get("groups") or (),
        "acc": entry["access"], "a11y": entry.get("accessibility") or (),
    }
    pairs = [(key, v) for key, vals in facts.items() for v in vals if v in index_of[key]]
    age = None
    if "min_age" in audience or "max_age" in audience:
        age = (audience.get("min_age", 0), audience.get("max_age", 120))

    rec = {"i": entry["id"], "n": entry["name"], "o": org, "d": snippet(entry["description"]),
           "b": index_of["bor"].get(entry["borough"], -1), "t": t, "f": notice,
           "c": [index_of["cat"][v] for v in entry["categories"]], "k": index_of["cost"][entry["cost"]],
           "m": [index_of["del"][v] for v in entry["delivery"]],
           "a": [index_of["acc"][v] for v in entry["access"]]}
    if entry.get("accessibility"):
        rec["x"] = [index_of["a11y"][v] for v in entry["accessibility"]]
    if audience.get("groups"):
        rec["g"] = [index_of["grp"][v] for v in audience["groups"] if v in index_of["grp"]]
    if age_text(audience):
        rec["r"] = age_text(audience)
    when = schedule_text(entry.get("schedule"), dash="–")
    if when:
        rec["s"] = when
    loc = entry.get("location") or {}
    where = ", ".join(loc[k] for k in ("venue", "address", "postcode") if loc.get(k))
    if where:
        rec["w"] = where
    tile = None
    point = entry_point(entry, centroids)
    if point:
        lat, lon, approx = point
        rec["y"] = [round(lat, 4), round(lon, 4)]
        if approx:
            rec["q"] = 1
        tx, ty = int((lon - LON0) // TILE_LON), int((lat - LAT0) // TILE_LAT)
        tile = (f"{tx}-{ty}", min(TILE_Y - 1, round((lat - LAT0 - ty * TILE_LAT) * 10000)),
                min(TILE_X - 1, round((lon - LON0 - tx * TILE_LON) * 10000)))  # the tile is floor(position / size)
    contact = entry.get("contact") or {}
    website = contact.get("website") or entry["organisation"].get("website")
    for key, value in (("u", website), ("p", contact.get("phone")), ("e", contact.get("email"))):
        if value:
            rec[key] = value
    return (t, entry["name"].casefold(), json_bytes(rec), sorted(words), sorted(name_words), pairs, age, tile,
            id_shard(entry["id"]))


def build_files(entries: list[dict], today: dt.date, *, cache: dict | None = None, postcode_files: bool = True,  # noqa: C901
                digests: dict[str, str] | None = None) -> tuple[dict, dict[str, bytes], dict[str, bytes]]:
    """(meta, {path under search/<hash>/: bytes}, {path under postcodes/: bytes}) for ``entries``.

    ``cache`` ({entry id: (key, entry_facts)}, updated in place) spares recomputing unchanged
    entries; ``postcode_files=False`` spares reading the postcode table's shards (no postcode
    files are returned); ``digests`` ({entry id: ``linkwell.listings.digest.entry_digest(entry)``}) spares
    computing them. Entries without a position are placed at their borough's centre
    (``postcodes.borough_centres``)."""
    pc_shards = _postcode_shards() if postcode_files else {}
    centroids = borough_centres()
    values = facet_values()
    index_of = {key: {v: i for i, v in enumerate(vals)} for key, vals in values.items()}
    cached = {} if cache is None else cache
    version = f"{today}|{json.dumps(values, sort_keys=True)}|{json.dumps(sorted(centroids.items()))}"

    version_key = hashlib.blake2b(version.encode(), digest_size=16).hexdigest()
    digests = digests or {}
    ranked = []
    seen = set()
    for entry in entries:
        if entry.get("status") == "closed":
            continue
        key = f"{version_key}|{digests.get(entry['id']) or entry_digest(entry)}"
        hit = cached.get(entry["id"])
        if hit is None or hit[0] != key:
            hit = (key, entry_facts(entry, today, index_of, centroids))
            cached[entry["id"]] = hit
        seen.add(entry["id"])
        facts = hit[1]
        ranked.append((facts[0], facts[1], entry["id"], facts))
    for gone in set(cached) - seen:
        del cached[gone]
    ranked.sort(key=lambda r: r[:3])
    total = len(ranked)

    postings: dict[str, list[int]] = defaultdict(list)
    name_postings: dict[str, list[int]] = defaultdict(list)
    facets: dict[tuple[str, str], list[int]] = defaultdict(list)
    ages: dict[tuple[int, int], list[int]] = defaultdict(list)
    tiles: dict[tuple[int, str], list[tuple[int, int, int]]] = defaultdict(list)  # (tier, tile) -> points
    records: list[bytes] = []
    id_map: dict[int, dict[str, int]] = defaultdict(dict)
    tier_starts = [0] * (len(TIERS) + 1)

    for n, (t, _key, entry_id, (_t, _name, rec, words, name_words, pairs, age, tile, shard)) in enumerate(ranked):
        tier_starts[t + 1] = n + 1
        for w in words:
            postings[w].append(n)
        for w in name_words:
            name_postings[w].append(n)
        for pair in pairs:
            facets[tuple(pair)].append(n)
        if age is not None:
            ages[tuple(age)].append(n)
        if tile is not None:
            tiles[t, tile[0]].append((n, tile[1], tile[2]))
        records.append(rec)
        id_map[shard][entry_id] = n
    for i in range(1, len(tier_starts)):
        tier_starts[i] = max(tier_starts[i], tier_starts[i - 1])

    files: dict[str, bytes] = {}
    # term shards: two-letter prefixes, split into three-letter ones when large
    by_prefix: dict[str, dict[str, list]] = defaultdict(dict)
    for term in sorted(postings):
        by_prefix[term[:2]][term] = [encode_ids(postings[term], total),
                                     encode_ids(name_postings.get(term, []), total)]
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
    positions = {}  # entry number -> [y, x]: 1/10,000 degree north and east of (LAT0, LON0)
    place_index = {}  # entry number -> its index in its tile's file (and so in the records by place)
    tile_counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(TIERS))
    blocks: dict[tuple[int, str], list[str]] = defaultdict(list)  # (tier, south-west tile) -> its tiles
    for (t, name), points in tiles.items():
        tile_counts[name][t] = len(points)
        tx, ty = (int(c) for c in name.split("-"))
        points = place_order(points)
        ids = [p[0] for p in points]
        for i, (n, dy, dx) in enumerate(points):
            positions[n] = [ty * TILE_Y + dy, tx * TILE_X + dx]
            place_index[n] = i
        files[f"g/{t}/{name}.json"] = json_bytes({"o": encode_order(ids), "p": [c for p in points for c in p[1:]]})
        for dx in (0, 1):
            for dy in (0, 1):
                blocks[t, f"{tx - dx}-{ty - dy}"].append(name)
        for k in range(0, len(ids), PLACE_CHUNK):
            files[f"p/{t}/{name}-{k // PLACE_CHUNK}.json"] = _json_list(records[n] for n in ids[k:k + PLACE_CHUNK])
    for (t, corner), names in blocks.items():
        files[f"g/{t}/b{corner}.json"] = b"{" + b",".join(
            json_bytes(name) + b":" + files[f"g/{t}/{name}.json"] for name in sorted(names)) + b"}"
    pos_counts = {}
    for (key, value), ids in facets.items():
        files[f"f/{key}/{value}.json"] = json_bytes(encode_ids(ids, total))
        if len(ids) * 10 <= total:  # few entries: also with positions, to sort them by distance alone
            pos_counts[f"{key}/{value}"] = len(ids)
            files[f"fp/{key}/{value}.json"] = json_bytes(
                {"o": encode_ids(ids, total), "p": [c for n in ids for c in positions.get(n, NO_POSITION)],
                 "k": [place_index.get(n) for n in ids]})
    files["f/age.json"] = json_bytes([[lo, hi, encode_ids(ids, total)] for (lo, hi), ids in sorted(ages.items())])
    for start in range(0, total, CHUNK):
        files[f"r/{start // CHUNK}.json"] = _json_list(records[start:start + CHUNK])
    for shard, ids in id_map.items():
        files[f"id/{shard}.json"] = json_bytes(ids)

    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode())
        digest.update(files[path])
    base = digest.hexdigest()[:12]
    meta = {
        "v": 1, "base": base, "total": total, "built": today.isoformat(), "chunk": CHUNK, "placeChunk": PLACE_CHUNK,
        "tiers": tier_starts, "tierNames": TIERS, "split": split, "idShards": ID_SHARDS,
        "facets": values, "labels": facet_labels(),
        "tile": [LAT0, LON0, TILE_LAT, TILE_LON], "tiles": dict(sorted(tile_counts.items())),
        "facetFiles": sorted(f"{k}/{v}" for k, v in facets),
        "pos": dict(sorted(pos_counts.items())),
        "shards": " ".join(sorted(p[2:-5] for p in files if p.startswith("t/"))),
    }
    pc_files = {f"{outward}.json": json_bytes(rows) for outward, rows in pc_shards.items()}
    return meta, files, pc_files


CACHE_FILE = ".linkwell-search.marshal"  # the build folder's name and its files' digests
ENTRIES_CACHE = ".linkwell-search-entries.marshal"  # what each entry contributes, in cachefile.SHARDS files


def _code_version() -> str:
    from linkwell.listings import freshness as freshness_module
    digest = hashlib.blake2b(Path(__file__).read_bytes() + Path(freshness_module.__file__).read_bytes(),
                             digest_size=12)
    stat = POSTCODE_FILE.stat()
    digest.update(f"{stat.st_size}|{stat.st_mtime_ns}|{marshal.version}".encode())
    return digest.hexdigest()


def write_search_index(entries: list[dict], out_dir: Path, today: dt.date,
                       digests: dict[str, str] | None = None) -> None:
    """Write the search index and postcode shards for ``entries`` into the built site ``out_dir``.

    A rebuild with no change to what search shows writes nothing. Otherwise the index gets a new
    build folder (``search/<hash>/``): the previous build's folder is renamed to it and only the
    files whose bytes changed are written (its files' digests are cached), then ``meta.json`` is
    switched to it; so only the new folder exists when the build ends. What each entry
    contributes is cached in ``out_dir/.linkwell-search-entries.marshal.<n>`` (shards holding a
    changed entry are rewritten), so a rebuild only recomputes changed entries and reads the
    postcode table only when its shards must be written.
    """
    from linkwell.speed.gc import no_gc  # many small acyclic objects: the collector's passes only cost time
    with no_gc():
        _write_search_index(entries, Path(out_dir), today, digests)


def _write_search_index(entries, out_dir: Path, today: dt.date, digests) -> None:
    version = _code_version()
    cached = cachefile.read(out_dir / CACHE_FILE, version)
    entry_cache = cachefile.read_sharded(out_dir / ENTRIES_CACHE, version)
    before = {entry_id: hit[0] for entry_id, hit in entry_cache.items()}
    pc_dir = out_dir / "postcodes"
    stamp = _postcode_stamp()
    pc_current = (pc_dir / ".stamp").is_file() and (pc_dir / ".stamp").read_bytes() == stamp
    meta, files, pc_files = build_files(list(entries), today, cache=entry_cache, postcode_files=not pc_current,
                                        digests=digests)
    search_dir = out_dir / "search"
    base = search_dir / meta["base"]
    if (base / "done").is_file():  # the folder's name is a hash of every file in it: nothing to write
        sums = cached["files"] if cached.get("base") == meta["base"] else _sums(files)
    else:
        sums = _write_build_folder(search_dir, cached.get("base"), cached.get("files", {}), meta["base"], files)
    tmp = search_dir / "meta.json.tmp"
    tmp.write_bytes(json_bytes(meta))
    tmp.replace(search_dir / "meta.json")
    for old in search_dir.iterdir():
        if old.is_dir() and old.name != meta["base"]:
            shutil.rmtree(old)
    if not pc_current:
        pc_dir.mkdir(parents=True, exist_ok=True)
        _write_all(pc_dir, pc_files)
        (pc_dir / ".stamp").write_bytes(stamp)
    changed = {entry_id for entry_id, hit in entry_cache.items() if before.get(entry_id) != hit[0]}
    cachefile.write_sharded(out_dir / ENTRIES_CACHE, version, entry_cache, changed | (set(before) - set(entry_cache)))
    cachefile.write(out_dir / CACHE_FILE, version, {"base": meta["base"], "files": sums})


def _write_build_folder(search_dir: Path, old_name: str | None, old_sums: dict[str, str], name: str,
                        files: dict[str, bytes]) -> dict[str, str]:
    """Make ``search/<name>/`` hold exactly ``files``, from the previous build's folder when it is
    complete (renamed, then only changed files written and gone ones removed); returns the files'
    digests. ``done`` is written last, so an interrupted build's folder is never reused."""
    sums = _sums(files)
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
    _write_all(folder, files)
    (folder / "done").write_bytes(b"")
    return sums


def _sums(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.blake2b(body, digest_size=16).hexdigest() for path, body in files.items()}


def _write_all(folder: Path, files: dict[str, bytes]) -> None:
    """Write many small files; threads overlap the file system's latency."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(write_bytes, folder / path, body) for path, body in files.items()]:
            future.result()


def _postcode_stamp() -> bytes:
    """Identifies the bundled postcode table the shards in ``postcodes/`` were written from."""
    stat = POSTCODE_FILE.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}".encode()
