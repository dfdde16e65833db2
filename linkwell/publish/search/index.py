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
  its nearest neighbours; ``g/all/<tx>-<ty>.json`` holds a tile's entries of every tier, tier
  after tier in their tiles' order (``{"o": ids, "p": [dy, dx, ...], "n": [count per tier]}``): the
  entries within a radius chosen are read from the tiles the circle reaches, one file each;
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

import datetime as dt
import hashlib
import json
import marshal
import shutil
from pathlib import Path

from linkwell.listings.areas import areas_text
from linkwell.listings.describe import age_text, schedule_text
from linkwell.listings.digest import entry_digest
from linkwell.listings.freshness import freshness
from linkwell.publish.output import json_bytes
from linkwell.publish.search.everyday import search_table, tokens
from linkwell.publish.search.facets import (
    COST_NOT_KNOWN,
    INDEX_ONLY,
    facet_labels,
    facet_values,
    schedule_facets,
)
from linkwell.publish.search.files import (
    APPROX,
    CHUNK,
    PLACE_CHUNK,
    TILE_LAT,
    TILE_LON,
    TILE_X,
    TILE_Y,
    Numbered,
    column_files,
    facet_files,
    file_sums,
    geo_files,
    postcode_shards,
    record_files,
    term_files,
    write_all,
    write_build_folder,
)
from linkwell.publish.site.words import cost_known, unverified_notice
from linkwell.reference.postcodes import POSTCODE_FILE, borough_centres, normalise_postcode, postcodes
from linkwell.speed import cachefile

LAT0, LON0 = 51.2, -0.6  # south-west corner of the London box in the entry schema
ID_SHARDS = 64
POSTCODE_FORMAT = 2  # postcodes/<OUTWARD>.json rows: [lat, lon, borough number]
TIERS = ["fresh", "stale", "unverified", "temporarily-closed"]

def id_shard(entry_id: str) -> int:
    """FNV-1a (32-bit) of the id, modulo ``ID_SHARDS`` — the same function as search.js."""
    h = 0x811C9DC5
    for byte in entry_id.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % ID_SHARDS


# --- per-entry facts ----------------------------------------------------------------------

def snippet(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def tier(entry: dict, today: dt.date) -> tuple[int, str]:
    """(tier number, freshness notice): 0 fresh, 1 stale, 2 unverified, 3 temporarily closed."""
    fresh = freshness(entry, today)
    notice = unverified_notice(entry) if fresh.state == "unverified" else fresh.notice
    if entry.get("status") == "temporarily-closed":
        return 3, "Temporarily closed — " + notice[0].lower() + notice[1:]
    return fresh.rank, notice


# --- places ------------------------------------------------------------------------------

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
        "cat": entry["categories"], "bor": [entry["borough"]],
        "cost": [entry["cost"] if cost_known(entry) else COST_NOT_KNOWN[0]],
        "del": entry["delivery"], "day": days, "time": times, "grp": audience.get("groups") or (),
        "acc": entry["access"], "a11y": entry.get("accessibility") or (),
        "lang": entry.get("languages") or (), "act": entry.get("activities") or (),
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
    if not cost_known(entry):
        rec["ku"] = 1  # cost not known (see words.cost)
    if entry.get("languages"):
        rec["l"] = [index_of["lang"][v] for v in entry["languages"] if v in index_of["lang"]]
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
    if entry.get("areas_served"):
        rec["v"] = areas_text(entry["areas_served"])  # "all of London", "Lewisham and Greenwich"
    tile = None
    point = entry_point(entry, centroids)
    if point:
        lat, lon, approx = point
        rec["y"] = [round(lat, 4), round(lon, 4)]
        tx, ty = int((lon - LON0) // TILE_LON), int((lat - LAT0) // TILE_LAT)
        tile = (f"{tx}-{ty}", min(TILE_Y - 1, round((lat - LAT0 - ty * TILE_LAT) * 10000)),
                min(TILE_X - 1, round((lon - LON0 - tx * TILE_LON) * 10000)))  # the tile is floor(position / size)
        if approx:  # at its borough's centre: listed apart, after the exact places (files.APPROX)
            rec["q"] = 1
            tile = (APPROX, round((lat - LAT0) * 10000), round((lon - LON0) * 10000))
    contact = entry.get("contact") or {}
    website = contact.get("website") or entry["organisation"].get("website")
    for key, value in (("u", website), ("p", contact.get("phone")), ("e", contact.get("email"))):
        if value:
            rec[key] = value
    return (t, entry["name"].casefold(), json_bytes(rec), sorted(words), sorted(name_words), pairs, age, tile,
            id_shard(entry["id"]))


def build_files(entries: list[dict], today: dt.date, *, cache: dict | None = None, postcode_files: bool = True,
                digests: dict[str, str] | None = None) -> tuple[dict, dict[str, bytes], dict[str, bytes]]:
    """(meta, {path under search/<hash>/: bytes}, {path under postcodes/: bytes}) for ``entries``.

    ``cache`` ({entry id: (key, entry_facts)}, updated in place) spares recomputing unchanged
    entries; ``postcode_files=False`` spares reading the postcode table's shards (no postcode
    files are returned); ``digests`` ({entry id: ``linkwell.listings.digest.entry_digest(entry)``}) spares
    computing them. Entries without a position are placed at their borough's centre
    (``postcodes.borough_centres``)."""
    values = facet_values()
    ranked = _ranked(entries, today, values, {} if cache is None else cache, digests or {})
    num, tier_starts = _numbered(ranked)
    files, split = term_files(num)
    geo, tile_counts, approx_counts = geo_files(num, len(TIERS))
    facets, pos_counts = facet_files(num)  # after geo_files: it places the entries
    files.update(geo)
    files.update(facets)
    files.update(column_files(num, values, [k for k in values if k not in INDEX_ONLY]))
    files.update(record_files(num))

    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode())
        digest.update(files[path])
    meta = {
        "v": 1, "base": digest.hexdigest()[:12], "total": num.total, "built": today.isoformat(), "chunk": CHUNK,
        "placeChunk": PLACE_CHUNK, "tiers": tier_starts, "tierNames": TIERS, "split": split, "idShards": ID_SHARDS,
        "facets": values, "labels": facet_labels(),
        "tile": [LAT0, LON0, TILE_LAT, TILE_LON], "tiles": tile_counts, "approx": approx_counts,
        "facetFiles": sorted(f"{k}/{v}" for k, v in num.facets),
        "pos": pos_counts,
        "shards": " ".join(sorted(p[2:-5] for p in files if p.startswith("t/"))),
        **search_table(),
    }
    pc_shards = postcode_shards() if postcode_files else {}
    pc_files = {f"{outward}.json": json_bytes(rows) for outward, rows in pc_shards.items()}
    return meta, files, pc_files


def _ranked(entries, today: dt.date, values: dict, cached: dict, digests: dict) -> list[tuple]:
    """The listed entries' facts in result order (tier, name, id), from ``cached`` where the entry is
    unchanged (``cached`` is updated in place)."""
    centroids = borough_centres()
    index_of = {key: {v: i for i, v in enumerate(vals)} for key, vals in values.items()}
    version = f"{today}|{json.dumps(values, sort_keys=True)}|{json.dumps(sorted(centroids.items()))}"
    version_key = hashlib.blake2b(version.encode(), digest_size=16).hexdigest()
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
    return ranked


def _numbered(ranked: list[tuple]) -> tuple[Numbered, list[int]]:
    """What the entries contribute by entry number, and where each tier starts."""
    num = Numbered(total=len(ranked))
    tier_starts = [0] * (len(TIERS) + 1)
    for n, (t, _key, entry_id, (_t, _name, rec, words, name_words, pairs, age, tile, shard)) in enumerate(ranked):
        tier_starts[t + 1] = n + 1
        for w in words:
            num.postings[w].append(n)
        for w in name_words:
            num.name_postings[w].append(n)
        for pair in pairs:
            num.facets[tuple(pair)].append(n)
        if age is not None:
            num.ages[tuple(age)].append(n)
        if tile is not None and tile[0] == APPROX:
            num.approx[t].append((n, tile[1], tile[2]))
        elif tile is not None:
            num.tiles[t, tile[0]].append((n, tile[1], tile[2]))
        num.records.append(rec)
        num.id_map[shard][entry_id] = n
    for i in range(1, len(tier_starts)):
        tier_starts[i] = max(tier_starts[i], tier_starts[i - 1])
    return num, tier_starts


# in the output folder's cache folder (cachefile.for_output), not in the published site:
CACHE_FILE = "search.marshal"  # the build folder's name and its files' digests
ENTRIES_CACHE = "search-entries.marshal"  # what each entry contributes, in cachefile.SHARDS files


def _code_version() -> str:
    from linkwell.listings import freshness as freshness_module
    here = Path(__file__).parent
    sources = [Path(freshness_module.__file__), here.parent / "site" / "words.py",
               *(here / name for name in ("index.py", "files.py", "everyday.py", "facets.py"))]
    digest = hashlib.blake2b(b"".join(path.read_bytes() for path in sources), digest_size=12)
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
    contributes is cached in the output folder's cache folder (``cachefile.for_output``: shards
    holding a changed entry are rewritten), so a rebuild only recomputes changed entries and reads the
    postcode table only when its shards must be written.
    """
    from linkwell.speed.gc import no_gc  # many small acyclic objects: the collector's passes only cost time
    with no_gc():
        _write_search_index(entries, Path(out_dir), today, digests)


def _write_search_index(entries, out_dir: Path, today: dt.date, digests) -> None:
    version = _code_version()
    caches = cachefile.for_output(out_dir)
    cached = cachefile.read(caches / CACHE_FILE, version)
    entry_cache = cachefile.read_sharded(caches / ENTRIES_CACHE, version)
    before = {entry_id: hit[0] for entry_id, hit in entry_cache.items()}
    pc_dir = out_dir / "postcodes"
    stamp = _postcode_stamp()
    pc_current = (pc_dir / ".stamp").is_file() and (pc_dir / ".stamp").read_bytes() == stamp
    meta, files, pc_files = build_files(list(entries), today, cache=entry_cache, postcode_files=not pc_current,
                                        digests=digests)
    search_dir = out_dir / "search"
    base = search_dir / meta["base"]
    if (base / "done").is_file():  # the folder's name is a hash of every file in it: nothing to write
        sums = cached["files"] if cached.get("base") == meta["base"] else file_sums(files)
    else:
        sums = write_build_folder(search_dir, cached.get("base"), cached.get("files", {}), meta["base"], files)
    tmp = search_dir / "meta.json.tmp"
    tmp.write_bytes(json_bytes(meta))
    tmp.replace(search_dir / "meta.json")
    for old in search_dir.iterdir():
        if old.is_dir() and old.name != meta["base"]:
            shutil.rmtree(old)
    if not pc_current:
        pc_dir.mkdir(parents=True, exist_ok=True)
        write_all(pc_dir, pc_files)
        (pc_dir / ".stamp").write_bytes(stamp)
    changed = {entry_id for entry_id, hit in entry_cache.items() if before.get(entry_id) != hit[0]}
    cachefile.write_sharded(caches / ENTRIES_CACHE, version, entry_cache, changed | (set(before) - set(entry_cache)))
    cachefile.write(caches / CACHE_FILE, version, {"base": meta["base"], "files": sums})


def _postcode_stamp() -> bytes:
    """Identifies the bundled postcode table the shards in ``postcodes/`` were written from, and their
    format (``POSTCODE_FORMAT``: 2 since each postcode carries its borough)."""
    stat = POSTCODE_FILE.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}:{POSTCODE_FORMAT}".encode()
