"""Helpers that only make Linkwell faster: versioned cache files (``cachefile``) and pausing the
garbage collector while many small objects are built (``gc.no_gc``). Nothing here changes a result."""
