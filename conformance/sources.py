"""Deterministic source tables for the conformance suites (written by pyarrow)."""

from __future__ import annotations

import decimal
import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

STRUCT_T = pa.struct([("a", pa.int32()), ("b", pa.string())])
SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        ("b", pa.bool_()),
        ("i8", pa.int8()),
        ("i16", pa.int16()),
        ("i32", pa.int32()),
        ("i64", pa.int64()),
        ("u8", pa.uint8()),
        ("u16", pa.uint16()),
        ("u32", pa.uint32()),
        ("u64", pa.uint64()),
        ("f32", pa.float32()),
        ("f64", pa.float64()),
        ("dec5", pa.decimal128(5, 2)),
        ("dec18", pa.decimal128(18, 3)),
        ("dec38", pa.decimal128(38, 10)),
        ("s", pa.string()),
        ("bin", pa.binary()),
        ("fsb", pa.binary(3)),
        ("d", pa.date32()),
        ("t", pa.time64("us")),
        ("ts_utc", pa.timestamp("us", tz="UTC")),
        ("ts", pa.timestamp("us")),
        ("li", pa.list_(pa.int64())),
        ("lls", pa.list_(pa.list_(pa.string()))),
        ("st", STRUCT_T),
        ("m", pa.map_(pa.string(), pa.int64())),
        pa.field("req_s", pa.string(), nullable=False),
    ]
)

SPECIAL_F = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 5e-324, 1.5, -2.25, 1e300]
SPECIAL_F32 = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1e-45, 0.1, 3.4028234663852886e38]
UNICODE = ["", "héllo wörld", "日本語テキスト", "😀🎉", "a\u0301", "\x00nul", "tab\tnew\nline", "\"quote\\"]
LONG = "é" * 50_000  # 100 KB of UTF-8


def _ints(rng, lo, hi, extremes):
    return lambda i: extremes[i] if i < len(extremes) else rng.randint(lo, hi)


def all_types_table(n: int, seed: int = 1) -> pa.Table:
    """n rows covering every type; about one value in eight is null in each nullable column."""
    rng = random.Random(seed)

    def col(gen, null_every=8):
        # The first 20 rows hold the special values (extremes, NaN, -0.0, unicode, 100 KB).
        return [None if (i >= 20 and i % null_every == 3) else gen(i) for i in range(n)]

    def bounded(lo, hi):
        return _ints(rng, lo, hi, [lo, hi, 0, -1 if lo < 0 else 1])

    def dec(prec, scale):
        top = 10**prec - 1
        ext = [top, -top, 0, 1, -1]
        ctx = decimal.Context(prec=100)
        return lambda i: Decimal(ext[i] if i < len(ext) else rng.randint(-top, top)).scaleb(-scale, ctx)

    def strings(i):
        if i == 5:
            return LONG
        if i < len(UNICODE) + 8 and i >= 8:
            return UNICODE[i - 8]
        return "".join(rng.choice("abcxyzÄ€😀 ") for _ in range(rng.randint(0, 12)))

    def floats(specials, scale):
        return lambda i: specials[i] if i < len(specials) else rng.uniform(-scale, scale)

    def lists(i):
        r = i % 5
        if r == 1:
            return []
        return [None if rng.random() < 0.2 else rng.randint(-(2**63), 2**63 - 1) for _ in range(rng.randint(1, 4))]

    def list_lists(i):
        r = i % 6
        if r == 1:
            return []
        if r == 2:
            return [[], None, [""]]
        return [
            None if rng.random() < 0.1 else [None if rng.random() < 0.1 else f"s{rng.randint(0, 99)}" for _ in range(rng.randint(0, 3))]
            for _ in range(rng.randint(1, 3))
        ]

    def structs(i):
        r = i % 7
        if r == 1:
            return {"a": None, "b": None}
        return {"a": rng.randint(-(2**31), 2**31 - 1), "b": None if r == 2 else f"v{i}"}

    def maps(i):
        r = i % 5
        if r == 1:
            return []
        return [(f"k{j}", None if (i + j) % 4 == 0 else rng.randint(-1000, 1000)) for j in range(rng.randint(1, 3))]

    day_us = 86_400_000_000
    ts_lo, ts_hi = -62135596800 * 1_000_000, 253402300799 * 1_000_000 + 999_999
    data = {
        "id": list(range(n)),
        "b": col(lambda i: rng.random() < 0.5),
        "i8": col(bounded(-128, 127)),
        "i16": col(bounded(-(2**15), 2**15 - 1)),
        "i32": col(bounded(-(2**31), 2**31 - 1)),
        "i64": col(bounded(-(2**63), 2**63 - 1)),
        "u8": col(bounded(0, 2**8 - 1)),
        "u16": col(bounded(0, 2**16 - 1)),
        "u32": col(bounded(0, 2**32 - 1)),
        "u64": col(bounded(0, 2**64 - 1)),
        "f32": col(floats(SPECIAL_F32, 1e6)),
        "f64": col(floats(SPECIAL_F, 1e12)),
        "dec5": col(dec(5, 2)),
        "dec18": col(dec(18, 3)),
        "dec38": col(dec(38, 10)),
        "s": col(strings),
        "bin": col(lambda i: bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))),
        "fsb": col(lambda i: bytes(rng.randrange(256) for _ in range(3))),
        "d": col(_ints(rng, -719162, 2932896, [-719162, 2932896, 0, -1])),
        "t": col(_ints(rng, 0, day_us - 1, [0, day_us - 1])),
        "ts_utc": col(_ints(rng, ts_lo, ts_hi, [ts_lo, ts_hi, 0, -1])),
        "ts": col(_ints(rng, ts_lo, ts_hi, [ts_lo, ts_hi, 0, -1])),
        "li": col(lists, null_every=6),
        "lls": col(list_lists, null_every=7),
        "st": col(structs, null_every=9),
        "m": col(maps, null_every=5),
        "req_s": [f"r{i % 97}" for i in range(n)],
    }
    arrays = []
    for field in SCHEMA:
        v = data[field.name]
        if pa.types.is_timestamp(field.type) or pa.types.is_time(field.type):
            arrays.append(pa.array(v, pa.int64()).view(field.type))
        elif pa.types.is_date32(field.type):
            arrays.append(pa.array(v, pa.int32()).view(field.type))
        else:
            arrays.append(pa.array(v, field.type))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def big_table(n: int, seed: int = 2) -> pa.Table:
    """A long, narrow table (no NaN and no -0.0, so Arrow's equality is exact here)."""
    rng = random.Random(seed)
    status = ["pending", "completed", "cancelled", "refunded"]
    return pa.table(
        {
            "order_id": pa.array(range(n), pa.int64()),
            "customer_id": pa.array([None if i % 11 == 0 else rng.randrange(100_000) for i in range(n)], pa.int64()),
            "amount": pa.array([round(rng.uniform(1, 1000), 2) for _ in range(n)], pa.float64()),
            "status": pa.array([None if i % 13 == 0 else status[rng.randrange(4)] for i in range(n)], pa.string()),
            "created_at": pa.array(
                [1_704_067_200_000_000 + rng.randrange(366 * 86_400_000_000) for _ in range(n)], pa.int64()
            ).view(pa.timestamp("us")),
        }
    )


def write_source(table: pa.Table, path: Path, **kw) -> Path:
    pq.write_table(table, path, store_schema=False, **kw)
    return path
