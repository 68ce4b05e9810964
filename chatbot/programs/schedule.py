"""When a program's dated steps fall: the days a ``when`` string covers, and whether a step is
upcoming, ongoing or past on a given day."""
from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Literal

from chatbot.programs.catalog import ScheduleEntry

When = Literal["upcoming", "ongoing", "past"]

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _point_span(point: str) -> tuple[date, date]:
    parts = [int(p) for p in point.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    year, month = parts
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def when_span(when: str) -> tuple[date, date]:
    """First and last day a ``when`` string covers: a day, a month, a quarter or ``A..B``."""
    quarter = _QUARTER.match(when)
    if quarter:
        year, q = int(quarter[1]), int(quarter[2])
        return _point_span(f"{year}-{3 * q - 2:02d}")[0], _point_span(f"{year}-{3 * q:02d}")[1]
    first, _, last = when.partition("..")
    return _point_span(first)[0], _point_span(last or first)[1]


def schedule_status(entry: ScheduleEntry | str, today: date) -> When:
    """A month ("2024-07", also used for "from July") counts as ongoing for the whole month."""
    start, end = when_span(entry if isinstance(entry, str) else entry.when)
    if today < start:
        return "upcoming"
    return "ongoing" if today <= end else "past"
