"""The website's own rendering, independent of MkDocs.

``words`` turns field values into plain language, ``render`` renders escaped page content
(entry, borough, category pages and schema.org JSON-LD) with Jinja2 templates from
``templates/``, ``shell`` fills the page chrome MkDocs + Material rendered once, and ``build``
writes the generated pages incrementally, then the feeds and the search index. The MkDocs glue
is ``linkwell/publish/mkdocs_plugin.py``; the Material override is ``theme/main.html``.
"""
