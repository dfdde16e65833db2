"""Reference data shipped inside the package: London's boroughs and postcodes (``boroughs``,
``postcodes``, ``geo``), the JSON Schemas of listings, feeds and sources (``schema``) and the
words people read for each controlled value (``vocabulary``)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
SCHEMA_DIR = HERE / "schemas"  # in a checkout, a link to the repository's top-level schema/
