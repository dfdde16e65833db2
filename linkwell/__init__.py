"""Linkwell: a community-asset directory for social prescribing in London.

The package is split by concern: ``loader`` reads YAML safely, ``validate`` checks entries,
``geo`` and ``boroughs`` hold the offline geography, ``store`` is the only code that writes
``directory/`` files, and ``cli`` is a thin click front end over all of them.
"""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"
SCHEMA_DIR = PROJECT_DIR / "schema"
DIRECTORY_DIR = PROJECT_DIR / "directory"
