"""`lake parquet cat/schema/meta` on every file of parquet-testing/data/, pyarrow as the oracle.

- A file pyarrow reads: `lake parquet cat FILE --format ndjson` prints exactly pyarrow's rows
  (same order, values per lake_values' NDJSON conventions, floats exact).
- A file pyarrow cannot read in one piece but can read batch by batch
  (large_string_map.brotli.parquet: "Nested data conversions not implemented for chunked
  array outputs") uses the batches as the oracle.
- A file pyarrow cannot read at all (the *_expect.csv files, incorrect_map_schema.parquet):
  lake exits 1 with a message on stderr naming the file.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import corpus_files, parse_ndjson, shared_dir
from lake_values import first_difference, table_to_rows
from sources import all_types_table, write_source

DATA_FILES = corpus_files("parquet-testing/data")


def data_path(name: str) -> Path:
    return shared_dir() / "corpus" / "parquet-testing" / "data" / name


def pyarrow_oracle(path: Path) -> pa.Table | None:
    """pyarrow's reading of the file, or None when `pq.read_table` rejects it."""
    try:
        return pq.read_table(path)
    except Exception:
        return None


def pyarrow_row_batches(path: Path):
    """pyarrow's rows one at a time, for files it reads only in tiny batches
    (large_string_map.brotli.parquet holds two 1 GiB strings); None when it cannot."""
    try:
        it = pq.ParquetFile(path).iter_batches(batch_size=1)
        first = next(it, None)
    except Exception:
        return None

    def rows():
        if first is not None:
            yield from table_to_rows(first)
        for batch in it:
            yield from table_to_rows(batch)

    return rows()


def pyarrow_metadata(path: Path):
    try:
        return pq.ParquetFile(path).metadata
    except Exception:
        return None


def assert_clean_error(rc: int, err: str, path: Path, what: str) -> None:
    assert rc == 1, f"{what}: expected exit code 1 for a file pyarrow rejects, got {rc}; stderr: {err[-2000:]}"
    assert err.strip(), f"{what}: exit 1 but stderr is empty"
    assert path.name in err, f"{what}: the error message does not name the file {path.name}: {err[-2000:]}"


@pytest.mark.parametrize("name", DATA_FILES, ids=DATA_FILES)
def test_cat_matches_pyarrow(name, run_lake, lake_bin):
    path = data_path(name)
    expected = pyarrow_oracle(path)
    if expected is None:
        batches = pyarrow_row_batches(path)
        if batches is not None:
            return check_streamed(path, batches, lake_bin)
    rc, out, err = run_lake("parquet", "cat", path, "--format", "ndjson")
    if expected is None:
        assert_clean_error(rc, err, path, "lake parquet cat")
        return
    assert rc == 0, f"lake parquet cat failed (rc={rc}) on a file pyarrow reads: {err[-3000:]}"
    rows = parse_ndjson(out)
    exp_rows = table_to_rows(expected)
    assert len(rows) == len(exp_rows), f"lake printed {len(rows)} rows, pyarrow reads {len(exp_rows)}"
    diff = first_difference(exp_rows, rows)
    assert diff is None, f"{name}: {diff}"


def check_streamed(path: Path, expected_rows, lake_bin: str, timeout: float = 300) -> None:
    """pyarrow's `read_table` rejects the file but reads it row by row: lake may refuse it
    (exit 1, a message naming the file) or must print exactly those rows. Lines are compared
    as they arrive, so the 2 GiB of output never sit in memory at once."""
    cmd = [lake_bin, "parquet", "cat", str(path), "--format", "ndjson"]
    with tempfile.TemporaryFile() as errf:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        complete = False
        try:
            printed = 0
            for i, exp in enumerate(expected_rows):
                line = proc.stdout.readline()
                assert time.monotonic() < deadline, f"lake took more than {timeout} s"
                if not line:
                    break
                printed += 1
                got = json.loads(line)
                diff = first_difference([exp], [got])
                assert diff is None, f"{path.name}: row {i}: {diff}"
                del line, got
            else:
                extra = proc.stdout.readline()
                assert not extra, f"lake printed more rows than pyarrow reads: {extra[:200]!r}"
                complete = True
            rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace")
    assert rc >= 0, f"lake was killed by signal {-rc}: {err[-2000:]}"
    if rc == 0:
        assert complete, f"lake exited 0 after {printed} rows; pyarrow reads more"
        return
    assert printed == 0, f"lake printed {printed} rows, then failed (rc={rc}): {err[-2000:]}"
    assert_clean_error(rc, err, path, "lake parquet cat")


@pytest.mark.parametrize("name", DATA_FILES, ids=DATA_FILES)
def test_schema(name, run_lake):
    path = data_path(name)
    md = pyarrow_metadata(path)
    rc, out, err = run_lake("parquet", "schema", path)
    if md is None:
        assert_clean_error(rc, err, path, "lake parquet schema")
        return
    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception:
        # pyarrow reads the footer but rejects the schema (incorrect_map_schema.parquet):
        # lake may print the Parquet schema or refuse it, but cleanly.
        assert rc in (0, 1), f"unexpected exit code {rc}: {err[-2000:]}"
        if rc == 1:
            assert_clean_error(rc, err, path, "lake parquet schema")
        else:
            assert out.strip(), "lake parquet schema printed nothing"
        return
    assert rc == 0, f"lake parquet schema failed (rc={rc}): {err[-3000:]}"
    missing = [n for n in names if n not in out]
    assert not missing, f"schema output does not mention columns {missing}:\n{out[:3000]}"


@pytest.mark.parametrize("name", DATA_FILES, ids=DATA_FILES)
def test_meta_json(name, run_lake):
    path = data_path(name)
    md = pyarrow_metadata(path)
    rc, out, err = run_lake("parquet", "meta", path, "--json")
    if md is None:
        assert_clean_error(rc, err, path, "lake parquet meta")
        return
    assert rc == 0, f"lake parquet meta --json failed (rc={rc}): {err[-3000:]}"
    try:
        meta = json.loads(out)
    except json.JSONDecodeError as e:
        pytest.fail(f"lake parquet meta --json is not one JSON document ({e}): {out[:500]!r}")
    assert isinstance(meta, dict), f"meta --json must print an object, got {type(meta).__name__}"
    assert meta.get("num_rows") == md.num_rows, f"num_rows {meta.get('num_rows')!r}, pyarrow {md.num_rows}"
    assert row_group_count(meta) == md.num_row_groups


def row_group_count(meta: dict) -> int:
    """Number of row groups in lake's meta JSON: `num_row_groups`, else len(`row_groups`)."""
    if "num_row_groups" in meta:
        n = meta["num_row_groups"]
        if isinstance(meta.get("row_groups"), list):
            assert len(meta["row_groups"]) == n, "num_row_groups disagrees with the row_groups list"
        return n
    rgs = meta.get("row_groups")
    assert isinstance(rgs, list), f"meta --json has neither num_row_groups nor a row_groups list: keys {list(meta)}"
    return len(rgs)


# --columns + --limit: projections in file order, limits inside, at and past the row count.
PROJECTIONS = [
    ("alltypes_plain.parquet", ["id", "bool_col", "timestamp_col"], 3),
    ("alltypes_tiny_pages.parquet", ["int_col", "string_col", "timestamp_col"], 1500),
    ("nullable.impala.parquet", ["id", "int_map"], 5),
    ("datapage_v2.snappy.parquet", ["a", "e"], 10),
    ("nested_maps.snappy.parquet", ["a"], 0),
    ("delta_byte_array.parquet", ["c_last_name"], 1000),
]


@pytest.mark.parametrize(
    "name,columns,limit", PROJECTIONS, ids=[f"{n}-{'+'.join(c)}-{l}" for n, c, l in PROJECTIONS]
)
def test_cat_columns_and_limit(name, columns, limit, run_lake):
    path = data_path(name)
    table = pq.read_table(path, columns=columns)
    exp_rows = table_to_rows(table.slice(0, limit))
    rc, out, err = run_lake(
        "parquet", "cat", path, "--columns", ",".join(columns), "--limit", limit, "--format", "ndjson"
    )
    assert rc == 0, f"rc={rc}: {err[-3000:]}"
    rows = parse_ndjson(out)
    assert len(rows) == min(limit, table.num_rows)
    diff = first_difference(exp_rows, rows)
    assert diff is None, diff


def test_cat_unknown_column_is_an_error(run_lake):
    path = data_path("alltypes_plain.parquet")
    rc, out, err = run_lake("parquet", "cat", path, "--columns", "id,no_such_column", "--format", "ndjson")
    assert rc == 2, f"expected exit 2 (usage) for an unknown column, got {rc}"
    assert "no_such_column" in err, f"stderr should name the unknown column: {err!r}"


def test_missing_file_is_an_error(run_lake, work_dir):
    path = work_dir / "does-not-exist.parquet"
    for cmd in (["parquet", "cat", path], ["parquet", "schema", path], ["parquet", "meta", path, "--json"]):
        rc, out, err = run_lake(*cmd)
        assert rc == 1, f"{cmd[:2]}: expected exit 1 for a missing file, got {rc}"
        assert path.name in err, f"{cmd[:2]}: stderr should name the file: {err!r}"


# Files written by pyarrow here: every type of the write suite (UTC and naive timestamps,
# decimals' scale, maps, nested nulls, unicode, a 100 KB string), in several layouts, plus the
# other temporal units and float16.
LAYOUTS = {
    "dict-v1-snappy": dict(compression="snappy"),
    "plain-v2-zstd": dict(compression="zstd", use_dictionary=False, data_page_version="2.0"),
    "small-pages-gzip": dict(compression="gzip", data_page_size=512, row_group_size=300),
    "bss-none": dict(compression="none", use_dictionary=False, use_byte_stream_split=["f32", "f64"]),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_cat_generated_all_types(layout, run_lake, work_dir):
    table = all_types_table(700, seed=11)
    path = write_source(table, work_dir / f"{layout}.parquet", **LAYOUTS[layout])
    rc, out, err = run_lake("parquet", "cat", path, "--format", "ndjson")
    assert rc == 0, f"rc={rc}: {err[-3000:]}"
    diff = first_difference(table_to_rows(pq.read_table(path)), parse_ndjson(out))
    assert diff is None, diff


def test_cat_generated_temporal_units_and_float16(run_lake, work_dir):
    base = [0, -1, 1_700_000_000_123_456_789, None, -62_135_596_800_000_000_000 // 1000]
    cols = {}
    for unit, div in (("ms", 1_000_000), ("us", 1_000), ("ns", 1)):
        vals = [None if v is None else v // div for v in base]
        if unit == "ns":
            vals[-1] = -9_223_372_036_854_775_807  # 1677-09-21
        for tz in (None, "UTC", "Asia/Tokyo"):
            cols[f"ts_{unit}_{tz or 'naive'}"] = pa.array(vals, pa.int64()).view(pa.timestamp(unit, tz=tz))
    cols["t_ms"] = pa.array([0, 86_399_999, None, 1, 3_600_000], pa.int32()).view(pa.time32("ms"))
    cols["t_ns"] = pa.array([0, 86_399_999_999_999, None, 1, 5], pa.int64()).view(pa.time64("ns"))
    cols["f16"] = pa.array([0.1, -0.0, None, float("nan"), 65504.0], pa.float16())
    cols["uuid"] = pa.array([b"\x01" * 16, None, b"\x00" * 16, b"\xff" * 16, b"\x10" * 16], pa.binary(16))
    table = pa.table(cols)
    path = write_source(table, work_dir / "temporal.parquet")
    rc, out, err = run_lake("parquet", "cat", path, "--format", "ndjson")
    assert rc == 0, f"rc={rc}: {err[-3000:]}"
    expected = table_to_rows(pq.read_table(path))
    assert expected[0]["ts_us_UTC"] == "1970-01-01T00:00:00.000000Z"
    assert expected[0]["ts_ns_naive"] == "1970-01-01T00:00:00.000000000"
    diff = first_difference(expected, parse_ndjson(out))
    assert diff is None, diff
