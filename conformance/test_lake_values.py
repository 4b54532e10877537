"""Tests of the NDJSON oracle converter itself (lake_values.py). No lake binary needed."""

import datetime as dt
import json
import random
from decimal import Decimal

import pyarrow as pa
import pytest

from lake_values import (
    array_to_values,
    first_difference,
    format_date,
    format_timestamp,
    py_equal,
    shortest_float,
    table_to_rows,
    values_equal,
)


def roundtrip(values):
    """What lake's printed JSON would give back after json.loads."""
    return json.loads(json.dumps(values))


def test_decimals_keep_exact_scale():
    arr = pa.array(
        [Decimal("12.3"), Decimal("-0.05"), Decimal("0"), None, Decimal("999.99"), Decimal("-999.99")],
        pa.decimal128(5, 2),
    )
    assert array_to_values(arr) == ["12.30", "-0.05", "0.00", None, "999.99", "-999.99"]
    big = pa.array(
        [Decimal("9999999999999999999999999999.9999999999"), Decimal("-0.0000000001"), Decimal("1")],
        pa.decimal128(38, 10),
    )
    assert array_to_values(big) == [
        "9999999999999999999999999999.9999999999",
        "-0.0000000001",
        "1.0000000000",
    ]
    assert array_to_values(pa.array([Decimal("123"), Decimal("-7")], pa.decimal128(9, 0))) == ["123", "-7"]
    assert array_to_values(pa.array([Decimal("1.5")], pa.decimal256(50, 3))) == ["1.500"]


def test_timestamps_utc_vs_naive_and_units():
    us = 1_700_000_000_123_456
    utc = pa.array([us, None, -1], pa.timestamp("us", tz="UTC"))
    naive = pa.array([us, None, -1], pa.timestamp("us"))
    other_tz = pa.array([us], pa.timestamp("us", tz="America/New_York"))
    assert array_to_values(utc) == ["2023-11-14T22:13:20.123456Z", None, "1969-12-31T23:59:59.999999Z"]
    assert array_to_values(naive) == ["2023-11-14T22:13:20.123456", None, "1969-12-31T23:59:59.999999"]
    # A zone other than UTC is still UTC-adjusted in Parquet: printed in UTC with Z.
    assert array_to_values(other_tz) == ["2023-11-14T22:13:20.123456Z"]
    ms = pa.array([1_700_000_000_123], pa.timestamp("ms"))
    assert array_to_values(ms) == ["2023-11-14T22:13:20.123000"]
    s = pa.array([0], pa.timestamp("s", tz="UTC"))
    assert array_to_values(s) == ["1970-01-01T00:00:00.000000Z"]
    ns = pa.array([1_700_000_000_123_456_789, -1], pa.timestamp("ns"))
    assert array_to_values(ns) == ["2023-11-14T22:13:20.123456789", "1969-12-31T23:59:59.999999999"]


def test_timestamp_and_date_formatting_agrees_with_datetime():
    rng = random.Random(7)
    epoch = dt.datetime(1970, 1, 1)
    lo = int((dt.datetime(1, 1, 1) - epoch).total_seconds()) * 1_000_000
    hi = int((dt.datetime(9999, 12, 31, 23, 59, 59) - epoch).total_seconds()) * 1_000_000
    for _ in range(2000):
        v = rng.randrange(lo, hi)
        expected = (epoch + dt.timedelta(microseconds=v)).strftime("%Y-%m-%dT%H:%M:%S.%f")
        expected = expected.zfill(26)  # %Y is not zero-padded for years < 1000 on glibc
        assert format_timestamp(v, "us", False) == expected
        days = v // 86_400_000_000
        assert format_date(days) == (dt.date(1970, 1, 1) + dt.timedelta(days=days)).isoformat()


def test_dates_and_times():
    d = pa.array([0, -719162, 2932896, None, 19723, -719528, -719529, 2932897, 18_620_000], pa.date32())
    assert array_to_values(d) == [
        "1970-01-01", "0001-01-01", "9999-12-31", None, "2024-01-01",
        "0000-01-01", "-1-12-31", "10000-01-01", "52949-10-30",  # via the 400-year cycle of 146,097 days
    ]  # fmt: skip
    d64 = pa.array([86_400_000 * 3], pa.date64())
    assert array_to_values(d64) == ["1970-01-04"]
    t = pa.array([0, 86_399_999_999, None, 3_723_000_004], pa.time64("us"))
    assert array_to_values(t) == ["00:00:00.000000", "23:59:59.999999", None, "01:02:03.000004"]
    assert array_to_values(pa.array([3_723_004], pa.time32("ms"))) == ["01:02:03.004000"]
    assert array_to_values(pa.array([3_723_000_004_005], pa.time64("ns"))) == ["01:02:03.000004005"]


def test_floats_shortest_in_own_type_and_specials():
    f32 = pa.array([0.1, 1.0, None, float("nan"), float("inf"), float("-inf"), -0.0, 3.4028234663852886e38, 1e-45], pa.float32())
    vals = array_to_values(f32)
    assert vals[0] == 0.1 and repr(vals[0]) == "0.1"  # not 0.10000000149011612
    assert vals[1:7] == [1.0, None, "NaN", "Infinity", "-Infinity", -0.0]
    assert str(vals[6]) == "-0.0"
    assert vals[7] == 3.4028235e38
    assert vals[8] == 1e-45
    f64 = pa.array([0.1, 2.0**-1074, -0.0, float("nan")], pa.float64())
    assert array_to_values(f64)[:2] == [0.1, 5e-324]
    assert str(array_to_values(f64)[2]) == "-0.0" and array_to_values(f64)[3] == "NaN"
    f16 = pa.array([0.1, 65504.0, -2.0, float("nan"), None], pa.float16())
    # float16 prints as the float32 it widens to: 0.1 (really 0.0999755859375) is 0.099975586.
    assert array_to_values(f16) == [0.099975586, 65504.0, -2.0, "NaN", None]
    assert shortest_float(0.333251953125, 16) == 0.3333
    assert shortest_float(65504.0, 16) == 65500.0


def test_binary_and_fixed_binary_are_base64():
    assert array_to_values(pa.array([b"", b"\x00\xff", None, b"abc"], pa.binary())) == ["", "AP8=", None, "YWJj"]
    assert array_to_values(pa.array([b"\x00\x01\x02", None], pa.binary(3))) == ["AAEC", None]
    assert array_to_values(pa.array(["", "héllo", "😀"], pa.large_string())) == ["", "héllo", "😀"]


def test_nested_lists_structs_maps():
    lst = pa.array([[1, None], [], None, [3]], pa.list_(pa.int64()))
    assert array_to_values(lst) == [[1, None], [], None, [3]]
    assert array_to_values(lst.slice(1, 3)) == [[], None, [3]]
    ll = pa.array([[["a"], None, []], None, [[]]], pa.list_(pa.list_(pa.string())))
    assert array_to_values(ll.slice(1)) == [None, [[]]]
    st = pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": None}], pa.struct([("a", pa.int32()), ("b", pa.string())]))
    assert array_to_values(st) == [{"a": 1, "b": "x"}, None, {"a": None, "b": None}]
    assert array_to_values(st.slice(2)) == [{"a": None, "b": None}]
    inner = pa.map_(pa.int32(), pa.bool_())
    m = pa.array(
        [[("a", [(1, True), (2, None)])], [], None, [("b", None), ("c", [])]],
        pa.map_(pa.string(), inner),
    )
    assert array_to_values(m) == [
        [{"key": "a", "value": [{"key": 1, "value": True}, {"key": 2, "value": None}]}],
        [],
        None,
        [{"key": "b", "value": None}, {"key": "c", "value": []}],
    ]
    assert array_to_values(m.slice(3)) == [[{"key": "b", "value": None}, {"key": "c", "value": []}]]
    fsl = pa.array([[1, 2], None, [5, 6]], pa.list_(pa.int8(), 2))
    assert array_to_values(fsl.slice(1)) == [None, [5, 6]]


def test_dictionary_null_and_chunked():
    d = pa.array(["x", None, "y", "x"]).dictionary_encode()
    assert array_to_values(d) == ["x", None, "y", "x"]
    assert array_to_values(pa.nulls(3)) == [None, None, None]
    ch = pa.chunked_array([pa.array([1, 2]), pa.array([3])])
    assert array_to_values(ch) == [1, 2, 3]


def test_table_rows_keep_column_order_and_roundtrip():
    t = pa.table({"z": pa.array([1, 2], pa.uint64()), "a": pa.array([2**64 - 1, 0], pa.uint64())})
    rows = table_to_rows(t)
    assert [list(r.keys()) for r in rows] == [["z", "a"], ["z", "a"]]
    assert first_difference(rows, roundtrip(rows)) is None
    assert roundtrip(rows)[0]["a"] == 18446744073709551615


def test_values_equal_is_strict():
    assert values_equal(1.0, 1)  # JSON "1" is the float 1.0
    assert not values_equal(1, 1.0)  # an integer column printed as 1.0 is wrong
    assert not values_equal(0.0, -0.0)
    assert not values_equal(-0.0, 0)
    assert not values_equal(True, 1)
    assert not values_equal(1, True)
    assert not values_equal("NaN", float("nan"))
    assert not values_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not values_equal([1, 2], [1, 2, 3])
    assert not values_equal(None, [])
    assert not values_equal("12.30", "12.3")
    assert values_equal({"k": [None, "x"]}, {"k": [None, "x"]})
    msg = first_difference([{"a": 1, "b": "x"}], [{"a": 1, "b": "y"}])
    assert msg is not None and "column 'b'" in msg
    assert first_difference([{"a": 1}], [{"a": 1}, {"a": 2}]) == "got 2 rows, expected 1"


def test_py_equal_is_strict():
    nan = float("nan")
    assert py_equal((1, nan, [Decimal("1.50")]), (1, nan, [Decimal("1.50")]))
    assert not py_equal(Decimal("1.5"), Decimal("1.50"))
    assert not py_equal(0.0, -0.0)
    assert not py_equal(1, 1.0)
    assert not py_equal(True, 1)
    assert not py_equal(dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    assert not py_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})


def test_unsupported_type_raises():
    with pytest.raises(TypeError):
        array_to_values(pa.array([1], pa.duration("s")))
