"""Spreadsheet harvesting: CSV and XLSX files generated here, loose headers, per-row errors."""

from __future__ import annotations

import datetime as dt

from fixtures_harvest import entries, london_postcodes, run_harvest, snapshot
from openpyxl import Workbook

PCS = london_postcodes(8)


def src(path, **extra):
    return {"id": "cvs-sheet", "kind": "spreadsheet", "path": str(path), "borough": "lewisham", **extra}


def test_xlsx_with_title_rows_merged_headers_unknown_columns_blank_rows_and_three_date_formats(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Local groups list (updated quarterly)"])  # a title row above the header
    ws.append(["Group name", "About", "Theme", "Post Code", "When", None, None, "Contact", None,
               "Last checked", "Notes for staff"])
    ws.append([None, None, None, None, "Days", "Start time", "End time", "Phone", "E-mail", None, None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("E2:G2")
    ws.merge_cells("H2:I2")
    ws.append(["Knit and natter", "Knitting and a chat.", "Crafts", PCS[0], "Mon", "10am", "12pm",
               "020 7946 0100", "info@example.org", "2025-03-01", "internal"])
    ws.append([None] * 11)  # blank row
    ws.append(["Walk and talk", "A gentle walk.", "Walking", PCS[1].replace(" ", "").lower(), "Tuesdays",
               dt.time(14, 0), dt.time(15, 30), None, None, "01/03/2025", None])
    ws.append(["Lunch club", "A hot meal together.", "Lunch club", PCS[2], "Wed, Fri", "12:00", "14:00", None,
               None, "1 March 2025", None])
    ws.append(["Bad date group", "Meets often.", "Social", PCS[3], "Thu", "10:00", "11:00", None, None,
               "31/31/2025", None])
    ws.append(["Faraway club", "Not in London.", "Social", "M1 1AE", "Thu", None, None, None, None, None, None])
    ws.append(["Real date group", "Meets monthly.", "Social", PCS[4], "Sat", None, None, None, None,
               dt.datetime(2025, 3, 1), None])
    path = tmp_path / "groups.xlsx"
    wb.save(path)
    result = run_harvest(tmp_path, [src(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "column K 'Notes for staff' is not a column Linkwell knows; ignored" in out
    assert "1 blank row skipped" in out
    assert "row 8: last\\_verified: '31/31/2025' is not a date" in out
    assert "row 9" in out and "M1 1AE is not a London postcode" in out
    got = entries(tmp_path / "directory")
    assert set(got) == {"knit-and-natter", "walk-and-talk", "lunch-club", "real-date-group"}
    assert {got[k]["last_verified"] for k in got} == {"2025-03-01"}
    knit = got["knit-and-natter"]
    assert knit["schedule"] == [{"days": ["mo"], "opens": "10:00", "closes": "12:00"}]
    assert knit["contact"] == {"email": "info@example.org", "phone": "020 7946 0100"}
    assert knit["categories"] == ["creative"] and knit["activities"] == ["crafts"]
    assert got["walk-and-talk"]["location"]["postcode"] == PCS[1]
    assert got["walk-and-talk"]["schedule"][0] == {"days": ["tu"], "opens": "14:00", "closes": "15:30"}


def test_csv_header_aliases_and_row_errors(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text(
        "Service Name,Description,CATEGORY,postal code,Cost,Referral route,Website,Date verified\n"
        f"Men's shed,Make and mend together.,Social,{PCS[5]},Free,Just turn up,www.example.org/mens-shed,2025-03-01\n"
        f",No name here.,Social,{PCS[6]},Free,,,\n"
        f"Choir,Sing together.,Singing,{PCS[6]},£2 a week,Self referral,https://example.org/choir,02/03/2025\n"
        f"Zumba gold,Dance fitness.,Zumba,NOT A CODE,,,,\n"
        "\n"
        f"Mystery,Something else.,Unheard-of label,{PCS[7]},,,,\n",
        encoding="utf-8")
    result = run_harvest(tmp_path, [src(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "row 3: name: is missing" in out
    assert "row 5: postcode: 'NOT A CODE' is not shaped like a UK postcode" in out
    assert "Unheard-of label" in out and "Unmapped labels" in out
    got = entries(tmp_path / "directory")
    assert set(got) == {"mens-shed", "choir"}
    assert got["mens-shed"]["access"] == ["self-referral"] and got["mens-shed"]["cost"] == "free"
    assert got["mens-shed"]["contact"] == {"website": "https://www.example.org/mens-shed"}
    assert got["choir"]["cost"] == "low-cost" and got["choir"]["activities"] == ["music"]
    assert got["choir"]["last_verified"] == "2025-03-02"


def test_spreadsheet_without_header_is_refused(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    result = run_harvest(tmp_path, [src(path)])
    assert result.exit_code == 1 and "no header row found" in result.output
    assert snapshot(tmp_path / "directory") == {}


def test_spreadsheet_url_respects_robots_txt(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/private/groups.csv").respond_with_data("Name,Description\nA,B\n")
    result = run_harvest(tmp_path, [{"id": "cvs-web", "kind": "spreadsheet", "borough": "lewisham",
                                     "url": httpserver.url_for("/private/groups.csv")}])
    assert result.exit_code == 1
    assert "robots.txt does not allow" in result.output


def test_spreadsheet_url_allowed_by_robots_is_downloaded(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/open/groups.csv").respond_with_data(
        f"Name,Description,Category,Postcode\nBook club,Read and talk.,Reading,{PCS[0]}\n", content_type="text/csv")
    result = run_harvest(tmp_path, [{"id": "cvs-web", "kind": "spreadsheet", "borough": "lewisham",
                                     "url": httpserver.url_for("/open/groups.csv")}])
    assert result.exit_code == 0, result.output
    assert list(entries(tmp_path / "directory")) == ["book-club"]


def test_a_row_whose_borough_disagrees_with_its_postcode_goes_where_the_postcode_is(tmp_path):
    from linkwell.reference.postcodes import postcodes

    tottenham = postcodes().get("N15 3AA")
    assert tottenham.borough == "haringey"
    path = tmp_path / "groups.csv"
    path.write_text("Name,Description,Category,Address,Postcode,Borough\n"
                    "Seed swap,Swap seeds and grow together.,Gardening,Example Hall,N15 3AA,Hackney\n"
                    "Tool library,Borrow tools for the allotment.,Gardening,Allotment shed,,Hackney\n",
                    encoding="utf-8")
    result = run_harvest(tmp_path, [src(path)])
    assert result.exit_code == 0, result.output
    got = entries(tmp_path / "directory")
    assert got["seed-swap"]["borough"] == "haringey"  # the postcode wins over the row's borough
    # an address without a postcode: the row's own borough (never the source's default for a location)
    assert got["tool-library"]["borough"] == "hackney"
    assert "the record says hackney, but its location is in haringey" in result.output
