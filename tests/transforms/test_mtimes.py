"""File modification times: one rule from nanoseconds to naive UTC datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.mtimes import mtime_column, mtime_date, mtime_datetime, mtime_us

# datetime.max as microseconds since 1970: year 10000 starts 253,402,300,800 s after 1970.
MAX_US = 253_402_300_800 * 1_000_000 - 1


def test_an_mtime_of_whole_seconds_is_that_moment_in_utc():
    ns = 1_500_000_000 * 10**9

    assert mtime_datetime(ns) == datetime(2017, 7, 14, 2, 40)
    assert mtime_us(ns) == 1_500_000_000_000_000


def test_nanoseconds_round_to_the_nearest_microsecond():
    assert mtime_us(1_000_499) == 1_000
    assert mtime_us(1_000_501) == 1_001


def test_an_mtime_before_1970_is_a_date_before_1970():
    assert mtime_datetime(-86_400 * 10**9) == datetime(1969, 12, 31)
    assert mtime_us(-86_400 * 10**9) == -86_400_000_000


def test_an_mtime_past_year_9999_is_the_last_datetime_and_does_not_raise():
    assert mtime_datetime(10**22) == datetime.max
    assert mtime_us(10**22) == MAX_US


def test_an_mtime_before_year_1_is_the_first_datetime_and_does_not_raise():
    assert mtime_datetime(-(10**22)) == datetime.min


def test_a_column_of_mtimes_converts_the_common_range_and_the_odd_ones_alike():
    ns = [0, 10**22, -86_400 * 10**9, 1_000_501, 2**63 - 1]

    column = mtime_column(ns)

    assert column.dtype == pl.Datetime("us")
    assert column.to_list()[:4] == [
        datetime(1970, 1, 1),
        datetime.max,
        datetime(1969, 12, 31),
        datetime(1970, 1, 1, 0, 0, 0, 1_001),
    ]
    # The last int64 nanosecond: 2262-04-11 23:47:16.854775807 UTC.
    assert column[4].date() == date(2262, 4, 11)


def test_an_empty_column_of_mtimes_is_an_empty_datetime_column():
    column = mtime_column([])

    assert column.dtype == pl.Datetime("us")
    assert column.is_empty()


@settings(max_examples=300)
@given(
    ns=st.lists(
        st.integers(-(2**70), 2**70) | st.integers(0, 4 * 10**18).map(lambda n: n - n % 500),
        max_size=20,
    )
)
def test_the_column_and_the_single_mtime_give_the_same_microseconds(ns):
    assert mtime_column(ns).dt.epoch("us").to_list() == [mtime_us(n) for n in ns]


@settings(max_examples=300)
@given(ns=st.integers(0, 2**63 - 2) | st.integers(0, 4 * 10**18).map(lambda n: n - n % 500))
def test_microseconds_round_as_fromtimestamp_does(ns):
    moment = datetime.fromtimestamp(ns / 1e9, tz=UTC).replace(tzinfo=None)

    assert mtime_datetime(ns) == moment
    assert mtime_us(ns) == (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def test_the_day_of_an_mtime_is_its_utc_calendar_day():
    assert mtime_date(0) == date(1970, 1, 1)
    assert mtime_date(-1) == date(1969, 12, 31)
    assert mtime_date(1_500_000_000_000_000) == date(2017, 7, 14)
    assert mtime_date(MAX_US) == date(9999, 12, 31)
