"""The search form's HTML on the home page, generated from the schema's vocabularies.

The form lives in ``site_src/index.md`` between ``<!-- search-form:start -->`` and
``<!-- search-form:end -->`` so the page has its filters before any search data is fetched.
``python -m linkwell.publish.search.form`` rewrites that block in the project's home page from
``form_html()``; a test fails when the block is out of date (e.g. after a vocabulary changes in
``schema/entry.schema.json``).
Facet keys and values are ``linkwell.publish.search.facets``'s, which the index writes.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

from linkwell import project
from linkwell.publish.search.facets import facet_labels, facet_values

START, END = "<!-- search-form:start -->", "<!-- search-form:end -->"

FACET_TITLES = {
    "cat": "Category", "bor": "Borough", "cost": "Cost", "del": "How it is delivered", "day": "Day of the week",
    "time": "Time of day", "grp": "Who it is for", "acc": "How to get in", "a11y": "Accessibility",
    "lang": "Language spoken",
}
OPEN = {"cat", "cost", "del"}  # groups shown open; the rest start folded
ORDER = ["cat", "cost", "del", "day", "time", "acc", "a11y", "grp", "lang", "bor"]  # the long lists last, full width


def _fieldset(key: str) -> str:
    title = FACET_TITLES[key]
    boxes = []
    for value, text in zip(facet_values()[key], facet_labels()[key], strict=True):
        ident = f"lw-{key}-{value}"
        boxes.append(f'<li><input type="checkbox" id="{ident}" name="{key}" value="{html.escape(value)}">'
                     f'<label for="{ident}">{html.escape(text)}</label></li>')
    cls = "lw-facet lw-facet-wide" if key in {"bor", "grp", "lang"} else "lw-facet"
    return (f'<details class="{cls}" data-facet="{key}"{" open" if key in OPEN else ""}>'
            f'<summary>{title}<span class="lw-facet-count" data-count-for="{key}"></span></summary>'
            f'<fieldset><legend class="lw-visually-hidden">{title}</legend><ul>' + "".join(boxes)
            + "</ul></fieldset></details>")


def form_html() -> str:
    facets = "\n".join(_fieldset(key) for key in ORDER)
    return f"""{START}
<form id="lw-search" class="lw-search" role="search" action="." method="get" aria-label="Search the directory">
<div class="lw-search-main">
<div class="lw-field lw-field-q"><label for="lw-q">What are you looking for?</label>
<input id="lw-q" name="q" type="search" autocomplete="off" spellcheck="true"
 placeholder="e.g. walking, choir, debt advice"></div>
<div class="lw-field lw-field-pc"><label for="lw-pc">Near postcode <span class="lw-hint">(optional)</span></label>
<input id="lw-pc" name="pc" type="text" autocomplete="postal-code" size="9" placeholder="e.g. SE8 4RJ"
 aria-describedby="lw-pc-error"></div>
<div class="lw-field lw-field-age"><label for="lw-age">Person's age <span class="lw-hint">(optional)</span></label>
<input id="lw-age" name="age" type="number" min="0" max="120" inputmode="numeric"></div>
<button type="submit" class="md-button md-button--primary lw-go">Search</button>
</div>
<input type="hidden" name="r" id="lw-r">
<p id="lw-pc-error" class="lw-error" hidden></p>
<details class="lw-filters" id="lw-filters">
<summary>Filters<span class="lw-filter-count" id="lw-filter-count"></span></summary>
<div class="lw-facets">
{facets}
</div>
<button type="button" class="md-button lw-clear" id="lw-clear">Clear all filters</button>
</details>
</form>
{END}"""


def index_md() -> Path:
    """The home page of the project ``linkwell`` works on."""
    return project.find().docs_dir / "index.md"


def update_index_md(path: Path | None = None) -> bool:
    """Rewrite the form block in ``path`` (default: the project's home page); True when it changed."""
    path = path or index_md()
    text = path.read_text(encoding="utf-8")
    new = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: form_html(), text, flags=re.S)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    print("updated" if update_index_md() else "up to date", index_md(), file=sys.stderr)
