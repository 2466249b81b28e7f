"""File modification times: nanoseconds since 1970 to naive UTC datetimes, by one rule.

The rule is datetime.fromtimestamp's (float seconds, the fraction rounded to microseconds
half to even); mtime_us and mtime_column give the same answer faster, one mtime at a time
or a column at once. A clock set to year 10000 or before year 1 must not stop a run: such
mtimes become datetime.max or datetime.min.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import polars as pl

# From 1970 up to int64 nanoseconds (year 2262) the arithmetic below matches fromtimestamp;
# other mtimes are converted by fromtimestamp itself.
_NS_LIMIT = 2**63 - 1
_EPOCH = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000


def mtime_datetime(ns: int) -> datetime:
    """An mtime in ns as a naive UTC datetime; datetime.max or datetime.min when out of range."""
    try:
        return datetime.fromtimestamp(ns / 1e9, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return datetime.max if ns > 0 else datetime.min


def mtime_us(ns: int) -> int:
    """mtime_datetime(ns) as microseconds since 1970."""
    if 0 <= ns < _NS_LIMIT:
        seconds = ns / 1e9
        whole = math.floor(seconds)
        return whole * 1_000_000 + round((seconds - whole) * 1e6)
    return (mtime_datetime(ns) - _EPOCH) // _ONE_US


def mtime_column(mtimes_ns: Sequence[int]) -> pl.Series:
    """mtime_datetime of each mtime in ns, as a Datetime("us") series."""
    ns = pl.Series(mtimes_ns, dtype=pl.Int64, strict=False)  # null beyond int64
    # Series by series: dividing by a scalar multiplies by its reciprocal, which rounds
    # differently from Python's ns / 1e9 and moves some mtimes by a microsecond.
    seconds = ns.cast(pl.Float64) / pl.Series([1e9]).new_from_index(0, len(ns))
    whole = seconds.floor()
    fraction = ((seconds - whole) * 1e6).round(0, mode="half_to_even")
    micros = whole.cast(pl.Int64) * 1_000_000 + fraction.cast(pl.Int64)
    odd = (~ns.is_between(0, _NS_LIMIT, closed="left")).fill_null(True).arg_true()
    if len(odd):
        micros = micros.scatter(
            odd, pl.Series([mtime_us(mtimes_ns[i]) for i in odd.to_list()], dtype=pl.Int64)
        )
    return micros.cast(pl.Datetime("us"))


def mtime_date(us: int) -> date:
    """The calendar day of an mtime given in microseconds since 1970."""
    return _day(us // _DAY_US)


# Cached: the files of a run share a few days.
@lru_cache(maxsize=4096)
def _day(days: int) -> date:
    return (_EPOCH + timedelta(days=days)).date()
