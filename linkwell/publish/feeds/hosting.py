"""Host configurations for the ORUK API in ``openreferral/``, for hosts that can do more than a plain
static host: route ``GET /openreferral/services?page=N`` to ``services/page-N.json``, send
``Content-Type: application/json`` and ``Access-Control-Allow-Origin: *``.

``write(out_dir)`` writes Netlify's ``_redirects`` and ``_headers`` at the root of the built site
(GitHub Pages ignores both: files starting with ``_`` are not published there). Our rules sit
between two marker lines; anything else in those files (from ``site_src/``) is kept. ``NGINX`` and
``CADDY`` are the equivalent snippets for a server's configuration; the for-councils page shows
them. All assume the site is served at the root of its domain (prefix the paths otherwise).

Without these (GitHub Pages, a plain file server) the API still works: ``?page=N`` is ignored and
``services/index.html`` holds every service in one page; the JSON comes as ``text/html`` or
``application/octet-stream``, which ORUK clients and the validator parse all the same.
"""

from __future__ import annotations

from pathlib import Path

from linkwell.publish.feeds.openreferral import FOLDER

BEGIN = "# linkwell: Open Referral UK API (openreferral/) - begin"
END = "# linkwell: Open Referral UK API (openreferral/) - end"

# Netlify: a rule with a query parameter matches only requests that carry it; "200!" rewrites
# even though services/index.html exists (without "!" the file would shadow the rule).
REDIRECTS = f"""\
/{FOLDER}/services   page=:page  /{FOLDER}/services/page-:page.json  200!
/{FOLDER}/services/  page=:page  /{FOLDER}/services/page-:page.json  200!
"""

HEADERS = f"""\
/{FOLDER}/*
  Content-Type: application/json; charset=utf-8
  Access-Control-Allow-Origin: *
"""

NGINX = f"""\
# Linkwell ORUK API: every file under /{FOLDER}/ is JSON; ?page=N picks services/page-N.json
location /{FOLDER}/ {{
    types {{ }}
    default_type application/json;
    charset utf-8;
    charset_types application/json;
    add_header Access-Control-Allow-Origin * always;
}}
location ~ ^/{FOLDER}/services/?$ {{
    types {{ }}
    default_type application/json;
    charset utf-8;
    charset_types application/json;
    add_header Access-Control-Allow-Origin * always;
    if ($arg_page ~ "^[1-9][0-9]*$") {{
        rewrite ^ /{FOLDER}/services/page-$arg_page.json last;
    }}
    try_files /{FOLDER}/services/index.html =404;
}}
"""

CADDY = f"""\
# Linkwell ORUK API: every file under /{FOLDER}/ is JSON; ?page=N picks services/page-N.json
@oruk_page {{
    path /{FOLDER}/services /{FOLDER}/services/
    query page=*
}}
rewrite @oruk_page /{FOLDER}/services/page-{{query.page}}.json
header /{FOLDER}/* {{
    Content-Type "application/json; charset=utf-8"
    Access-Control-Allow-Origin "*"
    defer
}}
"""


def merged(existing: str, block: str) -> str:
    """``existing`` with our marked block replaced by ``block`` (or added at the end)."""
    lines = existing.splitlines()
    if BEGIN in lines and END in lines[lines.index(BEGIN):]:
        start = lines.index(BEGIN)
        end = lines.index(END, start)
        lines[start:end + 1] = []
    kept = "\n".join(lines).strip("\n")
    ours = f"{BEGIN}\n{block}{END}\n"
    return f"{kept}\n\n{ours}" if kept else ours


def write(out_dir: Path) -> list[Path]:
    """Write (or update) ``_redirects`` and ``_headers`` in ``out_dir``; returns both paths."""
    written = []
    for name, block in (("_redirects", REDIRECTS), ("_headers", HEADERS)):
        path = Path(out_dir) / name
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        text = merged(existing, block)
        if text != existing:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
