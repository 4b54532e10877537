"""Convert pyarrow data into the values `lake parquet cat --format ndjson` must print.

The result is what `json.loads` gives for each NDJSON line, so a comparison with lake's
output is exact. Conventions (the lake CLI contract):

- integers: JSON numbers; floats: JSON numbers in the shortest form that round-trips *in the
  value's own type* (a float32 0.1 prints as 0.1, not 0.10000000149011612); NaN and the
  infinities as the strings "NaN", "Infinity", "-Infinity"; a float16 widens exactly to a
  float32 and prints as that float32's shortest form (float16 0.1 is 0.099975586).
- decimals: strings with exactly `scale` fractional digits ("12.30", "-0.05").
- strings: strings; binary, fixed-size binary (and uuid): base64 (standard alphabet, padded).
- date: "YYYY-MM-DD" (years outside 0...9999: all their digits, "-" when negative, as Python
  prints the integer); time of day: "HH:MM:SS.ffffff" (9 digits for nanosecond times).
- timestamps: "YYYY-MM-DDTHH:MM:SS.ffffff" plus "Z" when UTC-adjusted (any time zone), no zone
  when timezone-naive; nanosecond timestamps carry 9 fractional digits.
- lists: arrays; structs: objects (field order kept); maps: arrays of {"key", "value"} objects.
- null: null.

`values_equal` / `first_difference` compare converted values with what lake printed, strictly:
ints must be ints, bools bools, -0.0 differs from 0.0, object key order matters.
`py_equal` compares the Python objects that polars or duckdb return, with the same strictness.
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
import math
import struct
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

__all__ = [
    "table_to_rows",
    "array_to_values",
    "shortest_float",
    "format_decimal",
    "format_timestamp",
    "format_date",
    "format_time",
    "values_equal",
    "first_difference",
    "py_equal",
    "first_py_difference",
]

_UNIT_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


# --------------------------------------------------------------------------- scalars


def shortest_float(x: float, bits: int = 64) -> float | str:
    """The JSON value of a float of `bits` (16, 32, 64) width."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if bits == 64:
        return float(x)
    fmt = {32: "<f", 16: "<e"}[bits]
    # The value is exactly representable in the narrow type; find the fewest significant
    # digits whose parse, rounded to the narrow type, gives the value back.
    for digits in range(1, 18):
        text = f"{x:.{digits}g}"
        try:
            back = struct.unpack(fmt, struct.pack(fmt, float(text)))[0]
        except (OverflowError, struct.error):
            continue
        if back == x and math.copysign(1.0, back) == math.copysign(1.0, x):
            return float(text)
    raise AssertionError(f"no shortest form found for {x!r} as float{bits}")


def format_decimal(value: decimal.Decimal, scale: int) -> str:
    """A decimal as a string with exactly `scale` fractional digits."""
    ctx = decimal.Context(prec=200)
    q = value.quantize(decimal.Decimal(1).scaleb(-scale), context=ctx)
    text = format(q, "f")
    if scale <= 0 and "." in text:
        text = text.split(".")[0]
    return text


def _civil_from_days(z: int) -> tuple[int, int, int]:
    """Proleptic Gregorian (year, month, day) of days since 1970-01-01 (H. Hinnant)."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (1 if m <= 2 else 0), m, d)


def format_date(days: int) -> str:
    y, m, d = _civil_from_days(days)
    year = f"{y:04d}" if 0 <= y <= 9999 else str(y)
    return f"{year}-{m:02d}-{d:02d}"


def _clock(units_in_day: int, per_second: int) -> str:
    secs, frac = divmod(units_in_day, per_second)
    hh, rem = divmod(secs, 3600)
    mm, ss = divmod(rem, 60)
    if per_second == 1_000_000_000:
        return f"{hh:02d}:{mm:02d}:{ss:02d}.{frac:09d}"
    micros = frac * (1_000_000 // per_second)
    return f"{hh:02d}:{mm:02d}:{ss:02d}.{micros:06d}"


def format_time(value: int, unit: str) -> str:
    """Time of day: HH:MM:SS.ffffff (9 fractional digits for nanoseconds)."""
    return _clock(value, _UNIT_PER_SECOND[unit])


def format_timestamp(value: int, unit: str, utc: bool) -> str:
    per_second = _UNIT_PER_SECOND[unit]
    per_day = per_second * 86400
    days, in_day = divmod(value, per_day)
    return f"{format_date(days)}T{_clock(in_day, per_second)}{'Z' if utc else ''}"


# --------------------------------------------------------------------------- arrays


def _ints(arr: pa.Array) -> list[int | None]:
    """The raw integers behind a temporal array (zero-copy reinterpretation)."""
    width = arr.type.bit_width
    return arr.view(pa.int32() if width == 32 else pa.int64()).to_pylist()


def array_to_values(arr: pa.Array | pa.ChunkedArray) -> list[Any]:
    """Each element of `arr` as its NDJSON value (None for null)."""
    if isinstance(arr, pa.ChunkedArray):
        out: list[Any] = []
        for chunk in arr.chunks:
            out.extend(array_to_values(chunk))
        return out
    t = arr.type
    n = len(arr)
    if pat.is_null(t):
        return [None] * n
    if isinstance(t, pa.ExtensionType):
        return array_to_values(arr.storage)
    if pat.is_dictionary(t):
        return array_to_values(arr.dictionary_decode())
    valid = arr.is_valid().to_pylist()

    if pat.is_boolean(t) or pat.is_integer(t):
        return arr.to_pylist()
    if pat.is_float16(t):
        # float16 widens exactly to a float32 and prints as that float's shortest form.
        return [None if v is None else shortest_float(v, 32) for v in arr.to_pylist()]
    if pat.is_float32(t):
        return [None if v is None else shortest_float(v, 32) for v in arr.to_pylist()]
    if pat.is_float64(t):
        return [None if v is None else shortest_float(v, 64) for v in arr.to_pylist()]
    if pat.is_decimal(t):
        return [None if v is None else format_decimal(v, t.scale) for v in arr.to_pylist()]
    if pat.is_string(t) or pat.is_large_string(t) or pat.is_string_view(t):
        return arr.to_pylist()
    if (
        pat.is_binary(t)
        or pat.is_large_binary(t)
        or pat.is_fixed_size_binary(t)
        or pat.is_binary_view(t)
    ):
        return [
            None if v is None else base64.b64encode(v).decode("ascii") for v in arr.to_pylist()
        ]
    if pat.is_date32(t):
        return [None if v is None else format_date(v) for v in _ints(arr)]
    if pat.is_date64(t):
        return [
            None if v is None else format_date(v // 86_400_000)
            for v in _ints(arr)
        ]
    if pat.is_time(t):
        return [None if v is None else format_time(v, t.unit) for v in _ints(arr)]
    if pat.is_timestamp(t):
        utc = t.tz is not None
        return [None if v is None else format_timestamp(v, t.unit, utc) for v in _ints(arr)]
    if pat.is_map(t):
        entries = array_to_values(arr.values)  # struct<key, value> entries, unsliced
        offsets = arr.offsets.to_pylist()
        out = []
        for i in range(n):
            if not valid[i]:
                out.append(None)
                continue
            row = []
            for e in entries[offsets[i] : offsets[i + 1]]:
                k, v = list(e.values())
                row.append({"key": k, "value": v})
            out.append(row)
        return out
    if pat.is_list(t) or pat.is_large_list(t):
        values = array_to_values(arr.values)  # unsliced; offsets are absolute
        offsets = arr.offsets.to_pylist()
        return [
            values[offsets[i] : offsets[i + 1]] if valid[i] else None for i in range(n)
        ]
    if pat.is_fixed_size_list(t):
        size = t.list_size
        values = array_to_values(arr.values)  # unsliced
        base = arr.offset
        return [
            values[(base + i) * size : (base + i + 1) * size] if valid[i] else None
            for i in range(n)
        ]
    if pat.is_struct(t):
        names = [t.field(i).name for i in range(t.num_fields)]
        children = [array_to_values(arr.field(i)) for i in range(t.num_fields)]
        return [
            {name: child[i] for name, child in zip(names, children)} if valid[i] else None
            for i in range(n)
        ]
    raise TypeError(f"lake_values: no NDJSON convention for Arrow type {t}")


def table_to_rows(table: pa.Table | pa.RecordBatch) -> list[dict[str, Any]]:
    """Rows of `table` as dicts keyed by top-level column name, in column order."""
    names = table.schema.names
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate top-level column names: {names}")
    columns = [array_to_values(table.column(i)) for i in range(table.num_columns)]
    return [
        {name: col[r] for name, col in zip(names, columns)} for r in range(table.num_rows)
    ]


# --------------------------------------------------------------------------- comparison


def _float_eq(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def values_equal(expected: Any, actual: Any) -> bool:
    """Strict equality of an expected NDJSON value with a `json.loads` result."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is bool and type(actual) is bool and expected == actual
    if isinstance(expected, float):
        # JSON has one number type: 1 and 1.0 both spell the float 1.0.
        return isinstance(actual, (int, float)) and _float_eq(expected, float(actual))
    if isinstance(expected, int):
        return type(actual) is int and expected == actual
    if isinstance(expected, str):
        return isinstance(actual, str) and expected == actual
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(values_equal(e, a) for e, a in zip(expected, actual))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and list(expected.keys()) == list(actual.keys())
            and all(values_equal(expected[k], actual[k]) for k in expected)
        )
    raise TypeError(f"unexpected expected value {expected!r}")


def _short(v: Any, limit: int = 300) -> str:
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + f"... ({len(r)} chars)"


def first_difference(expected_rows: list[dict], actual_rows: list[Any], eq=values_equal) -> str | None:
    """None when equal, else a message naming the first differing row and column."""
    for i, (e, a) in enumerate(zip(expected_rows, actual_rows)):
        if eq(e, a):
            continue
        if isinstance(e, dict) and isinstance(a, dict):
            if list(e.keys()) != list(a.keys()):
                return f"row {i}: keys {list(a.keys())}, expected {list(e.keys())}"
            for k in e:
                if not eq(e[k], a[k]):
                    return f"row {i}, column {k!r}: got {_short(a[k])}, expected {_short(e[k])}"
        return f"row {i}: got {_short(a)}, expected {_short(e)}"
    if len(expected_rows) != len(actual_rows):
        return f"got {len(actual_rows)} rows, expected {len(expected_rows)}"
    return None


def py_equal(a: Any, b: Any) -> bool:
    """Strict equality of Python objects from an engine (polars rows, duckdb fetchall)."""
    if a is None or b is None:
        return a is None and b is None
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return _float_eq(a, b)
    if isinstance(a, decimal.Decimal):
        return str(a) == str(b)
    if isinstance(a, (_dt.datetime, _dt.time)):
        return a == b and str(a.tzinfo) == str(b.tzinfo) and a.isoformat() == b.isoformat()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(py_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(py_equal(a[k], b[k]) for k in a)
    return a == b


def first_py_difference(expected_rows: list, actual_rows: list, names: list[str]) -> str | None:
    for i, (e, a) in enumerate(zip(expected_rows, actual_rows)):
        if py_equal(e, a):
            continue
        for j, (x, y) in enumerate(zip(e, a)):
            if not py_equal(x, y):
                col = names[j] if j < len(names) else j
                return f"row {i}, column {col!r}: got {_short(y)}, expected {_short(x)}"
        return f"row {i}: got {_short(a)}, expected {_short(e)}"
    if len(expected_rows) != len(actual_rows):
        return f"got {len(actual_rows)} rows, expected {len(expected_rows)}"
    return None
