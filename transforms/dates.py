"""Dateline parsing and the year a yearless wire dateline belongs to."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

# Wire copy abbreviates months AP-style (Jan., Feb., Aug., Sept., Oct., Nov., Dec.)
# and spells out March-July; captures also show Sep., Sept and bare three-letter forms.
_MONTHS = {
    "jan": 1, "january": 1,
    "feb": 2, "february": 2,
    "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "may": 5,
    "jun": 6, "june": 6,
    "jul": 7, "july": 7,
    "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip


def _month_alternation(names: list[str]) -> str:
    """The names as a regex alternation, grouped by their first three letters.

    It matches what the names sorted longest first and joined with '|' match, trying them
    in the same order: names with different stems never match at the same place (case
    folding joins no two of their letters), and within a stem the longest goes first. The
    regex engine tries each stem once instead of every name.
    """
    tails: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        tails.setdefault(name[:3], []).append(name[3:])
    parts = []
    for stem, endings in tails.items():
        longer = "|".join(ending for ending in endings if ending)
        if not longer:
            parts.append(stem)
        else:
            parts.append(f"{stem}(?:{longer})" + ("?" if "" in endings else ""))
    return "|".join(parts)


_MONTH_ALT = _month_alternation(list(_MONTHS))
MONTH_DAY = re.compile(rf"(?i)\b({_MONTH_ALT})\.?\s+(\d{{1,2}})\b")
# A trailing "(April 10)" closing the body, the Kyodo convention.
TRAILING_DATELINE = re.compile(rf"\s*\(\s*((?i:{_MONTH_ALT})\.?\s+\d{{1,2}})\s*\)\s*$")
# Any trailing parenthesised token, to report "(AP)"-style non-dates precisely.
TRAILING_PAREN = re.compile(r"\s*\(([^()\n]{1,40})\)\s*$")

# An opening dateline: a place in capitals, optionally a date and an agency, then a dash:
# "SALVADOR, Feb 26 - ", "TOKYO, April 10 Kyodo - ", "NEW YORK (Reuters) - ".
OPENING_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Z.'’]*(?:[ -][A-Z][A-Z.'’]*){{0,3}})"
    rf"(?:,\s+(?P<region>[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?))?"
    rf"(?:,?\s+(?P<date>(?i:{_MONTH_ALT})\.?\s+\d{{1,2}}))?"
    rf"(?:,?\s+\(?(?P<agency>Kyodo|Reuters?|AP|AFP|Xinhua|Yonhap|Bloomberg)\)?)?"
    rf"\s*(?:-{{1,2}}|–|—)\s+"
)

_PATH_DATES = (
    re.compile(
        r"(?<!\d)((?:19|20)\d{2})[/\\_.-](0[1-9]|1[0-2])[/\\_.-](0[1-9]|[12]\d|3[01])(?!\d)"
    ),
    re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"),
)


# Cached: a corpus repeats the same few hundred datelines and reference dates.
@lru_cache(maxsize=16384)
def parse_month_day(text: str) -> tuple[int, int] | None:
    """(month, day) from a dateline such as 'April 10' or 'Sept. 3', or None."""
    match = MONTH_DAY.search(text)
    if match is None:
        return None
    # casefold, not lower: the case-insensitive regex also matches a long s ("ſept") and a
    # dotless i; a spelling casefold cannot bring back to a month name gives no date.
    month = _MONTHS.get(match.group(1).casefold())
    day = int(match.group(2))
    if month is None or not 1 <= day <= 31:
        return None
    return month, day


# A file name can take part in a path date when it starts with two digits (the day, or
# month and day, after a folder separator) or holds a whole date of either pattern.
_DATE_IN_NAME = re.compile(r"\d{4}(?:[/\\_.-]\d\d|\d{4})")
_DIGITS = b"0123456789"


def date_from_path(path: str) -> date | None:
    """The last calendar date a path carries (…/2017/04/10/…, …2017-04-10…, …20170410…)."""
    folder, slash, name = path.rpartition("/")
    # isdecimal is re's \d, character by character.
    if slash and not name[:2].isdecimal() and not _may_hold_date(name):
        # No match can reach into such a name, and a match ending at the folder's end is
        # followed by '/' either way: the folder alone gives the same date.
        return _date_from_folder(folder)
    return _last_path_date(path)


def _may_hold_date(name: str) -> bool:
    """Whether _DATE_IN_NAME can match in a file name."""
    if name.isascii():
        # It needs six digits, and most names hold fewer: counted faster than searched.
        raw = name.encode("ascii")
        if len(raw) - len(raw.translate(None, _DIGITS)) < 6:
            return False
    return _DATE_IN_NAME.search(name) is not None


# Cached: a corpus keeps many files in each folder.
@lru_cache(maxsize=4096)
def _date_from_folder(folder: str) -> date | None:
    return _last_path_date(folder)


def _last_path_date(path: str) -> date | None:
    found: date | None = None
    for pattern in _PATH_DATES:
        for match in pattern.finditer(path):
            try:
                candidate = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
            found = candidate  # later matches sit deeper in the path: more specific
    return found


@lru_cache(maxsize=16384)
def resolve_year(month: int, day: int, reference: date) -> date | None:
    """The latest date with this month and day on or before the reference date plus one day."""
    limit = reference if reference == date.max else reference + timedelta(days=1)
    # Feb. 29 may need to look back up to eight years for a leap year.
    for year in range(limit.year, limit.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= limit:
            return candidate
    return None
