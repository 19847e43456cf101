"""Dates as files state them, with their precision."""

import datetime

import pytest

from provcat.readers.dates import from_datetime, iso_date, mail_date, pdf_date


@pytest.mark.parametrize(("value", "expected"), [
    ("2024", ("2024", "year")), ("2024-03", ("2024-03", "month")), ("2024-03-05", ("2024-03-05", "day")),
    ("2024-03-05T14:30", ("2024-03-05T14:30", "minute")), ("2024-03-05T14:30:09.5+01:00",
                                                           ("2024-03-05T14:30:09.5+01:00", "second")),
    ("2024-02-30", None), ("5 March 2024", None), ("2024-03-05T25:00", None)])
def test_iso_dates(value: str, expected: tuple[str, str] | None) -> None:
    assert iso_date(value) == expected


def test_pdf_dates() -> None:
    assert pdf_date("D:20240305143000+01'00'") == ("2024-03-05T14:30:00+01:00", "second")
    assert pdf_date("D:2024") == ("2024", "year")
    assert pdf_date("yesterday") is None


def test_mail_dates() -> None:
    assert mail_date("Tue, 5 Mar 2024 14:30:00 +0000") == ("2024-03-05T14:30:00+00:00", "second")
    assert mail_date("not a date") is None


def test_library_dates() -> None:
    assert from_datetime(datetime.date(2024, 3, 5)) == ("2024-03-05", "day")
    assert from_datetime(None) is None
