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
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from lake_values import first_difference, first_py_difference, table_to_rows
from sources import LONG, all_types_table, big_table, write_source

CODECS = {
    "snappy": {"SNAPPY"},
    "zstd": {"ZSTD"},
    "gzip": {"GZIP"},
    "lz4": {"LZ4_RAW", "LZ4"},
    "none": {"UNCOMPRESSED"},
}

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
            # Physical types may differ where the spec allows a choice (a decimal(5,2) is INT32 or
            # FIXED_LEN_BYTE_ARRAY); statistics compare as logical values.
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
