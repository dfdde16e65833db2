"""Publishing: the website (``site``), its search index (``search``) and the open-data feeds
(``feeds``), built from validated listings into one folder ready to host.

``linkwell build`` validates and runs MkDocs; ``mkdocs_plugin`` (the only MkDocs-specific module)
hands the entries to ``site.build``, which renders the pages while ``workers`` writes the feeds
and the search index in forked processes. ``output`` writes files with few system calls.
"""
