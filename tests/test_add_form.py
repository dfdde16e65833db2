"""The site's add-your-group form, in real headless Chromium on a real `linkwell build` of the site.

Invalid answers show errors next to their questions (aria-invalid, aria-describedby); valid answers
give the right pre-filled GitHub issue URL, and that URL's answers, submitted as GitHub would render
them, pass `linkwell from-issue`. The page's questions are also checked against FIELDS.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from test_from_issue import CONFIRM, render

from linkwell.reference import schema
from linkwell.submissions import BY_ID, FIELDS

PROJECT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT / "test-artifacts"
PAGE = PROJECT / "site_src" / "add-your-group.md"
REPO = "https://github.com/linkwell-london/linkwell"


class _Fields(HTMLParser):
    """data-field blocks of the page with their choices: {id: {"kind":..., "options": {label: value}}}."""

    def __init__(self):
        super().__init__()
        self.fields, self.current, self.option = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-field" in a:
            self.current = a["data-field"]
            self.fields[self.current] = {"kind": a["data-kind"], "required": a.get("data-required") == "true",
                                         "options": {}}
        elif tag == "input" and a.get("type") == "checkbox":
            self.fields[a["name"]]["options"][a["data-label"]] = a["value"]
        elif tag == "option" and a.get("value"):
            self.option = a["value"]

    def handle_data(self, data):
        if self.option is not None and data.strip():
            self.fields[self.current]["options"][data.strip()] = self.option
            self.option = None


def test_page_questions_match_the_issue_form_fields():
    parser = _Fields()
    parser.feed(PAGE.read_text(encoding="utf-8"))
    # every question of the GitHub form except the reviewers' notes; none of the update form's own
    assert list(parser.fields) == [f.id for f in FIELDS if f.id not in ("listing", "status", "notes")]
    for fid, found in parser.fields.items():
        spec = BY_ID[fid]
        assert found["kind"] == spec.kind and found["required"] == spec.required, fid
        assert found["options"] == spec.options, fid


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run([str(PROJECT / ".venv" / "bin" / "linkwell"), "build", "--out", str(out)],
                           capture_output=True, text=True, cwd=PROJECT, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (out / "schema" / "entry.schema.json").is_file(), "the build must publish schema/entry.schema.json"
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site}/add-your-group/")
    page.wait_for_selector("#lw-add-form button[type=submit]:not([disabled])", timeout=15_000)
    yield page
    assert errors == [], errors
    context.close()


def submit(page) -> None:
    """Send the form and wait for its answer: the problems, or the result (the postcode is looked up
    first, so the answer comes a moment later)."""
    page.evaluate("() => { window.lwAnswered = false; const done = () => { window.lwAnswered = true; };"
                  " for (const id of ['lw-add-summary', 'lw-add-result']) {"
                  " new MutationObserver(done).observe(document.getElementById(id), {attributes: true,"
                  " childList: true}); } }")
    page.click("#lw-add-form button[type=submit]")
    page.wait_for_function("() => window.lwAnswered")


def error_of(page, fid: str) -> str:
    return page.locator(f"#lw-f-{fid}-error").inner_text() if page.locator(f"#lw-f-{fid}-error").is_visible() else ""


def test_empty_form_shows_errors_next_to_required_questions(page):
    ARTIFACTS.mkdir(exist_ok=True)
    submit(page)
    for fid in ("name", "organisation", "description", "categories", "borough", "delivery", "cost", "access",
                "confirm"):
        assert error_of(page, fid), fid
    assert not error_of(page, "charity_number")
    name = page.locator("#lw-f-name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "lw-f-name-error" in name.get_attribute("aria-describedby").split()
    assert page.locator("#lw-f-categories").get_attribute("aria-invalid") == "true"
    assert page.locator("#lw-add-summary").is_visible()
    assert page.locator("#lw-add-summary li").count() == 9
    assert not page.locator("#lw-add-result").is_visible()
    page.screenshot(path=str(ARTIFACTS / "add-form-errors.png"), full_page=False)


def fill_valid(page):
    page.fill("#lw-f-name", "Hither Green Chair Yoga")
    page.fill("#lw-f-organisation", "Lee Community Wellbeing")
    page.fill("#lw-f-description", "Gentle seated yoga.\nChairs provided; tea & biscuits after.")
    page.check('input[name=categories][value=active]')
    page.check('input[name=activities][value=yoga]')
    page.select_option("#lw-f-borough", "lewisham")
    page.fill("#lw-f-venue", "Deptford Lounge")
    page.fill("#lw-f-postcode", "se8 4rj")
    page.check('input[name=delivery][value=in-person]')
    page.check('input[name=days][value=tu]')
    page.fill("#lw-f-opens", "2pm")
    page.fill("#lw-f-closes", "15:30")
    page.select_option("#lw-f-frequency", "weekly")
    page.select_option("#lw-f-cost", "free")
    page.check('input[name=access][value=drop-in]')
    page.check('input[name=access][value=gp-referral]')
    page.check('input[name=accessibility][value=step-free]')
    page.fill("#lw-f-email", "hello@example.org")
    for box in page.locator('input[name=confirm]').all():
        box.check()


def test_invalid_answers_are_named_beside_their_questions(page):
    fill_valid(page)
    page.fill("#lw-f-description", 'Fun! <script>alert("x")</script>')
    page.fill("#lw-f-opens", "morning")
    page.fill("#lw-f-email", "bob at example")
    page.fill("#lw-f-min_age", "fifty")
    page.fill("#lw-f-cost_note", "${{ secrets.TOKEN }}")
    page.fill("#lw-f-website", "javascript:alert(1)")
    submit(page)
    assert "HTML" in error_of(page, "description")
    assert "time" in error_of(page, "opens")
    assert "email" in error_of(page, "email")
    assert "age" in error_of(page, "min_age")
    assert "workflow expression" in error_of(page, "cost_note")
    assert "web address" in error_of(page, "website")
    assert not error_of(page, "name") and not error_of(page, "postcode")
    for fid in ("description", "opens", "email", "min_age", "cost_note", "website"):
        assert page.locator(f"#lw-f-{fid}").get_attribute("aria-invalid") == "true", fid
    assert not page.locator("#lw-add-result").is_visible()
    page.locator("#lw-f-description").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "add-form-invalid.png"))
    # too long, checked against the schema's own limit
    page.fill("#lw-f-description", "Walk. " * 300)
    submit(page)
    assert "1,799 characters long" in error_of(page, "description") and "1,500" in error_of(page, "description")


def test_valid_answers_give_the_prefilled_issue_url_and_yaml(page, tmp_path):
    fill_valid(page)
    submit(page)
    page.wait_for_selector("#lw-add-result:not([hidden])")
    assert page.locator(".lw-error:visible").count() == 0
    href = page.locator("#lw-open-issue").get_attribute("href")
    url = urlsplit(href)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{REPO}/issues/new"
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params == {
        "template": "add-your-group.yml", "title": "Add listing: Hither Green Chair Yoga",
        "name": "Hither Green Chair Yoga", "organisation": "Lee Community Wellbeing",
        "description": "Gentle seated yoga.\nChairs provided; tea & biscuits after.",
        "categories": "Active: moving and being outdoors", "activities": "Yoga", "borough": "Lewisham",
        "venue": "Deptford Lounge", "postcode": "SE8 4RJ", "opens": "14:00", "closes": "15:30",
        "frequency": "Every week", "cost": "Free", "access": "Just turn up (drop-in), Referral from a GP",
        "email": "hello@example.org",
    }
    ticks = page.locator("#lw-ticks li").all_inner_texts()
    assert ticks == ["How it is offered: In person", "Days: Tuesday", "Accessibility: Step-free access",
                     "Please confirm: " + "; ".join(CONFIRM)]
    assert page.locator("#lw-yaml-path").text_content() == "directory/lewisham/hither-green-chair-yoga.yml"
    entry = yaml.safe_load(page.locator("#lw-yaml").text_content())
    schema.entry_validator().validate(entry)
    assert entry["schedule"] == [{"days": ["tu"], "opens": "14:00", "closes": "15:30", "frequency": "weekly"}]
    assert entry["verified_by"] == "provider" and entry["sources"][0]["kind"] == "form"
    page.screenshot(path=str(ARTIFACTS / "add-form-valid.png"))

    # What GitHub would receive from that URL plus the ticks: from-issue accepts it and agrees.
    answers = {k: v for k, v in params.items() if k not in ("template", "title")}
    for key in ("categories", "activities", "access"):
        answers[key] = answers[key].split(", ")
    answers |= {"delivery": ["In person"], "days": ["Tuesday"], "accessibility": ["Step-free access"],
                "confirm": CONFIRM}
    body = tmp_path / "body.md"
    body.write_text(render("add-your-group.yml", answers), encoding="utf-8")
    directory = tmp_path / "directory"
    directory.mkdir()
    out = subprocess.run([str(PROJECT / ".venv" / "bin" / "linkwell"), "from-issue", str(body), "--directory",
                          str(directory), "--today", entry["last_verified"]], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    written = yaml.safe_load((directory / "lewisham" / "hither-green-chair-yoga.yml").read_text(encoding="utf-8"))
    assert written == entry


def test_postcode_alone_is_enough_for_the_borough(page):
    fill_valid(page)
    page.select_option("#lw-f-borough", "")
    submit(page)
    page.wait_for_selector("#lw-add-result:not([hidden])")
    assert "borough" not in parse_qs(urlsplit(page.locator("#lw-open-issue").get_attribute("href")).query)
    # the site's postcode files say which borough SE8 4RJ is in
    assert page.locator("#lw-yaml-path").text_content() == "directory/lewisham/hither-green-chair-yoga.yml"
    assert yaml.safe_load(page.locator("#lw-yaml").text_content())["borough"] == "lewisham"


def test_postcode_must_be_in_london_and_in_the_borough_chosen(page):
    fill_valid(page)
    page.select_option("#lw-f-borough", "camden")
    submit(page)
    page.wait_for_selector("#lw-f-borough-error:not([hidden])")
    assert "but SE8 4RJ is in Lewisham: choose Lewisham" in error_of(page, "borough")
    assert not page.locator("#lw-add-result").is_visible()
    page.select_option("#lw-f-borough", "")
    page.fill("#lw-f-postcode", "ZZ9 9ZZ")
    submit(page)
    page.wait_for_selector("#lw-f-postcode-error:not([hidden])")
    assert "is not a London postcode we know" in error_of(page, "postcode")


def test_languages_by_name_and_limits_named(page):
    fill_valid(page)
    page.fill("#lw-f-languages", "Polish, Bengali and English")
    page.fill("#lw-f-max_age", "150")
    submit(page)
    assert "the oldest age we accept is 120" in error_of(page, "max_age")
    assert not error_of(page, "languages")
    page.fill("#lw-f-max_age", "99")
    page.fill("#lw-f-languages", "Polish, Klingon")
    submit(page)
    assert "languages' names" in error_of(page, "languages")  # a name the browser does not know
    page.fill("#lw-f-languages", "polish, bn, English")
    submit(page)
    page.wait_for_selector("#lw-add-result:not([hidden])")
    entry = yaml.safe_load(page.locator("#lw-yaml").text_content())
    assert entry["languages"] == ["pl", "bn", "en"]
    params = parse_qs(urlsplit(page.locator("#lw-open-issue").get_attribute("href")).query)
    assert params["languages"] == ["pl, bn, en"]  # what from-issue reads


def test_personal_looking_contacts_are_flagged_without_blocking(page):
    fill_valid(page)
    page.fill("#lw-f-phone", "07700 900123")
    page.fill("#lw-f-email", "jo.bloggs@gmail.com")
    submit(page)
    page.wait_for_selector("#lw-add-result:not([hidden])")  # a warning, not an error
    assert "personal mobile number" in page.locator("#lw-f-phone-warning").inner_text()
    assert "personal email address" in page.locator("#lw-f-email-warning").inner_text()
    assert "lw-f-phone-warning" in page.get_attribute("#lw-f-phone", "aria-describedby")
    page.fill("#lw-f-phone", "020 7946 0000")
    page.fill("#lw-f-email", "hello@example.org")
    submit(page)
    page.wait_for_selector("#lw-add-result:not([hidden])")
    assert page.locator(".lw-warning").count() == 0


def test_the_answers_are_checked_by_ajv_against_the_published_schema(page):
    """The checker is ajv (npm) compiling the site's own schema/entry.schema.json: a rule that
    lives only in the schema (a description's length, an age's limit) is named beside its question."""
    assert page.evaluate("() => typeof (window.ajv2020.default || window.ajv2020) === 'function'")
    fill_valid(page)
    page.fill("#lw-f-description", "A long walk. " * 120)
    page.fill("#lw-f-max_age", "150")
    submit(page)
    assert "characters long; please shorten it to 1,500" in error_of(page, "description")
    assert "the oldest age we accept is 120" in error_of(page, "max_age")


def test_which_areas_it_takes_people_from(page, tmp_path):
    fill_valid(page)
    page.check('input[name=areas_served][value=lewisham]')
    page.check('input[name=areas_served][value=greenwich]')
    submit(page)
    page.wait_for_selector("#lw-add-result:not([hidden])")
    params = parse_qs(urlsplit(page.locator("#lw-open-issue").get_attribute("href")).query)
    assert params["areas_served"] == ["Greenwich, Lewisham"]  # the form's order, as GitHub lists them
    entry = yaml.safe_load(page.locator("#lw-yaml").text_content())
    assert entry["areas_served"] == ["greenwich", "lewisham"]
    schema.entry_validator().validate(entry)
    page.locator("#lw-f-areas_served").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "add-form-areas.png"))

    # what GitHub sends back from that answer becomes the same field
    answers = {"name": "Hither Green Chair Yoga", "organisation": "Lee Community Wellbeing",
               "description": "Gentle seated yoga.", "categories": ["Active: moving and being outdoors"],
               "venue": "Deptford Lounge", "postcode": "SE8 4RJ", "delivery": ["In person"], "cost": "Free",
               "access": ["Just turn up (drop-in)"], "areas_served": params["areas_served"][0].split(", "),
               "confirm": CONFIRM}
    body = tmp_path / "body.md"
    body.write_text(render("add-your-group.yml", answers), encoding="utf-8")
    directory = tmp_path / "directory"
    directory.mkdir()
    out = subprocess.run([str(PROJECT / ".venv" / "bin" / "linkwell"), "from-issue", str(body), "--directory",
                          str(directory)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    written = yaml.safe_load((directory / "lewisham" / "hither-green-chair-yoga.yml").read_text(encoding="utf-8"))
    assert written["areas_served"] == ["greenwich", "lewisham"]

    # "All of London" ticked with boroughs means all of London
    page.check('input[name=areas_served][value=london]')
    submit(page)
    page.wait_for_selector("#lw-add-result:not([hidden])")
    assert yaml.safe_load(page.locator("#lw-yaml").text_content())["areas_served"] == ["london"]
