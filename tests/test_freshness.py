"""linkwell.listings.freshness: thresholds, the boundary day, and the notices people see."""

from __future__ import annotations

import datetime as dt

import pytest

from linkwell.listings.freshness import add_months, freshness, months_between

D = dt.date.fromisoformat


def entry(verified, categories=("active",), by="provider"):
    return {"last_verified": verified, "categories": list(categories), "verified_by": by}


@pytest.mark.parametrize("categories,today,state", [
    (["active"], "2026-01-15", "fresh"),   # exactly 12 months: not older than the threshold
    (["active"], "2026-01-16", "stale"),
    (["safe"], "2025-07-15", "fresh"),     # exactly 6 months
    (["safe"], "2025-07-16", "stale"),
    (["safe", "creative"], "2025-07-16", "stale"),  # the shortest threshold applies
])
def test_boundaries(categories, today, state):
    assert freshness(entry("2025-01-15", categories), D(today)).state == state


def test_notices():
    stale = freshness(entry("2025-09-10"), D("2026-11-23"))
    assert stale.notice == "Last verified 14 months ago — check before referring"
    assert stale.days_overdue == (D("2026-11-23") - D("2026-09-10")).days
    assert freshness(entry("2026-11-20"), D("2026-11-23")).notice == "Last verified 3 days ago"
    assert freshness(entry("2018-01-01", by="unverified"), D("2026-11-23")).notice.startswith("Not yet verified")
    assert freshness(entry("2000-01-01"), D("2026-11-23")).notice.startswith("Last verified 26 years ago")


def test_ranks_put_fresh_first():
    fresh = freshness(entry("2026-11-01"), D("2026-11-23"))
    stale = freshness(entry("2020-11-01"), D("2026-11-23"))
    never = freshness(entry("2026-11-01", by="unverified"), D("2026-11-23"))
    assert fresh.rank < stale.rank < never.rank


def test_month_arithmetic():
    assert add_months(D("2025-08-31"), 6) == D("2026-02-28")
    assert add_months(D("2024-08-31"), 6) == D("2025-02-28")
    assert months_between(D("2025-01-31"), D("2025-02-27")) == 0
    assert months_between(D("2025-01-31"), D("2025-02-28")) == 1  # month ends clamp
    assert months_between(D("2025-01-15"), D("2026-01-15")) == 12


def test_a_never_verified_listing_is_dated_by_its_citation_else_by_when_it_was_first_seen():
    from linkwell.publish.site.words import unverified_notice

    cited = {"kind": "manual", "first_seen": "2026-11-23",
             "title": "London's Covid Community Response Hubs (GLA, 2020) (Case Study 1: Croydon, 2019 figures)"}
    assert unverified_notice({"sources": [cited]}) == ("Not yet verified — from London's Covid Community Response"
                                                       " Hubs, 2020")
    undated = dict(cited, title="VCSE Sector Engagement and Social Prescribing (GLA, Community Well Partnership)")
    assert unverified_notice({"sources": [undated]}).endswith("Social Prescribing, 2026")
    harvested = {"kind": "oruk", "first_seen": "2025-03-01"}
    assert unverified_notice({"sources": [harvested]}) == "Not yet verified — from an Open Referral UK directory, 2025"
    assert unverified_notice({"sources": []}) == "Not yet verified"
