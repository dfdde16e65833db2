"""The index's tiles of every tier (``g/all/<tile>.json``), from which the browser reads the entries
within a radius: each tile's entries of every tier, tier after tier in the order of that tier's tile
file (so an entry's index there, which locates its record by place, follows from ``n``), and only
listings at an exact place."""

from __future__ import annotations

from tests.test_search_index import decode, index  # noqa: F401  (the module's index fixture)


def test_a_tile_of_every_tier_is_its_tier_tiles_one_after_another(index):  # noqa: F811
    meta, load, records = index["meta"], index["load"], index["records"]
    total, seen = meta["total"], []
    assert meta["tiles"]
    for name, counts in meta["tiles"].items():
        body = load(f"g/all/{name}.json")
        assert body["n"] == counts
        ids, at = decode(body["o"], total), 0
        assert len(ids) == sum(counts) and len(body["p"]) == 2 * len(ids)
        for t, count in enumerate(counts):
            tier = load(f"g/{t}/{name}.json") if count else {"o": [], "p": []}
            assert ids[at:at + count] == decode(tier["o"], total)  # the same entries, in the same order
            assert body["p"][2 * at:2 * (at + count)] == tier["p"]
            at += count
        seen += ids
    assert len(seen) == len(set(seen)), "each entry in one tile"
    exact = [n for n, rec in enumerate(records) if not rec.get("q")]
    assert sorted(seen) == exact, "every listing at an exact place, none placed only at its borough's centre"
    assert len(exact) < total  # the synthetic listings include some at their borough's centre
