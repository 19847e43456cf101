"""Dates as files state them, made ISO 8601 with the precision they were given to."""

from __future__ import annotations

import datetime
import re
from email.utils import parsedate_to_datetime

_ISO = re.compile(r"\A(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
                  r"(Z|[+-]\d{2}:?\d{2})?)?)?)?\Z")
#: A PDF date: D:YYYYMMDDHHmmSSOHH'mm' with every part after the year optional.
_PDF = re.compile(r"\A(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?")


def iso_date(value: str) -> tuple[str, str] | None:
    """An ISO 8601 date or date-time as written ("2024-03-05T14:30:00Z"), checked, with its
    precision (year, month, day, minute or second); None when it is not one."""
    found = _ISO.match(value.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second, zone = found.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
        if hour is not None:
            datetime.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    precision = "second" if second else "minute" if minute else "day" if day else "month" if month else "year"
    return value.strip(), precision


def pdf_date(value: str) -> tuple[str, str] | None:
    """A PDF document-information date ("D:20240305143000+01'00'") as ISO 8601, with its precision."""
    found = _PDF.match(value.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second, zone = found.groups()
    iso = year
    if month:
        iso += f"-{month}"
    if day:
        iso += f"-{day}"
    if hour and minute:
        iso += f"T{hour}:{minute}" + (f":{second}" if second else "")
        if zone:
            iso += "Z" if zone == "Z" else zone.replace("'", "")[:3] + ":" + zone.replace("'", "")[3:5]
    return iso_date(iso)


def mail_date(value: str) -> tuple[str, str] | None:
    """An RFC 5322 date ("Tue, 5 Mar 2024 14:30:00 +0000") as ISO 8601 to the second."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when.isoformat(), "second"


def from_datetime(when: datetime.datetime | datetime.date | None) -> tuple[str, str] | None:
    """A date-time a library gives (a word-processing file's core properties) as ISO 8601."""
    if when is None:
        return None
    if isinstance(when, datetime.datetime):
        return when.isoformat(), "second"
    return when.isoformat(), "day"
