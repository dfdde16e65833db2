"""Allow ``python -m linkwell``."""

from linkwell.cli import main

main()
