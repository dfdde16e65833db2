"""How fresh a listing is: the one place that decides "stale" for the site, feeds and reports.

``freshness(entry, today, thresholds=DEFAULT_THRESHOLDS)`` returns a ``Freshness`` with
``state`` (``fresh``, ``stale`` or ``unverified``), the age in whole months and days, the
threshold that applied, days overdue, and ``notice`` — the sentence the website shows, e.g.
"Last verified 14 months ago — check before referring" or "Not yet verified — check before
referring".

An entry is stale when ``last_verified`` is older than its threshold: the shortest threshold
among its categories (default 6 months for ``safe``, 12 for the rest). ``verified_by:
unverified`` means nobody has confirmed the details with the provider yet: such entries are
"unverified" whatever their date. ``rank(fresh)`` gives the order results are sorted in
(fresh first, then stale, then unverified).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache

DEFAULT_THRESHOLDS: dict[str, int] = {"safe": 6, "creative": 12, "connected": 12, "active": 12}
_RANK = {"fresh": 0, "stale": 1, "unverified": 2}


@dataclass(frozen=True)
class Freshness:
    state: str  # fresh | stale | unverified
    verified_on: dt.date
    age_days: int
    age_months: int
    threshold_months: int
    due_on: dt.date  # the day the listing turns (or turned) stale
    days_overdue: int  # 0 unless stale

    @cached_property
    def notice(self) -> str:
        if self.state == "unverified":
            return "Not yet verified — check before referring"
        when = _age_words(self.age_months, self.age_days)
        if self.state == "stale":
            return f"Last verified {when} — check before referring"
        return f"Last verified {when}"

    @property
    def rank(self) -> int:
        return _RANK[self.state]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later`` (0 when later is earlier)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if add_months(earlier, months) > later:
        months -= 1
    return max(months, 0)


def _age_words(months: int, days: int) -> str:
    if days <= 0:
        return "today"
    if months == 0:
        return "1 day ago" if days == 1 else f"{days} days ago"
    if months < 24:
        return "1 month ago" if months == 1 else f"{months} months ago"
    return f"{months // 12} years ago"


def threshold_for(categories, thresholds: dict[str, int] = DEFAULT_THRESHOLDS) -> int:
    return min((thresholds.get(c, 12) for c in categories), default=12)


def freshness(entry: dict, today: dt.date | None = None,
              thresholds: dict[str, int] = DEFAULT_THRESHOLDS) -> Freshness:
    limit = threshold_for(entry.get("categories", ()), thresholds)
    return _freshness(entry["last_verified"], entry.get("verified_by") == "unverified", limit,
                      today or dt.date.today())


@lru_cache(maxsize=8192)  # listings share dates: builds ask for the same few thousand answers again and again
def _freshness(last_verified: str, unverified: bool, limit: int, today: dt.date) -> Freshness:
    verified = dt.date.fromisoformat(last_verified)
    due = add_months(verified, limit)
    state = "unverified" if unverified else ("stale" if today > due else "fresh")
    return Freshness(state=state, verified_on=verified, age_days=(today - verified).days,
                     age_months=months_between(verified, today), threshold_months=limit, due_on=due,
                     days_overdue=max((today - due).days, 0) if state == "stale" else 0)
