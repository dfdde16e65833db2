"""`linkwell validate`: the bundled directory passes; every kind of bad input gets one clear line."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from linkwell.cli import cli
from linkwell.listings.validate import validate_paths
from tests.conftest import PROJECT, VALID_ENTRY


def run_validate(*args):
    result = CliRunner().invoke(cli, ["validate", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def lines_for(path, result):
    return [line for line in result.output.splitlines() if line.startswith(str(path)) or str(path) in line]


def test_bundled_directory_is_valid():
    report = validate_paths([PROJECT / "directory"])
    assert report.errors == [], "\n".join(map(str, report.errors))
    assert report.files_checked >= 60
    entries = list(report.entries.values())
    assert {c for e in entries for c in e["categories"]} == {"creative", "connected", "active", "safe"}
    assert len({e["borough"] for e in entries}) >= 15


SUBMITTED = {"form", "pull-request"}  # kinds of source by which a group gives its own details


def honesty_problems(entries: dict[str, dict]) -> list[str]:
    """Listings taken from public reports carry no contact details, no address and no verification;
    a listing the group itself submitted (a form or pull request, verified by the provider) may
    carry the contact details and postcode the group gave. Nothing may look synthetic."""
    problems = []
    for entry in entries.values():
        if entry["id"].startswith(("syn-", "test-", "fake-", "example-")):
            problems.append(f"{entry['id']}: looks synthetic")
        submitted = entry["verified_by"] == "provider" and any(s["kind"] in SUBMITTED for s in entry["sources"])
        if submitted:
            continue
        contact, location = entry.get("contact", {}), entry.get("location", {})
        if "phone" in contact or "email" in contact or "postcode" in location or "address" in location:
            problems.append(f"{entry['id']}: contact details or an address that no group gave us")
        if entry["cost"] != "varies" or "cost_note" in entry:
            problems.append(f"{entry['id']}: a cost the report does not state (leave cost: varies with no note,"
                            " which the site shows as 'Cost not known — ask the group')")
        if not entry["sources"][0].get("title") or entry["verified_by"] != "unverified":
            problems.append(f"{entry['id']}: taken from a report, so it names the report and is unverified")
    return problems


def test_bundled_directory_is_honest():
    """No invented contact details, nothing synthetic, every listing names its public source."""
    assert honesty_problems(validate_paths([PROJECT / "directory"]).entries) == []


def test_a_group_submitting_its_own_listing_keeps_the_directory_honest(tmp_path):
    import shutil

    from tests.test_from_issue import VERBATIM_BODY
    directory = tmp_path / "directory"
    shutil.copytree(PROJECT / "directory", directory)
    (tmp_path / "body.md").write_text(VERBATIM_BODY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["from-issue", str(tmp_path / "body.md"), "--directory", str(directory),
                                      "--issue", "12", "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output
    entries = validate_paths([directory]).entries
    submitted = [e for e in entries.values() if e["verified_by"] == "provider"]
    assert len(submitted) == 1 and submitted[0]["location"].get("postcode")
    assert honesty_problems(entries) == []
    entries["fake-group"] = {**submitted[0], "id": "fake-group", "verified_by": "unverified"}
    assert len(honesty_problems(entries)) == 4  # synthetic id, contacts, a cost, no report named


def test_valid_file_passes(make_listing):
    path = make_listing()
    result = run_validate(path)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "" or "0 errors" in result.output


def snapshot(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def mutate(**changes):
    data = copy.deepcopy(VALID_ENTRY)
    for dotted, value in changes.items():
        node, *rest = dotted.split("__")
        target = data
        for key in [node, *rest][:-1]:
            target = target[key]
        target[[node, *rest][-1]] = value
    return data


BAD_TEXT = {
    "malformed": ("id: x\nname: [unclosed\n", 2, "(file)", "not valid YAML"),
    "duplicate-key": (
        "id: deptford-walking-group\nname: A\nname: B\n", 3, "name", "appears twice"),
    "yaml-no": (None, None, "languages[0]", 'write it in quotes: "no"'),
    "yaml-sexagesimal": (None, None, "schedule[0].opens", 'write it in quotes: "12:30"'),
    "yaml-octal-phone": (None, None, "contact.phone", "write it in quotes"),
    "empty": ("", 1, "(file)", "empty"),
    "comments-only": ("# nothing here\n", 1, "(file)", "empty"),
    "not-a-mapping": ("- a\n- b\n", 1, "(file)", "mapping"),
}


def _yaml_variant(name):
    from linkwell.listings.store import dump_entry
    text = dump_entry(VALID_ENTRY)
    if name == "yaml-no":
        return text.replace("status: active", "status: active\nlanguages:\n  - no")
    if name == "yaml-sexagesimal":
        return text.replace("opens: '10:00'", "opens: 12:30")
    if name == "yaml-octal-phone":
        return text.replace("phone: 020 7946 0000", "phone: 02071234567")
    raise KeyError(name)


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_bad_text(case, make_listing):
    text, line, field, words = BAD_TEXT[case]
    if text is None:
        text = _yaml_variant(case)
    path = make_listing(text=text, name="deptford-walking-group")
    before = snapshot(make_listing.root)
    result = run_validate(path)
    assert result.exit_code == 1
    problems = lines_for(path, result)
    assert len(problems) == 1, result.output
    assert f": {field}: " in problems[0] and words in problems[0], problems[0]
    if line is not None:
        assert problems[0].startswith(f"{path}:{line}: "), problems[0]
    assert "Traceback" not in result.output
    assert snapshot(make_listing.root) == before


BAD_DATA = {
    "wrong-type-categories": (mutate(categories="active"), "categories", "must be a list"),
    "wrong-type-age": (mutate(audience={"min_age": "sixty"}), "audience.min_age", "whole number"),
    "unknown-key": (mutate(opening_hours="Tuesdays"), "opening_hours", "not a field Linkwell knows"),
    "unknown-key-typo": (mutate(contact={"websit": "https://example.org"}), "contact.websit",
                         "did you mean 'website'"),
    "javascript-url": (mutate(contact__website="javascript:alert(1)"), "contact.website", "https://"),
    "data-url": (mutate(organisation__website="data:text/html,<script>x</script>"), "organisation.website",
                 "https://"),
    "html-description": (mutate(description="Come along! <script>alert(1)</script>"), "description",
                         "plain text"),
    "html-img": (mutate(name='Walk <img src=x onerror="alert(1)">'), "name", "plain text"),
    "postcode-outside-london": (mutate(location__postcode="M1 1AE"), "location.postcode",
                                "not a current London postcode"),
    "postcode-other-borough": (mutate(location__postcode="N1 9GU"), "location.postcode",
                               "is in Islington, not lewisham"),
    "future-last-verified": (mutate(last_verified="2999-01-01"), "last_verified", "in the future"),
    "impossible-date": (mutate(last_verified="2025-02-30"), "last_verified", "real date"),
    "bad-enum": (mutate(cost="cheap"), "cost", "not one of the allowed values"),
    "missing-required": ({k: v for k, v in VALID_ENTRY.items() if k != "access"}, "access", "is missing"),
    "closing-before-opening": (mutate(schedule=[{"days": ["mo"], "opens": "14:00", "closes": "13:00"}]),
                               "schedule[0].closes", "not after opening"),
    "id-not-filename": (mutate(id="another-name"), "id", "must equal the file name"),
    "folder-not-borough": (mutate(borough="camden", location={"venue": "Somewhere"}), "borough",
                           "does not match the folder"),
    "empty-categories": (mutate(categories=[]), "categories", "at least one"),
    "huge-description": (mutate(description="x" * 5000), "description", "the limit is 1,500"),
}


@pytest.mark.parametrize("case", sorted(BAD_DATA))
def test_bad_data(case, make_listing):
    data, field, words = BAD_DATA[case]
    path = make_listing(entry=data, borough="lewisham", name="deptford-walking-group")
    before = snapshot(make_listing.root)
    result = run_validate(path)
    assert result.exit_code == 1, result.output
    problems = [p for p in lines_for(path, result) if f": {field}: " in p]
    assert problems and words in problems[0], result.output
    line = int(problems[0][len(str(path)) + 1:].split(":", 1)[0])
    assert line >= 1
    assert "Traceback" not in result.output
    assert snapshot(make_listing.root) == before


def test_problem_lines_point_at_the_field(make_listing):
    path = make_listing(entry=mutate(contact__website="javascript:alert(1)"))
    result = run_validate(path)
    [problem] = lines_for(path, result)
    line = int(problem.split(":")[1])
    assert "website: javascript:alert(1)" in path.read_text().splitlines()[line - 1]


def test_binary_file(make_listing):
    path = make_listing(text=bytes(range(256)) * 4, name="photo")
    result = run_validate(path)
    assert result.exit_code == 1
    assert "binary file" in result.output and "Traceback" not in result.output


def test_non_utf8_file(make_listing):
    path = make_listing(text="name: Caf\xe9\n".encode("latin-1"), name="latin")
    result = run_validate(path)
    assert result.exit_code == 1 and "not UTF-8" in result.output


def test_ten_megabyte_file(make_listing):
    path = make_listing(text="description: " + "a" * (10 * 1024 * 1024) + "\n", name="huge")
    result = run_validate(path)
    assert result.exit_code == 1
    [problem] = lines_for(path, result)
    assert "bytes" in problem and "Traceback" not in result.output


def test_deeply_nested_yaml_is_refused_not_crashed(make_listing):
    path = make_listing(text="a: " + "[" * 60_000 + "]" * 60_000 + "\n", name="nested")
    proc = subprocess.run([sys.executable, "-m", "linkwell", "validate", str(path)],
                          capture_output=True, text=True, cwd=PROJECT)
    assert proc.returncode == 1, proc.stderr
    assert "too deeply" in proc.stdout


def test_aliases_and_tags_are_refused(make_listing):
    path = make_listing(text="a: &x [1]\nb: *x\n", name="alias")
    assert "aliases" in run_validate(path).output
    path = make_listing(text="a: !!python/object/apply:os.system ['echo hi']\n", name="tag")
    assert "not allowed" in run_validate(path).output


def test_duplicate_ids_across_boroughs(make_listing, entry):
    make_listing(entry=entry)
    other = copy.deepcopy(entry)
    other.update(borough="islington", location={"venue": "Elsewhere", "postcode": "N1 9GU"})
    make_listing(entry=other)
    result = run_validate(make_listing.root)
    assert result.exit_code == 1
    assert "is already used by" in result.output


def test_likely_duplicates_warn(make_listing, entry):
    make_listing(entry=entry)
    twin = copy.deepcopy(entry)
    twin["id"] = "deptford-walking-group-2"
    make_listing(entry=twin)
    result = run_validate(make_listing.root)
    assert result.exit_code == 0, result.output
    assert "warning: looks like a duplicate" in result.output
    assert run_validate("--strict", make_listing.root).exit_code == 1


@pytest.mark.parametrize("contact,field", [
    ({"phone": "07700 900123"}, "contact.phone"),
    ({"phone": "+44 7700 900123"}, "contact.phone"),
    ({"email": "jane.smith@example.org"}, "contact.email"),
])
def test_personal_data_warnings(make_listing, entry, contact, field):
    entry["contact"] = contact
    path = make_listing(entry=entry)
    result = run_validate(path)
    assert result.exit_code == 0
    assert f": {field}: warning:" in result.output
    assert run_validate("--strict", path).exit_code == 1


def test_organisational_email_does_not_warn(make_listing, entry):
    entry["contact"] = {"email": "info@example.org", "phone": "020 7946 0000"}
    result = run_validate(make_listing(entry=entry))
    assert "warning:" not in result.output


def test_usage_error_exit_2():
    result = CliRunner().invoke(cli, ["validate", "/no/such/path"])
    assert result.exit_code == 2


def test_cache_sees_edits(make_listing, entry, tmp_path):
    path = make_listing(entry=entry)
    assert validate_paths([make_listing.root]).errors == []
    assert validate_paths([make_listing.root]).errors == []  # served from the cache
    path.write_text(path.read_text().replace("cost: free", "cost: cheap"))
    assert [p.field for p in validate_paths([make_listing.root]).errors] == ["cost"]


def test_future_date_uses_today(make_listing, entry):
    entry["last_verified"] = "2026-06-01"
    make_listing(entry=entry)
    assert validate_paths([make_listing.root], today=dt.date(2026, 6, 1)).errors == []
    assert [p.field for p in validate_paths([make_listing.root], today=dt.date(2026, 5, 31)).errors] == [
        "last_verified"]


def test_parallel_and_serial_agree(make_listing, tmp_path):
    from bench.synthetic import write_directory
    root = tmp_path / "many"
    write_directory(root, 450)
    (root / "lewisham" / "broken.yml").write_text("id: [\n")
    serial = validate_paths([root], workers=1, cache_dir=tmp_path / "c1")
    parallel = validate_paths([root], workers=2, cache_dir=tmp_path / "c2")
    assert serial.problems == parallel.problems and serial.entries == parallel.entries
    assert len(serial.entries) == 450 and len(serial.errors) == 1


def test_entry_digests_are_the_files_content_keys():
    from pathlib import Path

    from tests.conftest import BUNDLED as DIRECTORY_DIR

    report = validate_paths([DIRECTORY_DIR])
    digests = report.entry_digests()
    assert sorted(digests) == sorted(e["id"] for e in report.entries.values())
    for file, entry in list(report.entries.items())[:5]:
        raw = Path(file).read_bytes()  # a path relative to the working folder, or absolute
        assert digests[entry["id"]] == hashlib.blake2b(raw, digest_size=16).hexdigest()


def test_a_large_run_saves_its_cache_in_the_background_and_the_next_run_reads_it(tmp_path, monkeypatch):
    from bench.synthetic import write_directory
    from linkwell.listings import validate
    root = tmp_path / "directory"
    write_directory(root, validate.PARALLEL_THRESHOLD + 10)
    first = validate_paths([root], cache_dir=tmp_path / "cache")
    assert validate._CACHE_WRITERS  # a forked writer saves the cache while this process goes on

    def no_checks(*args, **kwargs):
        raise AssertionError("every file should come from the cache")

    monkeypatch.setattr(validate, "check_file", no_checks)
    again = validate_paths([root], cache_dir=tmp_path / "cache")  # waits for the writer, then reads
    assert not validate._CACHE_WRITERS
    assert again.entries == first.entries and again.problems == first.problems


def test_an_impossible_age_names_the_limit(make_listing):
    path = make_listing(mutate(audience={"max_age": 150}))
    result = run_validate(path)
    assert result.exit_code == 1
    assert "audience.max_age: 150 is not an age we accept: the oldest is 120" in result.output


def test_validation_warns_about_exactly_the_contacts_a_harvest_leaves_out(make_listing):
    """One definition of a personal email or mobile (listings.personal) for both stages."""
    from linkwell.harvest.contacts import Contact, choose
    cases = [("jane.smith@example.org", "020 7946 0000"), ("j_smith@example.org", "020 7946 0000"),
             ("info@example.org", "07700 900123"), ("youth.team@example.org", "+44 7700 900123"),
             ("hello@example.org", "020 7946 0001")]
    for email, phone in cases:
        _, _, left_out = choose([Contact(email=email), Contact(phone=phone)])
        path = make_listing(mutate(contact={"email": email, "phone": phone}))
        warned = [line for line in run_validate(path).output.splitlines() if ": warning: " in line]
        assert len(warned) == left_out, (email, phone, warned)
