"""The for-councils page documents what the feeds really are (columns, ids, paging, the ORUK base URL
and the host configurations the build writes or the page shows)."""

from __future__ import annotations

from linkwell.publish.feeds import common, hosting, openreferral, tabular
from tests.conftest import CHECKOUT as PROJECT_DIR

PAGE = (PROJECT_DIR / "site_src" / "for-councils.md").read_text(encoding="utf-8")
FLAT = " ".join(PAGE.split())  # sentences wrap across lines


def test_every_csv_column_is_documented_in_order():
    section = PAGE.split("## `directory.csv`")[1].split("## `directory.geojson`")[0]
    documented = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert documented == [name for name, _ in tabular.COLUMNS]


def test_ids_paging_and_taxonomies_are_documented():
    assert str(common.LINKWELL_NAMESPACE) in PAGE
    assert f"pages of **{openreferral.PAGE_SIZE}** items" in FLAT
    for taxonomy in openreferral.TAXONOMIES:
        assert f"`{taxonomy}`" in PAGE
    for oruk_status in openreferral.STATUS.values():
        assert oruk_status in PAGE


def test_the_oruk_base_url_and_what_a_static_host_cannot_answer():
    assert "base URL `https://linkwell.london/openreferral`" in FLAT
    for unanswerable in ("`search`", "`modified_after`", "`proximity`", "`per_page`"):
        assert unanswerable in PAGE
    assert "`service_at_locations`" in PAGE and "`404`" in PAGE


def test_the_host_configurations_shown_are_the_ones_the_code_knows():
    assert f"```nginx\n{hosting.NGINX}```" in PAGE
    assert f"```caddyfile\n{hosting.CADDY}```" in PAGE
    assert "`_redirects` and `_headers`" in PAGE
