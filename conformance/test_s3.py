"""Tables on S3 (moto's server, started by tools/test; see tools/s3_server.py), shared by lake and deltalake.

- deltalake reads a table `lake write` created on s3:// (two commits, partitioned), at every version, with the
  rows pyarrow reads from the sources; lake's time travel on s3:// agrees;
- lake reads a table deltalake wrote to s3://, and appends to it so deltalake sees both writers' rows;
- lake DML (delete, update) on s3:// leaves a table deltalake reads as the expected rows;
- several lake processes and deltalake writers (conditional PUT, `conditional_put=etag`) appending to one S3
  table at once lose nothing and leave contiguous versions.

Skipped (with the reason) only when the S3 test environment is absent; tools/test always sets it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import _lake_bin, parse_ndjson
from lake_values import table_to_rows

pytestmark = pytest.mark.skipif(
    not (os.environ.get("AWS_ENDPOINT_URL") and os.environ.get("LAKE_TEST_S3_BUCKET")),
    reason="S3 tests need AWS_ENDPOINT_URL and LAKE_TEST_S3_BUCKET (tools/test starts moto and sets them)",
)


def storage_options() -> dict:
    return {
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
        "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "conditional_put": "etag",
    }


@pytest.fixture
def s3_table() -> str:
    return f"s3://{os.environ['LAKE_TEST_S3_BUCKET']}/conformance/{uuid.uuid4().hex}/tbl"


def canon(rows: list[dict]) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in rows)


def lake_rows(run_lake, table: str, *extra) -> list[dict]:
    rc, out, err = run_lake("read", table, "--format", "ndjson", *extra)
    assert rc == 0, err
    return parse_ndjson(out)


def delta_rows(table: str, version: int | None = None) -> list[dict]:
    return table_to_rows(DeltaTable(table, version=version, storage_options=storage_options()).to_pyarrow_table())


def orders(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "region": pa.array(["EU" if i % 3 else "US" for i in ids]),
        "amount": pa.array([i * 1.5 for i in ids], pa.float64()),
        "note": pa.array([None if i % 7 == 0 else f"n{i}" for i in ids]),
    })


def test_deltalake_reads_a_table_lake_wrote_to_s3(run_lake, work_dir, s3_table):
    first, second = orders(0, 500), orders(500, 300)
    pq.write_table(first, work_dir / "a.parquet")
    pq.write_table(second, work_dir / "b.parquet")
    rc, _, err = run_lake("write", s3_table, work_dir / "a.parquet", "--partition-by", "region")
    assert rc == 0, err
    rc, _, err = run_lake("write", s3_table, work_dir / "b.parquet")
    assert rc == 0, err
    assert canon(delta_rows(s3_table, 0)) == canon(table_to_rows(first))
    both = table_to_rows(pa.concat_tables([first, second]))
    assert canon(delta_rows(s3_table)) == canon(both)
    assert canon(lake_rows(run_lake, s3_table)) == canon(both)
    assert canon(lake_rows(run_lake, s3_table, "--version", "0")) == canon(table_to_rows(first))


def test_lake_reads_and_appends_to_a_table_deltalake_wrote_to_s3(run_lake, work_dir, s3_table):
    write_deltalake(s3_table, orders(0, 200), storage_options=storage_options(), partition_by=["region"])
    write_deltalake(s3_table, orders(200, 100), storage_options=storage_options(), mode="append")
    assert canon(lake_rows(run_lake, s3_table)) == canon(table_to_rows(orders(0, 300)))
    pq.write_table(orders(300, 50), work_dir / "c.parquet")
    rc, _, err = run_lake("write", s3_table, work_dir / "c.parquet")
    assert rc == 0, err
    dt = DeltaTable(s3_table, storage_options=storage_options())
    assert dt.version() == 2
    assert canon(table_to_rows(dt.to_pyarrow_table())) == canon(table_to_rows(orders(0, 350)))


def test_lake_delete_and_update_on_s3_read_back_by_deltalake(run_lake, work_dir, s3_table):
    pq.write_table(orders(0, 400), work_dir / "a.parquet")
    rc, _, err = run_lake("write", s3_table, work_dir / "a.parquet", "--partition-by", "region")
    assert rc == 0, err
    rc, _, err = run_lake("delete", s3_table, "--where", "id < 100")
    assert rc == 0, err
    rc, _, err = run_lake("update", s3_table, "--set", "amount = amount * 2", "--where", "region = 'US'")
    assert rc == 0, err
    expected = []
    for r in table_to_rows(orders(0, 400)):
        if r["id"] < 100:
            continue
        if r["region"] == "US":
            r = dict(r, amount=r["amount"] * 2)
        expected.append(r)
    assert canon(delta_rows(s3_table)) == canon(expected)
    assert canon(lake_rows(run_lake, s3_table)) == canon(expected)


DELTA_WRITER = """
import sys, json, pyarrow as pa
from deltalake import write_deltalake
path, writer, n, opts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
for i in range(n):
    ids = [(writer + 100) * 1_000_000 + i * 100 + r for r in range(5)]
    write_deltalake(path, pa.table({"id": pa.array(ids, pa.int64()), "writer": pa.array([f"d{writer}"] * 5)}),
                    mode="append", storage_options=opts)
"""


def test_lake_and_deltalake_append_concurrently_to_one_s3_table(run_lake, work_dir, s3_table):
    seed = pa.table({"id": pa.array([0], pa.int64()), "writer": pa.array(["seed"])})
    pq.write_table(seed, work_dir / "seed.parquet")
    rc, _, err = run_lake("write", s3_table, work_dir / "seed.parquet")
    assert rc == 0, err
    lake_writers, lake_commits, delta_writers, delta_commits = 3, 4, 2, 4
    procs = []
    for w in range(lake_writers):
        files = []
        for i in range(lake_commits):
            ids = [(w + 10) * 1_000_000 + i * 100 + r for r in range(5)]
            p = work_dir / f"l{w}-{i}.parquet"
            pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "writer": pa.array([f"l{w}"] * 5)}), p)
            files.append(f'"{p}"')
        procs.append(subprocess.Popen(["bash", "-c", f'for f in {" ".join(files)}; do "{_lake_bin()}" write "{s3_table}" "$f" || exit 1; done'],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for w in range(delta_writers):
        procs.append(subprocess.Popen([sys.executable, "-c", DELTA_WRITER, s3_table, str(w), str(delta_commits), json.dumps(storage_options())],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode(errors="replace")[-2000:]
    total = 1 + lake_writers * lake_commits + delta_writers * delta_commits
    dt = DeltaTable(s3_table, storage_options=storage_options())
    assert dt.version() == total - 1
    history = dt.history()
    assert sorted(h["version"] for h in history) == list(range(total))
    rows = lake_rows(run_lake, s3_table)
    assert len(rows) == 1 + 5 * (total - 1)
    assert len({r["id"] for r in rows}) == len(rows)
    assert canon(rows) == canon(table_to_rows(dt.to_pyarrow_table()))


def s3_keys(table: str) -> list[str]:
    import boto3

    bucket, _, prefix = table.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ.get("AWS_REGION", "us-east-1"))
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        keys += [o["Key"][len(prefix) + 1:] for o in page.get("Contents", [])]
    return keys


def test_create_scd2_optimize_restore_and_vacuum_on_s3(run_lake, work_dir, s3_table):
    rc, _, err = run_lake("create", s3_table, "--schema", "id long, region string, amount double, note string")
    assert rc == 0, err
    for i in range(4):
        pq.write_table(orders(i * 10, 10), work_dir / f"o{i}.parquet")
        rc, _, err = run_lake("write", s3_table, work_dir / f"o{i}.parquet")
        assert rc == 0, err
    rc, _, err = run_lake("optimize", s3_table)
    assert rc == 0, err
    dt = DeltaTable(s3_table, storage_options=storage_options())
    assert len(dt.file_uris()) == 1
    assert canon(delta_rows(s3_table)) == canon(table_to_rows(orders(0, 40)))
    rc, _, err = run_lake("restore", s3_table, "--version", "2")
    assert rc == 0, err
    assert canon(delta_rows(s3_table)) == canon(table_to_rows(orders(0, 20)))
    rc, _, err = run_lake("vacuum", s3_table, "--retain", "0h", "--force")
    assert rc == 0, err
    data = sorted(k for k in s3_keys(s3_table) if not k.startswith("_delta_log/"))
    live = sorted(u.split(s3_table + "/", 1)[1] for u in DeltaTable(s3_table, storage_options=storage_options()).file_uris())
    assert data == live
    assert canon(lake_rows(run_lake, s3_table)) == canon(table_to_rows(orders(0, 20)))


def test_scd2_dimension_on_s3_read_by_deltalake(run_lake, work_dir, s3_table):
    pq.write_table(pa.table({"id": pa.array([1, 2], pa.int64()), "city": ["Oslo", "Rome"]}), work_dir / "d1.parquet")
    pq.write_table(pa.table({"id": pa.array([1, 2], pa.int64()), "city": ["Oslo", "Paris"]}), work_dir / "d2.parquet")
    rc, _, err = run_lake("scd2", s3_table, work_dir / "d1.parquet", "--keys", "id", "--effective-at", "2024-01-01T00:00:00Z")
    assert rc == 0, err
    rc, _, err = run_lake("scd2", s3_table, work_dir / "d2.parquet", "--keys", "id", "--effective-at", "2024-02-01T00:00:00Z")
    assert rc == 0, err
    rows = delta_rows(s3_table)
    current = sorted((r["id"], r["city"]) for r in rows if r["is_current"])
    assert current == [(1, "Oslo"), (2, "Paris")]
    assert sorted((r["id"], r["city"]) for r in rows if not r["is_current"]) == [(2, "Rome")]
    assert canon(lake_rows(run_lake, s3_table)) == canon(rows)
