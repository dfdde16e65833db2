"""The listings: one YAML file per service in a project's ``directory/<borough>/<id>.yml``.

``loader`` reads a file safely (with line numbers; ``quick_yaml`` is its fast path for files in
the layout ``store`` writes), ``validate`` checks files against the schema and the rules and
explains problems (``messages``), ``store`` is the only code that writes them, ``freshness`` says
when one is due a re-check, ``describe`` turns fields into short plain text, ``digest`` names a
listing's content.
"""
