"""Render the content of entry, borough and category pages as escaped HTML fragments.

Everything that comes from an entry is untrusted. It is rendered through Jinja2 templates in
``linkwell/publish/site/templates/`` with autoescaping on, never through Markdown (a list item, rendered
~50,000 times a build, is built in Python and escaped by ``html_text`` / ``label_html``, the
same markupsafe escape the templates use); links are emitted only for ``http(s)``, ``mailto``
and ``tel`` URLs (``safe_url``), and the schema.org JSON-LD is serialised with ``<``, ``>`` and
``&`` escaped so text such as ``</script>`` cannot end the script element (``json_for_script``).

``Renderer(site)`` takes a ``SiteInfo`` (site URL, repository URL, tile settings...) and offers
``entry_page(entry, today, depth)``, ``listing_item(entry, fresh, depth)`` and ``listing_page(...)``,
each returning ``Rendered(title, description, head, content, scripts)`` or an HTML string. The
page chrome around them comes from ``linkwell.publish.site.shell``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote_plus, urlencode

import jinja2
import orjson
from markupsafe import Markup, escape

from linkwell.speed import cachefile
from linkwell.listings.areas import area_name
from linkwell.reference.boroughs import BOROUGHS
from linkwell.listings.describe import age_text
from linkwell.listings.freshness import Freshness, freshness
from linkwell.reference.postcodes import postcodes
from linkwell.publish.site import words

TEMPLATES = Path(__file__).resolve().parent / "templates"
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_NOT_DIGITS_RE = re.compile(r"[^0-9+]")
_PHONE_RE = re.compile(r"\+?[0-9]{7,15}")
_HTTP_RE = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)


@dataclass(frozen=True)
class SiteInfo:
    """What the pages need to know about the site (from mkdocs.yml)."""
    site_url: str = ""
    repo_url: str = ""
    update_form: str = "update-listing.yml"
    tiles_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tiles_attribution: str = "&copy; OpenStreetMap contributors"
    tiles_max_zoom: int = 19


@dataclass
class Rendered:
    title: str
    description: str
    content: str
    head: str = ""
    scripts: str = ""
    extra: dict = field(default_factory=dict)


def safe_url(url) -> str | None:
    """The URL when it is an http(s) link people can follow, else None (javascript:, data:...)."""
    if isinstance(url, str) and _HTTP_RE.match(url.strip()):
        return url.strip()
    return None


def mailto(email) -> str | None:
    return f"mailto:{email}" if isinstance(email, str) and _EMAIL_RE.match(email) else None


def tel(phone) -> str | None:
    if not isinstance(phone, str):
        return None
    digits = _NOT_DIGITS_RE.sub("", phone)
    return f"tel:{digits}" if _PHONE_RE.fullmatch(digits) else None


def json_for_script(data) -> str:
    """JSON safe inside <script type="application/ld+json">: no <, > or & can appear literally."""
    text = orjson.dumps(data).decode("utf-8")  # compact, non-ASCII as is
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def paragraphs(text: str) -> list[list[str]]:
    """Plain text as paragraphs (split on blank lines) of lines (split on single newlines)."""
    blocks = re.split(r"\n\s*\n", (text or "").strip())
    return [[line.strip() for line in block.splitlines() if line.strip()] for block in blocks if block.strip()]


def collapse_spaces(text: str) -> str:
    r"""``re.sub(r"\s+", " ", text)``, through ``str.split`` (several times faster: the regular
    expression replaces every single space). Both use Python's own idea of whitespace."""
    words = text.split()
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + " ".join(words) + (" " if text[-1].isspace() else "")


def coordinates(entry: dict) -> tuple[float, float] | None:
    """(lat, lon) from the entry, or from its postcode in the bundled table."""
    location = entry.get("location") or {}
    lat, lon = location.get("lat"), location.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    if location.get("postcode"):
        point = postcodes().get(str(location["postcode"]))
        if point is not None:
            return point.lat, point.lon
    return None


def render_template(template: jinja2.Template, values: dict) -> str:
    """``template.render(values)`` through Jinja's documented low-level API: ``render`` first copies
    ``values`` and Jinja's globals into a new dict (a third of a small template's cost). So the
    templates get no Jinja globals (``range``, ``dict``...): they use none."""
    return "".join(template.root_render_func(template.new_context(values, shared=True)))


def html_text(value) -> str:
    """``value`` as HTML text, escaped exactly as the templates' autoescape does (markupsafe)."""
    return str(escape(value))


@lru_cache(maxsize=2048)
def label_html(value) -> str:
    """``html_text`` for the few values that repeat on every page (borough names, category and
    cost words, freshness notices): escaped once, then looked up."""
    return str(escape(value))


def borough_name(slug: str) -> str:
    borough = BOROUGHS.get(slug)
    return borough.name if borough else words.slug_words(str(slug))


class Renderer:
    def __init__(self, site: SiteInfo):
        self.site = site
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                                 trim_blocks=True, lstrip_blocks=True, bytecode_cache=cachefile.template_cache())
        env.filters["safe_url"] = safe_url
        env.filters["mailto"] = mailto
        env.filters["tel"] = tel
        self._entry = env.get_template("entry.html")
        repo = safe_url(site.repo_url)
        self._site_base = site.site_url.rstrip("/") if safe_url(site.site_url) else None
        self._new_issue = (f"{repo.rstrip('/')}/issues/new?{urlencode({'template': site.update_form})}"
                           if repo else None)
        self._listing = env.get_template("listing.html")

    # --- entry pages ---------------------------------------------------------------------------

    def suggest_change_url(self, entry: dict) -> str | None:
        if not self._new_issue:
            return None
        # what urlencode({"template": ..., "title": ..., "listing": ...}) gives, the first part made once
        title = quote_plus(f"Update: {entry.get('name', '')}")
        return f"{self._new_issue}&title={title}&listing={quote_plus(str(entry.get('id', '')))}"

    def page_url(self, path: str) -> str:
        return f"{self._site_base}/{path}" if self._site_base is not None else ""

    def entry_page(self, entry: dict, today: dt.date, depth: int = 2, fresh: Freshness | None = None) -> Rendered:
        fresh = fresh or freshness(entry, today)
        root = "../" * depth
        location = entry.get("location") or {}
        audience = entry.get("audience") or {}
        contact = entry.get("contact") or {}
        organisation = entry.get("organisation") or {}
        point = coordinates(entry)
        groups = [words.group(g) for g in audience.get("groups") or []]
        cats = [(c, words.category(c)) for c in entry.get("categories") or []]
        status, cost, verified_by = entry.get("status"), entry.get("cost"), entry.get("verified_by")
        view = {
            "root": root, "state": fresh.state,
            "notice": words.unverified_notice(entry) if fresh.state == "unverified" else fresh.notice, "site": self.site, "point": point,
            "name": entry.get("name", ""), "borough_slug": entry.get("borough", ""),
            "borough": borough_name(entry.get("borough", "")),
            "org_name": organisation.get("name", ""), "org_website": organisation.get("website", ""),
            "charity": organisation.get("charity_number"), "company": organisation.get("company_number"),
            "status_slug": status, "status": words.STATUS.get(status, status),
            "description": paragraphs(entry.get("description", "")),
            "venue": location.get("venue"), "address": location.get("address"), "postcode": location.get("postcode"),
            "in_person": "in-person" in (entry.get("delivery") or []),
            "serves": words.serves(entry.get("areas_served")),
            "languages": words.join_words([words.language(c) for c in entry.get("languages") or []]),
            "category_words": words.join_words([label for _, label in cats]),
            "delivery": words.delivery(entry.get("delivery") or []),
            "schedule": [words.schedule_line(slot) for slot in entry.get("schedule") or []],
            "who": words.audience(age_text(audience), groups),
            "verified_on": words.long_date(entry.get("last_verified", "")),
            "cats": cats,
            "acts": [words.activity(a) for a in entry.get("activities") or []],
            "access": [words.ACCESS.get(a, a) for a in entry.get("access") or []],
            "accessibility": [words.ACCESSIBILITY.get(a, a) for a in entry.get("accessibility") or []],
            "cost": words.cost(entry), "cost_note": entry.get("cost_note"),
            "verified_by": words.VERIFIED_BY.get(verified_by, verified_by),
            "sources": [(s.get("title") or words.SOURCE_KIND.get(s.get("kind"), s.get("kind")), safe_url(s.get("url")),
                         words.long_date(s.get("first_seen", ""))) for s in entry.get("sources") or []],
            "website": safe_url(contact.get("website")), "email": mailto(contact.get("email")),
            "phone": tel(contact.get("phone")), "org_site": safe_url(organisation.get("website")),
            "contact_website": contact.get("website", ""), "contact_email": contact.get("email", ""),
            "contact_phone": contact.get("phone", ""),
            "suggest": self.suggest_change_url(entry),
            "lat": f"{point[0]:.6f}" if point else "", "lon": f"{point[1]:.6f}" if point else "",
            "osm": (f"https://www.openstreetmap.org/?mlat={point[0]:.5f}&mlon={point[1]:.5f}"
                    f"#map=16/{point[0]:.5f}/{point[1]:.5f}") if point else None,
        }
        view["leaflet"] = f"{root}assets/vendor/leaflet/"  # entry.js loads Leaflet from here when the map is near
        content = render_template(self._entry, view)
        head = '<script type="application/ld+json">' + json_for_script(self.json_ld(entry, point)) + "</script>"
        scripts = f'<script src="{root}js/entry.js" defer></script>'
        description = collapse_spaces(entry.get("description", ""))[:155]
        return Rendered(title=entry.get("name", entry.get("id", "Listing")), description=description,
                        content=content, head=head, scripts=scripts)

    def json_ld(self, entry: dict, point: tuple[float, float] | None) -> dict:
        """schema.org Service with its provider Organization and the Place it happens at."""
        organisation = entry.get("organisation") or {}
        location = entry.get("location") or {}
        contact = entry.get("contact") or {}
        provider = {"@type": "Organization", "name": organisation.get("name", "")}
        if safe_url(organisation.get("website")):
            provider["url"] = organisation["website"]
        if organisation.get("charity_number"):
            provider["identifier"] = {"@type": "PropertyValue", "propertyID": "GB-CHC",
                                      "value": organisation["charity_number"]}
        region = borough_name(entry.get("borough", ""))
        data = {"@context": "https://schema.org", "@type": "Service", "name": entry.get("name", ""),
                "description": entry.get("description", ""), "provider": provider,
                "category": [words.category(c) for c in entry.get("categories", [])],
                "areaServed": [{"@type": "AdministrativeArea", "name": area_name(a)}
                               for a in entry.get("areas_served") or ()] or {"@type": "AdministrativeArea",
                                                                             "name": region},
                "isAccessibleForFree": entry.get("cost") == "free"}
        url = self.page_url(f"entries/{entry.get('id', '')}/")
        if url:
            data["url"] = url
        if safe_url(contact.get("website")):
            data["sameAs"] = contact["website"]
        hours = []
        for slot in entry.get("schedule") or []:
            spec = {"@type": "OpeningHoursSpecification",
                    "dayOfWeek": [words.SCHEMA_DAYS[d] for d in slot.get("days", []) if d in words.SCHEMA_DAYS]}
            if slot.get("opens"):
                spec["opens"] = slot["opens"]
            if slot.get("closes"):
                spec["closes"] = slot["closes"]
            hours.append(spec)
        if location or hours:
            place = {"@type": "Place", "name": location.get("venue") or entry.get("name", "")}
            address = {"@type": "PostalAddress", "addressLocality": "London", "addressCountry": "GB",
                       "addressRegion": region}
            if location.get("address"):
                address["streetAddress"] = location["address"]
            if location.get("postcode"):
                address["postalCode"] = location["postcode"]
            place["address"] = address
            if point:
                place["geo"] = {"@type": "GeoCoordinates", "latitude": point[0], "longitude": point[1]}
            if hours:
                place["openingHoursSpecification"] = hours
            data["availableChannel"] = {"@type": "ServiceChannel", "serviceLocation": place}
            if contact.get("phone"):
                data["availableChannel"]["servicePhone"] = {"@type": "ContactPoint", "telephone": contact["phone"]}
        if contact.get("email"):
            provider["email"] = contact["email"]
        return data

    # --- listing pages -------------------------------------------------------------------------

    def listing_item(self, entry: dict, fresh: Freshness, depth: int) -> str:
        """One entry in a borough or category list, as HTML.

        Built here rather than in a template: a 20,000-entry build renders about 50,000 list items
        and a Jinja render costs several times the text itself. Every value goes through
        ``html_text`` (the templates' own escape) or ``label_html`` (the same, cached).
        """
        text = " ".join(entry.get("description", "").split())  # re.sub(r"\s+", " ", ...).strip()
        short = text if len(text) <= 180 else text[:177].rsplit(" ", 1)[0] + "…"
        status = entry.get("status")
        meta = [html_text((entry.get("organisation") or {}).get("name", "")),
                label_html(borough_name(entry.get("borough", ""))), label_html(words.cost(entry))]
        meta += [label_html(words.category(c)) for c in entry.get("categories") or []]
        if status and status != "active":
            meta.append(f"<strong>{label_html(words.STATUS.get(status, status))}</strong>")
        areas = entry.get("areas_served")
        serves = f'  <p class="lw-item__serves">{label_html(words.serves(tuple(areas)))}</p>\n' if areas else ""
        return (f'<li class="lw-item lw-item--{label_html(fresh.state)}">\n'
                f'  <h3 class="lw-item__name"><a href="{"../" * depth}entries/{html_text(entry.get("id", ""))}/">'
                f'{html_text(entry.get("name", ""))}</a></h3>\n'
                f'  <p class="lw-item__meta">{" · ".join(meta)}</p>\n{serves}'
                f'  <p class="lw-item__text">{html_text(short)}</p>\n'
                f'  <p class="lw-item__fresh">{label_html(fresh.notice)}</p>\n'
                "</li>")

    def listing_page(self, *, title: str, intro: str, items: list[str], page: int, pages: int,
                     base: str, depth: int, total: int, size: int, crumbs: list[tuple[str, str]]) -> Rendered:
        """A page of a borough or category list; ``base`` is the list's path ("boroughs/hackney/")."""
        root = "../" * depth
        links = [(n, f"{root}{base}" if n == 1 else f"{root}{base}{n}/") for n in range(1, pages + 1)]
        content = render_template(self._listing, {
            "title": title, "intro": intro, "count": len(items), "page": page, "pages": pages, "links": links,
            "total": total, "first": (page - 1) * size + 1, "crumbs": [(label, root + href) for label, href in crumbs],
            "items": Markup("".join(items)),  # already-escaped HTML from listing_item, marked safe in one piece
        })
        shown = title if page == 1 else f"{title} (page {page} of {pages})"
        return Rendered(title=shown, description=intro[:155], content=content)
