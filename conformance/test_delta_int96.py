"""Delta tables whose data files store `timestamp` as Parquet INT96 (older Spark), read by `lake read`.

A Delta `timestamp` is microseconds. The data file here holds INT96 values from 0001-01-01 to
9999-12-31 23:59:59.999999, most of them outside the nanosecond range (1677-09-21...2262-04-11): lake
must read every one exactly, as DuckDB's delta extension and DuckDB's `read_parquet` do (both read
INT96 as microsecond timestamps). The expected values are also computed here from the Julian day
formula, and the file is checked to hold exactly those 12-byte INT96 values.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import duckdb_delta_table, parse_ndjson
from lake_values import format_timestamp, table_to_rows

JULIAN_EPOCH = 2_440_588
US_PER_DAY = 86_400_000_000
EPOCH = dt.datetime(1970, 1, 1)

VALUES = [
    dt.datetime(1, 1, 1),
    dt.datetime(1677, 9, 21, 0, 0, 0),  # just below the nanosecond range
    dt.datetime(1677, 9, 21, 0, 12, 43, 145224),
    dt.datetime(1970, 1, 1),
    dt.datetime(2024, 2, 29, 12, 34, 56, 789012),
    dt.datetime(2262, 4, 12),  # just above it
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    None,
]


def micros(v: dt.datetime) -> int:
    d = v - EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def int96_bytes(us: int) -> bytes:
    """The INT96 encoding of a microsecond timestamp: nanoseconds of day (8 bytes LE), Julian day (4 bytes LE)."""
    days, in_day = divmod(us, US_PER_DAY)
    return struct.pack("<qI", in_day * 1000, days + JULIAN_EPOCH)


def write_int96_file(path: Path) -> None:
    ids = list(range(len(VALUES)))
    table = pa.table({"id": pa.array(ids, pa.int64()), "ts": pa.array(VALUES, pa.timestamp("us"))})
    # pyarrow converts microseconds to INT96 without going through nanoseconds, so far dates survive;
    # plain encoding and no compression keep the 12-byte values visible for the check below.
    pq.write_table(table, path, use_deprecated_int96_timestamps=True, use_dictionary=False,
                   compression="none", store_schema=False)
    assert pq.ParquetFile(path).schema.column(1).physical_type == "INT96"
    raw = path.read_bytes()
    expected = b"".join(int96_bytes(micros(v)) for v in VALUES if v is not None)
    assert expected in raw, "the data file does not hold the INT96 values the test means"


def stat_text(v: dt.datetime) -> str:
    """A stats timestamp as Spark writes it: milliseconds, rounded down, UTC."""
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
            f".{v.microsecond // 1000:03d}Z")


def make_table(root: Path, with_stats: bool = True) -> None:
    root.mkdir()
    (root / "_delta_log").mkdir()
    name = "part-00000-int96.parquet"
    write_int96_file(root / name)
    schema = {"type": "struct", "fields": [
        {"name": "id", "type": "long", "nullable": True, "metadata": {}},
        {"name": "ts", "type": "timestamp", "nullable": True, "metadata": {}},
    ]}
    present = [v for v in VALUES if v is not None]
    stats = {
        "numRecords": len(VALUES),
        # Spark truncates timestamp stats to milliseconds (PROTOCOL.md "Per-file Statistics").
        "minValues": {"id": 0, "ts": stat_text(min(present))},
        "maxValues": {"id": len(VALUES) - 1, "ts": stat_text(max(present))},
        "nullCount": {"id": 0, "ts": 1},
    }
    add = {"path": name, "partitionValues": {}, "size": (root / name).stat().st_size,
           "modificationTime": 1700000000000, "dataChange": True}
    if with_stats:
        add["stats"] = json.dumps(stats)
    actions = [
        {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}},
        {"metaData": {"id": "int96-test", "format": {"provider": "parquet", "options": {}},
                      "schemaString": json.dumps(schema), "partitionColumns": [], "configuration": {},
                      "createdTime": 1700000000000}},
        {"add": add},
    ]
    (root / "_delta_log" / "00000000000000000000.json").write_text("".join(json.dumps(a) + "\n" for a in actions))


def expected_rows() -> list[dict]:
    return [{"id": i, "ts": None if v is None else format_timestamp(micros(v), "us", True)} for i, v in enumerate(VALUES)]


def lake_rows(run_lake, root: Path, *extra) -> list[dict]:
    rc, out, err = run_lake("read", root, "--format", "ndjson", *extra)
    assert rc == 0, f"lake read failed: {err}"
    return sorted(parse_ndjson(out), key=lambda r: r["id"])


def test_int96_timestamps_read_exactly_as_microseconds(run_lake, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    got = lake_rows(run_lake, root)
    assert got == expected_rows()


def test_int96_table_matches_duckdb_delta_extension(run_lake, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    duck = duckdb_delta_table(root, tmp_path / "duck.parquet")
    expected = sorted(table_to_rows(duck), key=lambda r: r["id"])
    assert lake_rows(run_lake, root) == expected


def test_int96_file_matches_duckdb_read_parquet(run_lake, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    path = str(root / "part-00000-int96.parquet").replace("'", "''")
    rows = duckdb.sql(f"SELECT id, epoch_us(ts) FROM read_parquet('{path}') ORDER BY id").fetchall()
    expected = [{"id": i, "ts": None if us is None else format_timestamp(us, "us", True)} for i, us in rows]
    assert lake_rows(run_lake, root) == expected


@pytest.mark.parametrize("predicate, ids", [
    ("ts > TIMESTAMP '9000-01-01 00:00:00'", [6]),
    ("ts < TIMESTAMP '1600-01-01 00:00:00'", [0]),
    ("ts >= TIMESTAMP '2262-04-12 00:00:00'", [5, 6]),
    ("ts IS NULL", [7]),
])
def test_int96_far_values_are_not_skipped_by_stats(run_lake, tmp_path, predicate, ids):
    # The log's min/max cover 0001-01-01...9999-12-31: a predicate on the far ends keeps the file.
    root = tmp_path / "t"
    make_table(root)
    got = lake_rows(run_lake, root, "--where", predicate)
    assert [r["id"] for r in got] == ids
    assert got == [r for r in expected_rows() if r["id"] in ids]


def test_int96_far_values_filter_without_stats(run_lake, tmp_path):
    root = tmp_path / "t"
    make_table(root, with_stats=False)
    got = lake_rows(run_lake, root, "--where", "ts > TIMESTAMP '9000-01-01 00:00:00'")
    assert [r["id"] for r in got] == [6]


def test_int96_parquet_cat_keeps_pyarrow_nanoseconds(run_lake, tmp_path):
    # `lake parquet cat` reads INT96 like pyarrow (nanoseconds, wrapping outside 1677...2262); only
    # Delta scans ask for microseconds. An in-range value shows the 9-digit nanosecond form.
    path = tmp_path / "in_range.parquet"
    table = pa.table({"ts": pa.array([dt.datetime(2024, 2, 29, 12, 34, 56, 789012)], pa.timestamp("us"))})
    pq.write_table(table, path, use_deprecated_int96_timestamps=True)
    rc, out, err = run_lake("parquet", "cat", path, "--format", "ndjson")
    assert rc == 0, err
    assert parse_ndjson(out) == table_to_rows(pq.read_table(path))
    assert parse_ndjson(out) == [{"ts": "2024-02-29T12:34:56.789012000"}]
