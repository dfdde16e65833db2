"""Synthetic London listings for benchmarks and tests: never written into directory/.

``generate(n, seed=1)`` yields ``n`` valid entry dicts with ids ``syn-<n>``, real London
postcodes from the bundled table (so the borough matches), schedules, ages, accessibility, areas
served and organisational-looking (example.org) contacts. ``write_directory(root, n)`` writes them as
``root/<borough>/<id>.yml`` through ``linkwell.listings.store``. Run as a script to make a folder:
``python -m bench.synthetic 20000 /tmp/dir``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from linkwell.listings.store import write_entries
from linkwell.reference import schema
from linkwell.reference.postcodes import postcodes

_WHAT = ["Art", "Walking", "Befriending", "Gardening", "Choir", "Dance", "Debt advice", "Chair yoga",
         "Reading", "Men's shed", "Knit and natter", "Swimming", "Cooking", "Table tennis", "Carers' café",
         "Benefits advice", "Photography", "Drumming", "Allotment", "Tai chi", "Lunch club", "Bike ride"]
_WHO = ["group", "club", "circle", "session", "network", "project", "drop-in", "workshop"]
_PLACES = ["Community Centre", "Library", "Church Hall", "Park", "Leisure Centre", "Hub", "Museum"]
_WORDS = ("friendly welcoming relaxed weekly sessions for local people who want to meet others try "
          "something new get moving learn share skills and feel less isolated newcomers welcome no "
          "experience needed tea and biscuits provided support from volunteers").split()


def generate(n: int, seed: int = 1):
    rng = random.Random(seed)
    table = postcodes()
    codes = table.codes()
    cats = schema.vocabulary("categories")
    acts = schema.vocabulary("activities")
    access = schema.vocabulary("access")
    groups = schema.vocabulary("audience", "groups")
    accessibility = schema.vocabulary("accessibility")
    days = ["mo", "tu", "we", "th", "fr", "sa", "su"]
    for i in range(n):
        point = table.get(rng.choice(codes))
        postcode, lat, lon, borough = point.postcode, point.lat, point.lon, point.borough
        what = rng.choice(_WHAT)
        name = f"{what} {rng.choice(_WHO)} {i}"
        delivery = rng.choice([["in-person"], ["in-person"], ["in-person", "online"], ["online"], ["phone"]])
        opens = rng.choice([9, 10, 11, 13, 14, 18, 19])
        entry = {
            "id": f"syn-{i}",
            "name": name,
            "organisation": {"name": f"{what} Trust {i % 997}", "website": f"https://example.org/org{i % 997}"},
            "description": f"{name}: " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(20, 80))) + ".",
            "categories": sorted(rng.sample(cats, rng.randint(1, 2))),
            "activities": sorted(rng.sample(acts, rng.randint(1, 3))),
            "borough": borough,
            "delivery": delivery,
            "schedule": [{"days": sorted(rng.sample(days, rng.randint(1, 2)), key=days.index),
                          "opens": f"{opens:02d}:00", "closes": f"{opens + 2:02d}:00",
                          "frequency": rng.choice(["weekly", "weekly", "fortnightly", "monthly"])}],
            "cost": rng.choice(["free", "free", "low-cost", "paid", "varies"]),
            "access": sorted(rng.sample(access, rng.randint(1, 3))),
            "audience": {"min_age": rng.choice([16, 18, 50, 65]), "groups": rng.sample(groups, 1)},
            "accessibility": sorted(rng.sample(accessibility, rng.randint(0, 3))),
            "contact": {"website": f"https://example.org/{i}", "phone": f"020 7946 {i % 10000:04d}"},
            "status": rng.choice(["active"] * 18 + ["temporarily-closed", "closed"]),
            "last_verified": f"20{rng.randint(23, 26)}-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}",
            "verified_by": rng.choice(["provider", "link-worker", "lio", "council", "harvest", "unverified"]),
            "sources": [{"kind": "manual", "first_seen": "2023-01-01", "last_seen": "2026-01-01"}],
        }
        if "in-person" in delivery:
            entry["location"] = {"venue": f"{rng.choice(_PLACES)} {i % 50}", "postcode": postcode,
                                 "lat": lat, "lon": lon}
        if i % 5 == 1:  # a fifth say which areas they serve (all of London, or their own borough)
            entry["areas_served"] = ["london"] if "in-person" not in delivery else [borough]
        yield entry


def write_directory(root: Path, n: int, seed: int = 1) -> list[dict]:
    entries = list(generate(n, seed))
    write_entries(Path(root), entries)
    return entries


if __name__ == "__main__":
    write_directory(Path(sys.argv[2]), int(sys.argv[1]))
