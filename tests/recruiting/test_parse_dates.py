# ruff: noqa: RUF001 - CVs really write typographic dashes
"""Dates are kept as the CV writes them (no lost months or seasons), by the rule-based parser and
by what the parse_cv prompt asks of a model and its schema accepts."""

from __future__ import annotations

from datetime import date
from typing import Any

import jsonschema
import pytest

from llm.prompt_files import PROMPTS_DIR, read_prompt_file
from recruiting.parsing import parse_cv_text
from recruiting.parsing.dates import find_date_ranges, total_years

TODAY = date(2024, 6, 1)

CV_DATES_AFTER_HEADER = """Jonas Becker
jonas.becker@example.de · +49 171 2345678 · München

Berufserfahrung
Senior Backend Engineer, Zalando SE, 03/2019 – present
- Built the payments API in Python
Software Engineer | Siemens AG | Jan 2020 - Mar 2021
- Kafka pipelines
Developer, SAP SE, 2018–2020
Werkstudent, BMW AG, Sommer 2017

Ausbildung
M.Sc. Informatik, Technische Universität München, Herbst 2015 – Sommer 2017
"""

CV_DATES_FIRST = """Maria Rossi
maria.rossi@example.it | +39 02 1234 5678

EXPERIENCE
03/2019 – present
Data Engineer at Acme Corp
Jan 2020 - Mar 2021
Consultant, Initech Ltd
2018–2020
Analyst, Globex Inc
Sommer 2017
Intern, Umbrella GmbH
"""

EXPECTED = [("03/2019", "present"), ("Jan 2020", "Mar 2021"), ("2018", "2020"), ("Sommer 2017", "")]


def dates(profile: dict[str, Any]) -> list[tuple[str, str]]:
    return [(entry["start"], entry["end"]) for entry in profile["experience"]]


@pytest.mark.parametrize("text", [CV_DATES_AFTER_HEADER, CV_DATES_FIRST], ids=["after-header", "dates-first"])
def test_experience_dates_are_kept_as_written(text: str) -> None:
    profile = parse_cv_text(text, today=TODAY)
    assert dates(profile) == EXPECTED
    # The dates were cut out of the header cleanly: nothing of them is left in employer or title.
    employers = [entry["employer"] for entry in profile["experience"]]
    assert employers[1:] in (["Siemens AG", "SAP SE", "BMW AG"], ["Initech Ltd", "Globex Inc", "Umbrella GmbH"])


def test_education_dates_keep_their_seasons() -> None:
    [education] = parse_cv_text(CV_DATES_AFTER_HEADER, today=TODAY)["education"]
    assert (education["start"], education["end"]) == ("Herbst 2015", "Sommer 2017")


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("03/2019 – present", "03/2019", "present"),
        ("Jan 2020 - Mar 2021", "Jan 2020", "Mar 2021"),
        ("2018–2020", "2018", "2020"),
        ("Sommer 2017", "Sommer 2017", ""),
        ("Summer 2016 – Fall 2017", "Summer 2016", "Fall 2017"),
        ("Été 2018 - aujourd'hui", "Été 2018", "aujourd'hui"),
        ("März 2015 bis heute", "März 2015", "heute"),
    ],
)
def test_a_date_range_keeps_each_end_verbatim(line: str, start: str, end: str) -> None:
    [found] = find_date_ranges(line)
    assert (found.start, found.end) == (start, end)


def test_words_that_only_look_like_seasons_are_not_dates() -> None:
    [found] = find_date_ranges("Winterthur 2019")
    assert found.start == "2019"


def test_total_years_count_months_and_seasons() -> None:
    # 03/2019 to 05/2024 (present) is 5 years 3 months; Jan 2020 - Mar 2021 lies inside it.
    ranges = [r for line in ("03/2019 – present", "Jan 2020 - Mar 2021") for r in find_date_ranges(line)]
    assert total_years(ranges, today=TODAY) == 5.3
    # Summer (July) 2016 to autumn (October) 2017: 16 months.
    assert total_years(find_date_ranges("Sommer 2016 – Herbst 2017"), today=TODAY) == 1.3


@pytest.mark.parametrize("version", [1, 2])
def test_the_parse_cv_schema_accepts_dates_as_written(version: int) -> None:
    schema = read_prompt_file(PROMPTS_DIR / f"parse_cv.v{version}.toml").output_schema
    assert schema is not None
    profile = parse_cv_text(CV_DATES_AFTER_HEADER, today=TODAY)
    jsonschema.validate(profile, schema)  # the rule-based output, as the gateway validates it


def test_the_current_prompt_asks_for_dates_as_written() -> None:
    newest = max(PROMPTS_DIR.glob("parse_cv.v*.toml"), key=lambda path: int(path.stem.rsplit(".v", 1)[1]))
    prompt = read_prompt_file(newest)
    assert prompt.version >= 2
    assert "exactly as the CV writes it" in prompt.system_template and "YYYY-MM" not in prompt.system_template
