"""Reports that read the listings and never change them: ``stale`` (past their re-check date)
and ``links`` (dead, moved or doubtful websites)."""
