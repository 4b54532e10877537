"""Tables `lake write` produces, read back by independent engines.

- deltalake (delta-rs), polars (`pl.read_delta`) and duckdb (`delta_scan`, the delta extension from
  PyPI in its own venv) read the same rows (as a multiset) as pyarrow reads from the
  source file, for partitioned tables with every type and many commits;
- every version N of a table lake wrote equals `DeltaTable(path, version=N)`;
- deltalake's history agrees with `lake history --json` (versions, operations, parameters).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from conftest import duckdb_delta_table, parse_ndjson
from lake_values import table_to_rows


def canon(rows: list[dict]) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in rows)


def lake_rows(run_lake, table: Path, *extra) -> list[dict]:
    rc, out, err = run_lake("read", table, "--format", "ndjson", *extra)
    assert rc == 0, err
    return parse_ndjson(out)


def delta_rows(path: Path, version: int | None = None, columns: list[str] | None = None) -> list[dict]:
    t = DeltaTable(str(path), version=version).to_pyarrow_table()
    if columns is not None:
        t = t.select(columns)
    return table_to_rows(t)


def every_type_table(n: int = 40) -> pa.Table:
    utc = dt.timezone.utc
    rows = range(n)
    return pa.table({
        "id": pa.array(list(rows), pa.int64()),
        "i8": pa.array([None if i % 7 == 0 else (i % 100) - 50 for i in rows], pa.int8()),
        "i16": pa.array([i * 300 - 6000 for i in rows], pa.int16()),
        "i32": pa.array([i * 70000 - 1 for i in rows], pa.int32()),
        "f32": pa.array([i / 4 for i in rows], pa.float32()),
        "f64": pa.array([None if i % 5 == 0 else i * 1.25 - 3 for i in rows], pa.float64()),
        "dec": pa.array([decimal.Decimal(i * 137 - 2000) / 100 for i in rows], pa.decimal128(10, 2)),
        "s": pa.array([None if i % 6 == 0 else f"v{i}-" + "é" * (i % 3) + "x" * (i % 40) for i in rows], pa.string()),
        "b": pa.array([bytes([i % 256, 0, 255]) for i in rows], pa.binary()),
        "flag": pa.array([i % 3 == 0 for i in rows], pa.bool_()),
        "d": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i * 13) for i in rows], pa.date32()),
        "ts": pa.array([dt.datetime(2024, 1, 1, 10, 0, tzinfo=utc) + dt.timedelta(seconds=i * 3601, microseconds=i) for i in rows], pa.timestamp("us", tz="UTC")),
        "st": pa.array([{"a": i, "b": f"s{i}"} for i in rows], pa.struct([("a", pa.int32()), ("b", pa.string())])),
        "arr": pa.array([[i, i + 1] if i % 4 else None for i in rows], pa.list_(pa.int64())),
        # Partition columns of several types, with a null and characters Hive escapes.
        "p_str": pa.array([None if i % 9 == 0 else ["a b", "x=y/z", "%25", "ünï"][i % 4] for i in rows], pa.string()),
        "p_int": pa.array([i % 3 for i in rows], pa.int32()),
        "p_date": pa.array([dt.date(2024, 2, 29) if i % 2 else None for i in rows], pa.date32()),
    })


def write_parquet(t: pa.Table, path: Path) -> Path:
    pq.write_table(t, path)
    return path


@pytest.mark.parametrize("partition_by", [None, "p_str", "p_str,p_int,p_date"])
def test_every_type_read_by_other_engines(run_lake, work_dir, partition_by):
    src = every_type_table()
    f = write_parquet(src, work_dir / "src.parquet")
    table = work_dir / "tbl"
    args = ["write", table, f]
    if partition_by:
        args += ["--partition-by", partition_by]
    rc, out, err = run_lake(*args)
    assert rc == 0, err
    expected = canon(table_to_rows(src))
    cols = src.schema.names
    assert canon(delta_rows(table, columns=cols)) == expected
    assert canon(lake_rows(run_lake, table, "--columns", ",".join(cols))) == expected
    assert pl.read_delta(str(table)).height == src.num_rows
    polars_ids = sorted(pl.read_delta(str(table))["id"].to_list())
    assert polars_ids == list(range(src.num_rows))


@pytest.mark.parametrize("partition_by", [None, "p_int", "p_str,p_int,p_date"])
def test_duckdb_reads_lake_table(run_lake, work_dir, partition_by):
    src = every_type_table(40)
    table = work_dir / "tbl"
    args = ["write", table, write_parquet(src, work_dir / "s.parquet")]
    if partition_by:
        args += ["--partition-by", partition_by]
    rc, _, err = run_lake(*args)
    assert rc == 0, err
    # A second commit, so DuckDB replays a log of several versions.
    rc, _, err = run_lake("write", table, write_parquet(src, work_dir / "s2.parquet"))
    assert rc == 0, err
    got = duckdb_delta_table(table, work_dir / "duck.parquet").select(src.schema.names)
    assert canon(table_to_rows(got)) == canon(table_to_rows(src) * 2)


def test_many_commits_every_version_and_history(run_lake, work_dir):
    table = work_dir / "tbl"
    for i in range(12):
        t = pa.table({"id": pa.array(range(i * 10, i * 10 + 10), pa.int64()), "part": pa.array([f"p{i % 3}"] * 10)})
        args = ["write", table, write_parquet(t, work_dir / f"{i}.parquet")]
        if i == 0:
            args += ["--partition-by", "part"]
        if i == 8:
            args += ["--mode", "overwrite"]
        rc, _, err = run_lake(*args)
        assert rc == 0, err
    for v in range(12):
        expected = canon(delta_rows(table, version=v))
        assert canon(lake_rows(run_lake, table, "--version", str(v))) == expected, f"version {v}"
    assert len(delta_rows(table)) == 40  # overwrite at 8, then 9..11
    rc, out, err = run_lake("history", table, "--json")
    assert rc == 0, err
    ours = json.loads(out)
    theirs = DeltaTable(str(table)).history()
    assert [h["version"] for h in ours] == [h["version"] for h in theirs]
    for a, b in zip(ours, theirs):
        assert a["operation"] == b["operation"]
        assert a["operationParameters"] == b["operationParameters"]
        assert a["timestamp"] == b["timestamp"]
    assert ours[3]["operationParameters"]["mode"] == "Overwrite"


def test_idempotent_txn_and_errors(run_lake, work_dir):
    table = work_dir / "tbl"
    f = write_parquet(pa.table({"id": pa.array([1, 2], pa.int64())}), work_dir / "a.parquet")
    for _ in range(2):
        rc, _, err = run_lake("write", table, f, "--txn-app-id", "etl", "--txn-version", "5")
        assert rc == 0, err
    assert DeltaTable(str(table)).version() == 0
    assert DeltaTable(str(table)).transaction_version("etl") == 5
    g = write_parquet(pa.table({"id": pa.array(["x"])}), work_dir / "b.parquet")
    rc, _, err = run_lake("write", table, g)
    assert rc == 1 and err.startswith("lake: schema mismatch") and "id" in err
    rc, _, err = run_lake("read", work_dir / "nothing")
    assert rc == 4 and "not a Delta table" in err  # exit 4: table not found


def test_predicates_on_deltalake_table_with_many_row_groups(run_lake, work_dir):
    """Row-group and file skipping never drop matching rows: lake's filtered reads equal pyarrow's filter."""
    from deltalake import WriterProperties, write_deltalake

    table = work_dir / "tbl"
    n = 5000
    data = pa.table({"id": pa.array(range(n), pa.int64()), "s": pa.array([f"k{i:05d}" for i in range(n)]),
                     "f": pa.array([i / 3 for i in range(n)], pa.float64())})
    write_deltalake(str(table), data, writer_properties=WriterProperties(max_row_group_size=300))
    write_deltalake(str(table), data.slice(0, 700), mode="append", writer_properties=WriterProperties(max_row_group_size=300))
    full = DeltaTable(str(table)).to_pyarrow_table()
    for where, keep in [
        ("id >= 4950", lambda r: r["id"] >= 4950),
        ("id = 650", lambda r: r["id"] == 650),
        ("s < 'k00010'", lambda r: r["s"] < "k00010"),
        ("f > 1600.0 AND id < 4900", lambda r: r["f"] > 1600.0 and r["id"] < 4900),
        ("4000 < id", lambda r: 4000 < r["id"]),
    ]:
        expected = [r for r in table_to_rows(full) if keep(r)]
        assert canon(lake_rows(run_lake, table, "--where", where)) == canon(expected), where
