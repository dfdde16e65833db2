"""The linkwell MkDocs plugin: the only module that knows about MkDocs.

Enabled in mkdocs.yml as ``plugins: [linkwell: {directory: directory}]`` (options: ``directory``,
``feeds`` and ``search_index``, both true by default). It

- loads and validates the listings in ``directory`` (or takes the entries ``linkwell build``
  already validated, via ``plugin.preloaded``) and stops the build on any validation error;
- adds generated pages to MkDocs: the boroughs and categories index pages (in the nav) and one
  page shell per URL depth (``linkwell.publish.site.shell``), which MkDocs renders with Material;
- once MkDocs has cleaned the output folder, starts the feeds and search index workers
  (``linkwell.publish.workers.start``); after the build, hands the shells and entries to
  ``linkwell.publish.site.build.publish``, which writes every entry, borough and category page and waits
  for the workers;
- keeps generated pages across MkDocs' clean of the output folder, and makes ``mkdocs serve``
  watch the listings too;
- keeps compiled templates in a Jinja bytecode cache (``linkwell.speed.cachefile.template_cache``).

Swapping the engine (ProperDocs, Zensical...) means rewriting this module only.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, InclusionLevel

from linkwell.publish import workers
from linkwell.publish.site import build, words
from linkwell.publish.site.render import SiteInfo
from linkwell.publish.site.shell import FRONT_MATTER, Shell
from linkwell.reference import SCHEMA_DIR
from linkwell.reference.boroughs import BOROUGHS
from linkwell.speed import cachefile

SHELL_PAGES = {2: "_linkwell/depth2.md", 3: "_linkwell/x/depth3.md"}
SITE_PACKAGE = Path(build.__file__).resolve().parent
THEME_DIR = SITE_PACKAGE / "theme"  # overrides of Material's templates, after the project's own custom_dir
ASSETS_DIR = SITE_PACKAGE / "assets"  # the site's scripts and styles: js/, css/ (Leaflet is copied by build)
PAGE_CSS = ["css/linkwell.css", "css/search.css"]
REPO_URL_MARK = "{{ repo_url }}"
PAGE_JS = ["js/dom.js", "js/search-index.js", "js/search-geo.js", "js/search-filters.js", "js/search.js",
           "js/shortlist.js"]


class LinkwellPlugin(BasePlugin):
    config_scheme = (("directory", config_options.Type(str, default="directory")),
                     ("feeds", config_options.Type(bool, default=True)),
                     ("search_index", config_options.Type(bool, default=True)))

    def __init__(self):
        super().__init__()
        self.preloaded: list[dict] | None = None  # set by `linkwell build` after it validated
        self.digests: dict[str, str] | None = None  # {entry id: content digest}, from the validation
        self.entries: list[dict] = []
        self.shells: dict[int, Shell] = {}
        self.today = dt.date.today()
        self.stats = None
        self.background = None  # the feeds and search index workers, from on_files to on_post_build

    # --- MkDocs events ---------------------------------------------------------------------

    def on_config(self, config):
        self._add_engine_files(config)
        self.directory = Path(config.config_file_path or ".").parent / self.config["directory"]
        if self.preloaded is not None:
            self.entries = self.preloaded
        else:
            self.entries, self.digests = self._load(self.directory)
        extra = config.extra or {}
        tiles = extra.get("map_tiles") or {}
        self.site = SiteInfo(site_url=config.site_url or "", repo_url=config.repo_url or "",
                             update_form=extra.get("update_listing_form", "update-listing.yml"),
                             tiles_url=tiles.get("url", SiteInfo.tiles_url),
                             tiles_attribution=tiles.get("attribution", SiteInfo.tiles_attribution),
                             tiles_max_zoom=int(tiles.get("max_zoom", SiteInfo.tiles_max_zoom)))
        return config

    def on_pre_build(self, config):
        self.shells = {}
        self.site_dir = Path(config.site_dir)
        build.preserve(self.site_dir)

    def on_env(self, env, config, files):
        env.bytecode_cache = env.bytecode_cache or cachefile.template_cache()  # Material's templates compiled once
        return env

    def on_files(self, files, config):
        # MkDocs has cleaned the output folder: put the generated folders back and start writing
        # the feeds and the search index while MkDocs renders its pages
        build.restore(self.site_dir)
        self.background = workers.start(self.entries, self.site_dir, self.today, self.config["feeds"],
                                        self.config["search_index"], self.digests)
        for file in self._engine_files(config, files):
            files.append(file)
        for uri in SHELL_PAGES.values():
            files.append(File.generated(config, uri, content=FRONT_MATTER, inclusion=InclusionLevel.NOT_IN_NAV))
        files.append(File.generated(config, "boroughs/index.md", content=self._boroughs_index()))
        files.append(File.generated(config, "categories/index.md", content=self._categories_index()))
        return files

    def on_page_markdown(self, markdown, page, config, files):
        """``{{ repo_url }}`` in a hand-written page is the project's repository (mkdocs.yml's
        ``repo_url``), so the address is written once."""
        return markdown.replace(REPO_URL_MARK, (config.repo_url or "").rstrip("/"))

    def on_post_page(self, output, page, config):
        if page.meta.get("linkwell_shell"):
            depth = page.url.rstrip("/").count("/") + 1
            self.shells[depth] = Shell(output, page.canonical_url, config.site_url)
        return output

    def on_post_build(self, config):
        site_dir = Path(config.site_dir)
        shutil.rmtree(site_dir / "_linkwell", ignore_errors=True)
        missing = set(SHELL_PAGES) - set(self.shells)
        if missing:
            raise PluginError(f"the page shells for depth {sorted(missing)} were not rendered")
        try:
            self.stats = build.publish(self.entries, site_dir, self.shells, self.site, self.today,
                                       feeds=self.config["feeds"], search=self.config["search_index"],
                                       digests=self.digests, background=self.background)
        except FileNotFoundError as exc:
            raise PluginError(str(exc)) from None
        finally:
            self.background = None

    def on_build_error(self, error):
        if self.background is not None:
            self.background.stop()
            self.background = None
        if getattr(self, "site_dir", None) is not None:
            build.restore(self.site_dir)  # put the generated pages back for the next incremental build

    def on_serve(self, server, config, builder):
        if self.directory.is_dir():
            server.watch(str(self.directory))
        return server

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _add_engine_files(config) -> None:
        """Our theme overrides, scripts and styles come from the package, so a project's mkdocs.yml
        needs only ``plugins: [linkwell]``; a project's own ``custom_dir`` still wins."""
        dirs = config.theme.dirs
        if str(THEME_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        for name in PAGE_CSS:
            if name not in config.extra_css:
                config.extra_css.append(name)
        listed = {str(script) for script in config.extra_javascript}
        config.extra_javascript.extend(name for name in PAGE_JS if name not in listed)

    @staticmethod
    def _engine_files(config, files) -> list[File]:
        """The package's scripts and styles and the listing schema (for the add-your-group form),
        unless the project's pages folder has a file of the same name."""
        found = [(path.relative_to(ASSETS_DIR).as_posix(), ASSETS_DIR) for sub in ("js", "css")
                 for path in sorted((ASSETS_DIR / sub).glob("*.*"))]
        found.append(("schema/entry.schema.json", SCHEMA_DIR))
        out = []
        for uri, src_dir in found:
            if files.get_file_from_path(uri) is None:
                src = src_dir / (uri if src_dir == ASSETS_DIR else Path(uri).name)
                out.append(File.generated(config, uri, abs_src_path=str(src), inclusion=InclusionLevel.NOT_IN_NAV))
        return out

    def _load(self, directory: Path) -> tuple[list[dict], dict[str, str]]:
        from linkwell.listings.validate import validate_paths
        if not directory.is_dir():
            raise PluginError(f"the listings folder {directory} does not exist (plugin option `directory`)")
        report = validate_paths([directory])
        if report.errors:
            lines = "\n".join(str(p) for p in report.errors[:50])
            more = f"\n... and {len(report.errors) - 50} more" if len(report.errors) > 50 else ""
            raise PluginError(f"{len(report.errors)} listing errors; fix them and build again:\n{lines}{more}")
        return list(report.entries.values()), report.entry_digests()

    def _boroughs_index(self) -> str:
        counts = Counter(e["borough"] for e in self.entries)
        rows = "\n".join(f'| <a href="{slug}/">{b.name}</a> | {counts.get(slug, 0)} |' for slug, b in BOROUGHS.items())
        return ("# Boroughs\n\nListings in each of London's 33 local authorities. Each borough's list shows "
                "recently verified listings first.\n\n| Borough | Listings |\n|---|---:|\n" + rows + "\n")

    def _categories_index(self) -> str:
        counts = Counter(c for e in self.entries for c in e["categories"])
        rows = "\n".join(f'| <a href="{slug}/">{words.category(slug)}</a> | {words.category_blurb(slug)} | '
                         f'{counts.get(slug, 0)} |' for slug in words.CATEGORIES)
        return ("# Categories\n\nThe four kinds of support social prescribing refers people to.\n\n"
                "| Category | What it covers | Listings |\n|---|---|---:|\n" + rows + "\n")
