"""Generated, realistic source data for the harvester tests (never real organisations).

``oruk_v3(i)`` / ``oruk_v1(i)`` build service records shaped like the ORUK 3.0 examples in
../shared/reference/oruk-3.0-examples and like ORUK v1 feeds; ``v3_page`` / ``v1_page`` wrap them
in each envelope; ``series(i)`` builds an OpenActive SessionSeries; ``run_harvest`` runs the real
``linkwell harvest`` command; ``snapshot`` reads a folder byte for byte.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml
from click.testing import CliRunner

from linkwell.cli import cli
from linkwell.reference.postcodes import postcodes

AS_OF = "2026-11-20"


def london_postcodes(n: int) -> list[str]:
    codes = postcodes().codes()
    step = len(codes) // (n + 1)
    return [codes[step * (k + 1)] for k in range(n)]


TAXONOMY = [("Arts and crafts", ["creative"]), ("Walking", ["active"]), ("Befriending", ["connected"]),
            ("Debt advice", ["safe"])]


def oruk_v3(i: int, postcode: str, **overrides) -> dict:
    term, _ = TAXONOMY[i % len(TAXONOMY)]
    record = {
        "id": f"5b8e{i:04d}-0000-4000-8000-00000000{i:04d}",
        "name": f"Community {term} group {i}",
        "description": f"<p>A friendly <b>weekly</b> {term.lower()} session for local residents.</p>"
                       "<p>Drop in, no need to book.</p>",
        "url": f"https://example.org/services/{i}",
        "email": "info@example.org",
        "status": "active",
        "fees_description": "Free",
        "minimum_age": 18,
        "assured_date": "2026-03-01",
        "last_modified": "2026-03-15T10:30:45.123Z",
        "organization": {"id": f"org-{i}", "name": f"Example Community Trust {i}",
                         "website": "https://example.org",
                         "organization_identifiers": [{"identifier_scheme": "GB-CHC", "identifier_type": "Charity",
                                                       "identifier": str(1100000 + i)}]},
        "phones": [{"id": f"ph-{i}", "number": "020 7946 0000"}],
        "schedules": [{"id": f"sc-{i}", "freq": "WEEKLY", "interval": 1, "byday": "TU,TH",
                       "opens_at": "10:00:00", "closes_at": "12:00:00"}],
        "service_at_locations": [{"id": f"sal-{i}", "location": {
            "id": f"loc-{i}", "location_type": "physical", "name": "Community Hall",
            "addresses": [{"id": f"ad-{i}", "address_1": f"{i} High Street", "city": "London",
                           "postal_code": postcode, "country": "GB", "address_type": "physical"}],
            "accessibility": [{"id": f"ac-{i}", "description": "Wheelchair access and a hearing loop."}]}}],
        "cost_options": [{"id": f"co-{i}", "amount": 0, "option": "Everyone"}],
        "languages": [{"id": f"la-{i}", "name": "English", "code": "en"}],
        "attributes": [{"id": f"at-{i}", "taxonomy_term": {"id": f"tt-{i}", "name": term, "term": term,
                                                          "taxonomy": "linkwell-test"}}],
    }
    record.update(overrides)
    return record


def oruk_v1(i: int, postcode: str, **overrides) -> dict:
    term, _ = TAXONOMY[i % len(TAXONOMY)]
    record = {
        "id": str(7000 + i),
        "name": f"Neighbourhood {term} club {i}",
        "description": f"Meet neighbours at our {term.lower()} club &amp; make friends.",
        "url": f"https://example.org/v1/{i}",
        "email": "hello@example.org",
        "status": "active",
        "fees": "£3 per session",
        "assured_date": "2026-02-01",
        "attending_type": "In person",
        "organization": {"id": f"o{i}", "name": f"Example Neighbourhood Association {i}",
                         "url": "https://example.org"},
        "service_at_locations": [{"id": f"s{i}", "location": {
            "id": f"l{i}", "name": "Library", "latitude": 51.5, "longitude": -0.1,
            "physical_addresses": [{"id": f"p{i}", "address_1": "1 Library Road", "city": "London",
                                    "postal_code": postcode, "country": "England"}]}}],
        "regular_schedules": [{"id": f"r{i}", "weekday": "Wednesday", "opens_at": "14:00", "closes_at": "16:00",
                               "freq": "WEEKLY", "interval": 2}],
        "eligibilitys": [{"id": f"e{i}", "eligibility": "Older people", "minimum_age": 60}],
        "service_taxonomys": [{"id": f"t{i}", "taxonomy": {"id": f"x{i}", "name": term, "vocabulary": "test"}}],
        "contacts": [{"id": f"c{i}", "name": "A Person", "phones": [{"id": "pp", "number": "07700 900123"}]}],
        "cost_options": [{"id": f"co{i}", "amount": 3, "option": "per session"}],
    }
    record.update(overrides)
    return record


def v3_page(records: list, page: int, size: int, total: int) -> dict:
    pages = max(1, math.ceil(total / size))
    return {"total_items": total, "total_pages": pages, "page_number": page, "size": size,
            "first_page": page == 1, "last_page": page >= pages, "empty": not records, "contents": records}


def v1_page(records: list, page: int, size: int, total: int) -> dict:
    pages = max(1, math.ceil(total / size))
    return {"totalElements": total, "totalPages": pages, "number": page, "size": size,
            "first": page == 1, "last": page >= pages, "content": records}


def serve_oruk(httpserver, records: list, envelope=v3_page, size: int = 3, prefix: str = "/api") -> str:
    """Serve records as /api/services pages (and /api/services/{id}); returns the base URL."""
    total = len(records)
    pages = max(1, math.ceil(total / size))
    for page in range(1, pages + 1):
        chunk = records[(page - 1) * size: page * size]
        httpserver.expect_request(f"{prefix}/services", query_string=f"page={page}&per_page={size}") \
            .respond_with_json(envelope(chunk, page, size, total))
    for record in records:
        httpserver.expect_request(f"{prefix}/services/{record['id']}").respond_with_json(record)
    return httpserver.url_for(prefix)


def series(i: int, postcode: str, **overrides) -> dict:
    data = {
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "SessionSeries",
        "@id": f"https://example.org/session-series/{i}",
        "name": f"Chair yoga {i}",
        "description": "Gentle seated yoga for older adults. <script>alert('x')</script>All welcome.",
        "url": f"https://example.org/yoga/{i}",
        "activity": [{"@type": "Concept", "prefLabel": "Yoga", "inScheme": "https://openactive.io/activity-list"}],
        "organizer": {"@type": "Organization", "name": "Example Leisure Trust", "url": "https://example.org",
                      "email": "bookings@example.org", "telephone": "020 7946 0001"},
        "location": {"@type": "Place", "name": "Example Leisure Centre",
                     "address": {"@type": "PostalAddress", "streetAddress": "2 Park Road",
                                 "addressLocality": "London", "postalCode": postcode}},
        "eventSchedule": [{"@type": "PartialSchedule", "byDay": ["https://schema.org/Monday"],
                           "startTime": "10:00", "endTime": "11:00", "repeatFrequency": "P1W"}],
        "offers": [{"@type": "Offer", "price": 4, "priceCurrency": "GBP"}],
        "ageRange": {"@type": "QuantitativeValue", "minValue": 60},
    }
    data.update(overrides)
    return data


def write_sources(path: Path, sources: list[dict]) -> Path:
    full = []
    for s in sources:
        s = {"licence": "OGL v3.0", "attribution": "Test data", **s}
        s.setdefault("http", {"pace_seconds": 0, "retries": 2, "backoff": 0, "timeout": 5})
        full.append(s)
    path.write_text(yaml.safe_dump({"sources": full}, sort_keys=False), encoding="utf-8")
    return path


def run_harvest(tmp_path: Path, sources: list[dict], *args: str, as_of: str = AS_OF):
    """Run ``linkwell harvest`` on tmp_path/directory; returns the click Result."""
    sources_file = write_sources(tmp_path / "sources.yml", sources)
    runner = CliRunner()
    return runner.invoke(cli, ["harvest", "--sources", str(sources_file), "--directory", str(tmp_path / "directory"),
                               "--state-dir", str(tmp_path / "state"), "--as-of", as_of, *args],
                         catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def entries(root: Path) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.yml"))}


SHARED_EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "oruk-3.0-examples"
