"""The vendored HSDS 3.0 and ORUK 3.0 JSON Schemas (tests/vendor/, CC BY-SA 4.0), as validators.

``response(path)`` checks a ``GET path`` answer against the 200 response schema of that path in
HSDS 3.0's ``openapi.json`` (the schema the ORUK validator applies), with its remote ``$ref``s
resolved to the vendored copies, never the network. ``oruk(name)`` is the UK profile's schema
(``service``, ``service_list``, ``organization``, ``taxonomy``, ``taxonomy_term``).
``REQUIRED`` are the endpoints HSDS 3.0 requires (codelist api-endpoint-requirement); the others
are optional: absent (404) or valid.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

VENDOR = Path(__file__).resolve().parent / "vendor"
HSDS_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
ORUK_BASE = "https://oruk-3.0.vendored.invalid/schema/"
REQUIRED = ("/", "/services", "/services/{id}")
OPTIONAL = ("/taxonomies", "/taxonomy_terms", "/organizations", "/service_at_locations")


def format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("uri")
    def _uri(value):  # jsonschema checks "uri" only with optional packages; check the shape here
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc) and " " not in value

    return checker


def _resource(path: Path) -> Resource:
    return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012)


@cache
def registry() -> Registry:
    hsds, oruk = VENDOR / "hsds-3.0", VENDOR / "oruk-3.0"
    resources = [(HSDS_BASE + p.name, _resource(p)) for p in sorted(hsds.glob("*.json"))]
    resources += [(HSDS_BASE + "compiled/" + p.name, _resource(p)) for p in sorted((hsds / "compiled").glob("*.json"))]
    for name in ("service", "organization", "service_at_location"):  # compiled = the same schema, inlined
        alias = {"$ref": f"../{name}.json"}
        resources.append((HSDS_BASE + f"compiled/{name}.json", DRAFT202012.create_resource(alias)))
    resources += [(ORUK_BASE + p.name, _resource(p)) for p in sorted(oruk.glob("*.json"))]
    return Registry().with_resources(resources)


def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref}, registry=registry(), format_checker=format_checker())


@cache
def response(path: str) -> Draft202012Validator:
    pointer = path.replace("~", "~0").replace("/", "~1")
    return _validator(f"{HSDS_BASE}openapi.json#/paths/{pointer}/get/responses/200/content/application~1json/schema")


@cache
def hsds(name: str) -> Draft202012Validator:
    return _validator(HSDS_BASE + name + ".json")


@cache
def oruk(name: str) -> Draft202012Validator:
    return _validator(ORUK_BASE + name + ".json")


def problems(validator: Draft202012Validator, document, limit: int = 5) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in list(validator.iter_errors(document))[:limit]]
