"""`lake parquet convert` (lake's writer) checked by three independent readers.

Sources are written by pyarrow (without the ARROW:schema footer key, so that what a reader
sees comes from the Parquet schema alone, as it will for lake's files). For every case:

- pyarrow reads lake's file to the same Arrow schema (types, nullability) and the same values
  (exact: -0.0, NaN, decimals' scale, time zones) as it reads the source;
- polars and duckdb each read lake's file to the same schema and row values as they read the
  source;
- the column chunks carry the requested codec, and their statistics (min, max, null_count,
  num_values) equal those pyarrow writes for the same data with the same row groups.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from lake_values import first_difference, first_py_difference, table_to_rows

CODECS = {
    "snappy": {"SNAPPY"},
    "zstd": {"ZSTD"},
    "gzip": {"GZIP"},
    "lz4": {"LZ4_RAW", "LZ4"},
    "none": {"UNCOMPRESSED"},
}

# --------------------------------------------------------------------------- source data

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
        return [None if (i % null_every == 3) else gen(i) for i in range(n)]

    def bounded(lo, hi):
        return _ints(rng, lo, hi, [lo, hi, 0, -1 if lo < 0 else 1])

    def dec(prec, scale):
        top = 10**prec - 1
        ext = [top, -top, 0, 1, -1]
        return lambda i: Decimal(ext[i] if i < len(ext) else rng.randint(-top, top)).scaleb(-scale)

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


# --------------------------------------------------------------------------- checks


def convert(run_lake, src: Path, out: Path, codec: str | None = None, row_group_size: int | None = None) -> None:
    args = ["parquet", "convert", src, out]
    if codec is not None:
        args += ["--compression", codec]
    if row_group_size is not None:
        args += ["--row-group-size", row_group_size]
    rc, _, err = run_lake(*args, timeout=300)
    assert rc == 0, f"lake parquet convert failed (rc={rc}): {err[-3000:]}"
    assert out.is_file(), "lake parquet convert exited 0 but wrote no file"


def check_pyarrow(src: Path, out: Path, fast: bool = False) -> None:
    exp = pq.read_table(src)
    got = pq.read_table(out)
    assert got.schema.equals(exp.schema), f"pyarrow schema of lake's file:\n{got.schema}\nexpected:\n{exp.schema}"
    assert got.num_rows == exp.num_rows, f"{got.num_rows} rows, expected {exp.num_rows}"
    for name in exp.column_names:
        if fast and got.column(name).equals(exp.column(name)):
            continue
        diff = first_difference(table_to_rows(exp.select([name])), table_to_rows(got.select([name])))
        assert diff is None, f"pyarrow reading lake's file, {diff}"


def check_polars(src: Path, out: Path, fast: bool = False) -> None:
    exp = pl.read_parquet(src)
    got = pl.read_parquet(out)
    assert got.schema == exp.schema, f"polars schema of lake's file:\n{got.schema}\nexpected:\n{exp.schema}"
    assert got.height == exp.height
    if fast and got.equals(exp, null_equal=True):
        return
    diff = first_py_difference(exp.rows(), got.rows(), exp.columns)
    assert diff is None, f"polars reading lake's file, {diff}"


def check_duckdb(src: Path, out: Path) -> None:
    con = duckdb.connect()
    try:
        e = con.sql(f"SELECT * FROM read_parquet('{src}')")
        g = con.sql(f"SELECT * FROM read_parquet('{out}')")
        assert [str(t) for t in g.types] == [str(t) for t in e.types], f"duckdb types {g.types}, expected {e.types}"
        assert g.columns == e.columns
        diff = first_py_difference(e.fetchall(), g.fetchall(), e.columns)
        assert diff is None, f"duckdb reading lake's file, {diff}"
    finally:
        con.close()


def check_codec(out: Path, codec: str) -> None:
    md = pq.ParquetFile(out).metadata
    want = CODECS[codec]
    for rg in range(md.num_row_groups):
        for c in range(md.num_columns):
            cc = md.row_group(rg).column(c)
            assert cc.compression in want, f"row group {rg}, column {cc.path_in_schema}: codec {cc.compression}, expected {want}"


def _stat_equal(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return type(a) is type(b) and a == b


def check_statistics(table: pa.Table, out: Path, ref: Path) -> None:
    """lake's column-chunk statistics equal pyarrow's for the same data and row groups.

    `ref` is pyarrow's own file of `table` with the same row-group boundaries. Where pyarrow
    leaves min/max out for a chunk with values (it drops statistics over 4 KiB: the 100 KB
    string), lake may leave them out too or give the exact min and max.
    """
    lm = pq.ParquetFile(out).metadata
    rm = pq.ParquetFile(ref).metadata
    assert lm.num_row_groups == rm.num_row_groups, f"{lm.num_row_groups} row groups, pyarrow writes {rm.num_row_groups}"
    assert lm.num_columns == rm.num_columns
    start = 0
    for rg in range(rm.num_row_groups):
        lrg, rrg = lm.row_group(rg), rm.row_group(rg)
        assert lrg.num_rows == rrg.num_rows, f"row group {rg}: {lrg.num_rows} rows, expected {rrg.num_rows}"
        for c in range(rm.num_columns):
            lc, rc = lrg.column(c), rrg.column(c)
            where = f"row group {rg}, column {rc.path_in_schema}"
            assert lc.path_in_schema == rc.path_in_schema, where
            assert lc.physical_type == rc.physical_type, f"{where}: physical type {lc.physical_type}, expected {rc.physical_type}"
            assert lc.num_values == rc.num_values, f"{where}: num_values {lc.num_values}, expected {rc.num_values}"
            rs, ls = rc.statistics, lc.statistics
            assert rs is not None, f"{where}: pyarrow wrote no statistics (test bug)"
            assert ls is not None, f"{where}: lake wrote no statistics"
            assert ls.has_null_count, f"{where}: lake wrote no null_count"
            assert ls.null_count == rs.null_count, f"{where}: null_count {ls.null_count}, expected {rs.null_count}"
            if rs.has_min_max:
                assert ls.has_min_max, f"{where}: lake wrote no min/max (pyarrow: {rs.min!r}..{rs.max!r})"
                assert _stat_equal(ls.min, rs.min), f"{where}: min {ls.min!r}, expected {rs.min!r}"
                assert _stat_equal(ls.max, rs.max), f"{where}: max {ls.max!r}, expected {rs.max!r}"
            elif ls.has_min_max:
                name = rc.path_in_schema
                assert "." not in name and name in table.column_names, (
                    f"{where}: lake wrote min/max {ls.min!r}..{ls.max!r} where pyarrow writes none"
                )
                chunk = table.column(name).slice(start, rrg.num_rows)
                mm = pc.min_max(chunk)
                assert mm["min"].is_valid, f"{where}: lake wrote min/max for a chunk without values"
                assert _stat_equal(ls.min, mm["min"].as_py()) and _stat_equal(ls.max, mm["max"].as_py()), (
                    f"{where}: min/max {ls.min!r:.80}..{ls.max!r:.80} are not the chunk's exact min/max"
                )
        start += rrg.num_rows


def check_all(src: Path, out: Path, fast: bool = False) -> None:
    check_pyarrow(src, out, fast)
    check_polars(src, out, fast)
    check_duckdb(src, out)


# --------------------------------------------------------------------------- tests

N_ALL = 1200


@pytest.fixture(scope="module")
def all_types(tmp_path_factory):
    table = all_types_table(N_ALL)
    d = tmp_path_factory.mktemp("alltypes")
    return table, write_source(table, d / "src.parquet"), write_source(table, d / "ref.parquet")


def test_source_covers_every_case(all_types):
    """Guards the generator: the values the suite claims to cover are really there."""
    table, _, _ = all_types
    for name in table.column_names:
        if table.schema.field(name).nullable:
            assert table.column(name).null_count > 0, name
    f64 = table.column("f64").to_pylist()
    assert any(isinstance(v, float) and math.isnan(v) for v in f64)
    assert any(v == -0.0 and math.copysign(1, v) < 0 for v in f64 if v is not None)
    assert float("inf") in f64 and float("-inf") in f64
    s = table.column("s").to_pylist()
    assert "" in s and LONG in s and "😀🎉" in s
    assert [] in table.column("li").to_pylist() and [] in table.column("m").to_pylist()
    assert {"a": None, "b": None} in table.column("st").to_pylist()
    assert 2**64 - 1 in table.column("u64").to_pylist()


@pytest.mark.parametrize("codec", list(CODECS))
def test_convert_all_types(codec, all_types, run_lake, work_dir):
    table, src, ref = all_types
    out = work_dir / f"lake-{codec}.parquet"
    convert(run_lake, src, out, codec)
    check_codec(out, codec)
    check_all(src, out)
    check_statistics(table, out, ref)


def test_convert_zero_rows(run_lake, work_dir):
    table = all_types_table(0)
    src = write_source(table, work_dir / "src.parquet")
    out = work_dir / "out.parquet"
    convert(run_lake, src, out, "snappy")
    assert pq.ParquetFile(out).metadata.num_rows == 0
    check_all(src, out)


def test_convert_one_row(run_lake, work_dir):
    table = all_types_table(1)
    src = write_source(table, work_dir / "src.parquet")
    ref = write_source(table, work_dir / "ref.parquet")
    out = work_dir / "out.parquet"
    convert(run_lake, src, out, "zstd")
    check_all(src, out)
    check_statistics(table, out, ref)


def test_convert_three_row_groups(run_lake, work_dir):
    table = all_types_table(3000, seed=3)
    src = write_source(table, work_dir / "src.parquet")
    ref = write_source(table, work_dir / "ref.parquet", row_group_size=1000)
    out = work_dir / "out.parquet"
    convert(run_lake, src, out, "snappy", row_group_size=1000)
    md = pq.ParquetFile(out).metadata
    assert md.num_row_groups == 3, f"--row-group-size 1000 on 3000 rows gave {md.num_row_groups} row groups"
    assert [md.row_group(i).num_rows for i in range(3)] == [1000, 1000, 1000]
    check_all(src, out)
    check_statistics(table, out, ref)


def test_convert_many_pages(run_lake, work_dir):
    n = 300_000
    table = big_table(n)
    # Small pages and row groups in the source: many pages for lake's reader to stitch.
    src = write_source(table, work_dir / "src.parquet", data_page_size=4096, row_group_size=70_000)
    assert pq.ParquetFile(src).metadata.num_row_groups == 5
    ref = write_source(table, work_dir / "ref.parquet", row_group_size=100_000)
    out = work_dir / "out.parquet"
    convert(run_lake, src, out, "snappy", row_group_size=100_000)
    md = pq.ParquetFile(out).metadata
    assert md.num_rows == n and md.num_row_groups == 3
    check_all(src, out, fast=True)
    check_statistics(table, out, ref)


def test_convert_reads_corpus_encodings(run_lake, work_dir, parquet_testing):
    """lake rewrites files of other writers (dictionary, DELTA_*, v2 pages) to equal values."""
    for name in [
        "alltypes_tiny_pages.parquet",
        "delta_byte_array.parquet",
        "delta_binary_packed.parquet",
        "datapage_v2.snappy.parquet",
        "nested_maps.snappy.parquet",
        "nullable.impala.parquet",
    ]:
        src = parquet_testing / "data" / name
        out = work_dir / f"lake-{name}"
        convert(run_lake, src, out, "zstd")
        exp = table_to_rows(pq.read_table(src))
        got = table_to_rows(pq.read_table(out))
        diff = first_difference(exp, got)
        assert diff is None, f"{name} rewritten by lake, read by pyarrow: {diff}"
