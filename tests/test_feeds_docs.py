"""The for-councils page documents what the exporters really write (columns, ids, paging)."""

from __future__ import annotations

from linkwell.publish.feeds import common, openreferral, tabular
from tests.conftest import CHECKOUT as PROJECT_DIR

PAGE = (PROJECT_DIR / "site_src" / "for-councils.md").read_text(encoding="utf-8")


def test_every_csv_column_is_documented_in_order():
    section = PAGE.split("## `directory.csv`")[1].split("## `directory.geojson`")[0]
    documented = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert documented == [name for name, _ in tabular.COLUMNS]


def test_ids_paging_and_taxonomies_are_documented():
    assert str(common.LINKWELL_NAMESPACE) in PAGE
    assert f"pages of **{openreferral.PAGE_SIZE}** items" in PAGE
    for taxonomy in openreferral.TAXONOMIES:
        assert f"`{taxonomy}`" in PAGE
    for oruk_status in openreferral.STATUS.values():
        assert oruk_status in PAGE
