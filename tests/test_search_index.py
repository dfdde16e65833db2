"""The search index files (linkwell.publish.search.index) and the generated search form, checked in Python."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json

import pytest

from bench.synthetic import generate
from linkwell.listings.freshness import freshness
from linkwell.publish.search import form as search_form
from linkwell.publish.search.everyday import tokens
from linkwell.publish.search.files import PLACE_CHUNK, TILE_X, TILE_Y, encode_ids, hilbert
from linkwell.publish.search.index import facet_values, id_shard, schedule_facets, write_search_index
from linkwell.publish.site.words import unverified_notice
from linkwell.reference.boroughs import BOROUGHS
from linkwell.reference.postcodes import postcodes
from linkwell.reference.schema import vocabulary

TODAY = dt.date(2026, 11, 23)


def decode(enc, total: int) -> list[int]:
    if isinstance(enc, str):
        bits = base64.b64decode(enc)
        return [i for i in range(total) if bits[i >> 3] & (1 << (i & 7))]
    out, n = [], 0
    for d in enc:
        n += d
        out.append(n)
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    entries = list(generate(300, seed=3))
    entries[0]["description"] = "A ukulele circle for beginners in a café near the river."
    entries[1]["status"] = "closed"
    out = tmp_path_factory.mktemp("site")
    write_search_index(entries, out, TODAY)
    meta = json.loads((out / "search" / "meta.json").read_text())
    base = out / "search" / meta["base"]

    def load(path):
        return json.loads((base / path).read_text())

    records = []
    for i in range(0, meta["total"], meta["chunk"]):
        records += load(f"r/{i // meta['chunk']}.json")
    return {"entries": entries, "out": out, "meta": meta, "load": load, "records": records}


def test_tokens_fold_case_accents_apostrophes_and_stop_words():
    assert tokens("Men’s Café, Brixton and the Over-50s") == ["mens", "cafe", "brixton", "over", "50s"]
    assert tokens("a I") == []


def test_id_list_encoding_round_trips_sparse_and_dense():
    sparse, dense = [3, 40, 41, 999], list(range(0, 1000, 2))
    assert isinstance(encode_ids(sparse, 1000), list)
    assert decode(encode_ids(sparse, 1000), 1000) == sparse
    assert isinstance(encode_ids(dense, 1000), str)
    assert decode(encode_ids(dense, 1000), 1000) == dense
    assert decode(encode_ids([], 10), 10) == []


def test_id_shard_is_fnv1a():
    assert id_shard("") == 0x811C9DC5 % 64
    assert id_shard("a") == 0xE40C292C % 64  # FNV-1a("a"), a published test vector


def test_closed_entries_are_left_out_and_every_other_entry_has_one_record(index):
    ids = [r["i"] for r in index["records"]]
    open_ids = [e["id"] for e in index["entries"] if e["status"] != "closed"]
    assert sorted(ids) == sorted(open_ids)
    assert index["entries"][1]["id"] not in ids
    assert index["meta"]["total"] == len(open_ids)


def test_records_are_in_tier_order_fresh_first(index):
    by_id = {e["id"]: e for e in index["entries"]}
    tiers = []
    for rec in index["records"]:
        entry = by_id[rec["i"]]
        expected = 3 if entry["status"] == "temporarily-closed" else freshness(entry, TODAY).rank
        assert rec["t"] == expected
        fresh = freshness(entry, TODAY)
        notice = unverified_notice(entry) if fresh.state == "unverified" else fresh.notice
        assert rec["f"].endswith(notice[1:])
        assert "check before referring" not in rec["f"] or fresh.state == "stale"
        tiers.append(rec["t"])
    assert tiers == sorted(tiers)
    starts = index["meta"]["tiers"]
    for t in range(4):
        assert all(r["t"] == t for r in index["records"][starts[t]:starts[t + 1]])


def test_a_description_word_finds_its_entry(index):
    meta, load = index["meta"], index["load"]
    shard = load("t/uk.json")
    found = decode(shard["ukulele"][0], meta["total"])
    assert [index["records"][n]["i"] for n in found] == [index["entries"][0]["id"]]
    assert decode(shard["ukulele"][1], meta["total"]) == []  # not in the name


def test_facet_files_match_the_entries(index):
    meta, load, records = index["meta"], index["load"], index["records"]
    by_id = {e["id"]: e for e in index["entries"]}
    for key, values in facet_values().items():
        for value in values:
            path = f"{key}/{value}"
            got = set()
            if path in meta["facetFiles"]:
                got = {records[n]["i"] for n in decode(load(f"f/{path}.json"), meta["total"])}
            expected = set()
            for rec in records:
                e = by_id[rec["i"]]
                days, times = schedule_facets(e)
                has = {"cat": e["categories"], "bor": [e["borough"]], "del": e["delivery"],
                       "cost": [e["cost"] if e["cost"] != "varies" or e.get("cost_note") else "unknown"],
                       "day": days, "time": times, "grp": (e.get("audience") or {}).get("groups", []),
                       "acc": e["access"], "a11y": e.get("accessibility", []), "lang": e.get("languages", []),
                           "act": e.get("activities", [])}[key]
                if value in has:
                    expected.add(rec["i"])
            assert got == expected, path


def test_schedule_facets():
    entry = {"schedule": [{"days": ["mo"], "opens": "10:00", "closes": "12:00"},
                          {"days": ["sa"], "opens": "19:00", "closes": "21:00"}]}
    assert schedule_facets(entry) == ({"mo", "sa"}, {"daytime", "weekend", "evening"})
    assert schedule_facets({}) == (set(), set())


def test_geo_tiles_hold_every_entry_once_with_its_position(index):
    meta, load, records = index["meta"], index["load"], index["records"]
    lat0, lon0, dlat, dlon = meta["tile"]
    seen = {}
    for name, counts in meta["tiles"].items():
        tx, ty = map(int, name.split("-"))
        assert len(counts) == len(meta["tierNames"]) and sum(counts) > 0
        for t, count in enumerate(counts):
            body = load(f"g/{t}/{name}.json") if count else None  # one file per tier holding entries there
            ids = decode(body["o"], meta["total"]) if body else []
            assert len(ids) == count
            assert all(meta["tiers"][t] <= n < meta["tiers"][t + 1] for n in ids), "a tier's file holds only its tier"
            for i, n in enumerate(ids):
                assert n not in seen
                seen[n] = (lat0 + ty * dlat + body["p"][2 * i] / 10000, lon0 + tx * dlon + body["p"][2 * i + 1] / 10000)
    for n in seen:
        assert "q" not in records[n], "a listing at its borough's centre is not in the tiles"
    for t, count in enumerate(meta["approx"]):  # those are listed apart, by tier
        body = load(f"g/{t}/approx.json") if count else None
        ids = decode(body["o"], meta["total"]) if body else []
        assert len(ids) == count
        for i, n in enumerate(ids):
            assert n not in seen and records[n]["q"] == 1
            assert meta["tiers"][t] <= n < meta["tiers"][t + 1]
            seen[n] = (lat0 + body["p"][2 * i] / 10000, lon0 + body["p"][2 * i + 1] / 10000)
    assert sum(meta["approx"]) > 0
    assert sorted(seen) == list(range(meta["total"]))
    folder = index["out"] / "search" / meta["base"] / "g"
    tier_files = [p for p in folder.rglob("*.json") if not p.name.startswith("b") and p.parent.name != "all"]
    assert sorted(str(p.relative_to(folder)) for p in tier_files) == sorted(
        [f"{t}/{name}.json" for name, counts in meta["tiles"].items() for t, c in enumerate(counts) if c]
        + [f"{t}/approx.json" for t, c in enumerate(meta["approx"]) if c])
    for n, (lat, lon) in seen.items():
        assert abs(lat - records[n]["y"][0]) < 2e-4 and abs(lon - records[n]["y"][1]) < 2e-4


def test_hilbert_curve_visits_every_cell_once_stepping_to_a_neighbour():
    for order in (2, 4, 16):
        cells = sorted((hilbert(order, x, y), x, y) for x in range(order) for y in range(order))
        assert [d for d, _, _ in cells] == list(range(order * order))
        for (_, x1, y1), (_, x2, y2) in zip(cells, cells[1:], strict=False):
            assert abs(x1 - x2) + abs(y1 - y2) == 1


def _tile_ids(index, t, name):
    return decode(index["load"](f"g/{t}/{name}.json")["o"], index["meta"]["total"])


def test_a_block_file_holds_its_two_by_two_tiles(index):
    meta, load = index["meta"], index["load"]
    folder = index["out"] / "search" / meta["base"] / "g"
    expected = set()
    for name, counts in meta["tiles"].items():
        tx, ty = map(int, name.split("-"))
        expected |= {f"{t}/b{tx - dx}-{ty - dy}.json"
                     for t, c in enumerate(counts) if c for dx in (0, 1) for dy in (0, 1)}
    blocks = sorted(str(p.relative_to(folder)) for p in folder.rglob("b*.json"))
    assert blocks == sorted(expected)
    for path in blocks:
        t, corner = path[:-5].split("/b")
        bx, by = map(int, corner.split("-"))
        inside = {f"{bx + dx}-{by + dy}" for dx in (0, 1) for dy in (0, 1)}
        body = load(f"g/{path}")
        assert set(body) == {n for n in inside if meta["tiles"].get(n, [0] * 4)[int(t)]}
        for name, tile in body.items():
            assert tile == load(f"g/{t}/{name}.json")


def test_records_by_place_follow_their_tile_files(index):
    meta, load, records = index["meta"], index["load"], index["records"]
    assert meta["placeChunk"] == PLACE_CHUNK
    expected = set()
    for name, counts in meta["tiles"].items():
        for t, count in enumerate(counts):
            if not count:
                continue
            ids = _tile_ids(index, t, name)
            chunks = [load(f"p/{t}/{name}-{k}.json") for k in range(-(-count // PLACE_CHUNK))]
            assert all(len(c) == PLACE_CHUNK for c in chunks[:-1])
            assert [r for c in chunks for r in c] == [records[n] for n in ids]
            expected |= {f"{t}/{name}-{k}.json" for k in range(len(chunks))}
    folder = index["out"] / "search" / meta["base"] / "p"
    assert {str(p.relative_to(folder)) for p in folder.rglob("*.json")} == expected


def test_a_tile_lists_its_entries_along_the_curve_so_chunks_are_compact(tmp_path):
    """Records by place are worth having when a chunk covers a small part of its tile: the box
    around 32 entries in curve order is a fraction of the tile's (about the whole tile in any
    order unrelated to place)."""
    write_search_index(list(generate(6000, seed=4)), tmp_path, TODAY)
    meta = json.loads((tmp_path / "search" / "meta.json").read_text())
    base = tmp_path / "search" / meta["base"]

    def area(pts):
        ys, xs = [y for y, _ in pts], [x for _, x in pts]
        return (max(ys) - min(ys)) * (max(xs) - min(xs))
    shares = []
    tiles = [(t, name) for name, counts in meta["tiles"].items() for t, count in enumerate(counts)
             if count >= 2 * PLACE_CHUNK]
    for t, name in tiles:
        p = json.loads((base / "g" / str(t) / f"{name}.json").read_text())["p"]
        points = list(zip(p[::2], p[1::2], strict=True))
        whole = area(points)
        chunks = range(0, len(points) - PLACE_CHUNK + 1, PLACE_CHUNK)
        shares += [area(points[k:k + PLACE_CHUNK]) / whole for k in chunks]
        assert area(points[::len(points) // PLACE_CHUNK]) / whole > 0.6  # as many taken along the whole curve
    assert len(shares) >= 6
    assert sum(shares) / len(shares) < 0.4


def test_rare_facet_values_also_have_files_with_positions(index):
    meta, load, records = index["meta"], index["load"], index["records"]
    lat0, lon0 = meta["tile"][:2]
    total = meta["total"]
    assert meta["pos"], "the synthetic entries have some rare facet values"
    for path in meta["facetFiles"]:
        ids = decode(load(f"f/{path}.json"), total)
        if len(ids) * 10 > total:
            assert path not in meta["pos"]
            continue
        assert meta["pos"][path] == len(ids)
        body = load(f"fp/{path}.json")
        assert decode(body["o"], total) == ids
        assert len(body["p"]) == 2 * len(ids) and len(body["k"]) == len(ids)
        for i, n in enumerate(ids):
            lat, lon = lat0 + body["p"][2 * i] / 10000, lon0 + body["p"][2 * i + 1] / 10000
            assert abs(lat - records[n]["y"][0]) < 2e-4 and abs(lon - records[n]["y"][1]) < 2e-4, path
            # k: its index in its tier's file for the tile its position is in (so its record by place);
            # none for a listing at its borough's centre (not in the tiles)
            assert (body["k"][i] is None) == bool(records[n].get("q")), path
            if body["k"][i] is None:
                continue
            y, x = body["p"][2 * i], body["p"][2 * i + 1]
            t = next(t for t in range(4) if meta["tiers"][t] <= n < meta["tiers"][t + 1])
            assert _tile_ids(index, t, f"{x // TILE_X}-{y // TILE_Y}")[body["k"][i]] == n, path


def test_entry_without_location_is_placed_at_its_borough_centre(tmp_path):
    entry = copy.deepcopy(next(generate(1, seed=5)))
    entry.pop("location", None)
    entry["delivery"] = ["online"]
    write_search_index([entry], tmp_path, TODAY)
    meta = json.loads((tmp_path / "search" / "meta.json").read_text())
    rec = json.loads((tmp_path / "search" / meta["base"] / "r" / "0.json").read_text())[0]
    assert rec["q"] == 1 and len(rec["y"]) == 2


def test_age_groups(index):
    groups = index["load"]("f/age.json")
    ages = {(lo, hi) for lo, hi, _ in groups}
    expected = {((e.get("audience") or {}).get("min_age", 0), (e.get("audience") or {}).get("max_age", 120))
                for e in index["entries"] if e["status"] != "closed"
                and {"min_age", "max_age"} & set(e.get("audience") or {})}
    assert ages == expected


def test_postcode_shards_match_the_table(index):
    shard = json.loads((index["out"] / "postcodes" / "SE8.json").read_text())
    point = postcodes().get("SE8 4RJ")
    assert shard["4RJ"] == [round(point.lat, 5), round(point.lon, 5), list(BOROUGHS).index("lewisham")]
    assert 51.4 < shard[""][0] < 51.5  # the outward code's centre


def test_id_shards_map_every_id_to_its_record(index):
    load, records = index["load"], index["records"]
    for n, rec in enumerate(records):
        assert load(f"id/{id_shard(rec['i'])}.json")[rec["i"]] == n


def test_rebuild_of_the_same_entries_gives_the_same_base(index, tmp_path):
    write_search_index(index["entries"], tmp_path, TODAY)
    assert json.loads((tmp_path / "search" / "meta.json").read_text())["base"] == index["meta"]["base"]


def test_home_page_form_is_up_to_date_with_the_vocabularies():
    text = search_form.index_md().read_text(encoding="utf-8")
    assert search_form.form_html() in text, "run: .venv/bin/python -m linkwell.publish.search.form"
    for value in vocabulary("categories") + vocabulary("access") + vocabulary("accessibility"):
        assert f'value="{value}"' in text


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rebuild_after_an_edit_patches_the_previous_folder_into_a_complete_new_one(tmp_path):
    entries = list(generate(200, seed=9))
    out = tmp_path / "site"
    write_search_index(entries, out, TODAY)
    first = json.loads((out / "search" / "meta.json").read_text())["base"]
    unchanged = out / "search" / first / "f" / "cost" / "free.json"
    inode = unchanged.stat().st_ino

    entries[7] = dict(entries[7], description=entries[7]["description"] + " Now with a choir.")
    write_search_index(entries, out, TODAY)
    second = json.loads((out / "search" / "meta.json").read_text())["base"]
    assert second != first
    assert sorted(p.name for p in (out / "search").iterdir()) == sorted([second, "meta.json"])

    fresh = tmp_path / "fresh"
    write_search_index(entries, fresh, TODAY)
    assert _tree(out / "search") == _tree(fresh / "search")  # exactly what a build from scratch writes
    assert (out / "search" / second / "f" / "cost" / "free.json").stat().st_ino == inode  # kept, not rewritten


def test_an_interrupted_build_folder_is_never_reused(tmp_path):
    entries = list(generate(50, seed=4))
    out = tmp_path / "site"
    write_search_index(entries, out, TODAY)
    base = out / "search" / json.loads((out / "search" / "meta.json").read_text())["base"]
    (base / "done").unlink()
    (base / "t" / "wa.json").write_text("broken")  # left half-written by an interrupted build
    write_search_index(entries, out, TODAY)
    fresh = tmp_path / "fresh"
    write_search_index(entries, fresh, TODAY)
    assert _tree(out / "search") == _tree(fresh / "search")
