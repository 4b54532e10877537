"""The Lake layer through the real CLI: the scan plan (`--explain`), read metrics (`--metrics`), documented
exit codes, stats written from the Parquet writer (checked against pyarrow's own view of each file), and
`lake write` of a file larger than one batch streaming into a table deltalake reads back."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from conftest import parse_ndjson


def _partitioned_table(run_lake, work_dir):
    src = work_dir / "src.parquet"
    n = 3000
    pq.write_table(pa.table({
        "id": pa.array(range(n), pa.int64()),
        "region": pa.array([["eu", "us", "apac"][i % 3] for i in range(n)]),
        "amount": pa.array([float(i % 1000) for i in range(n)]),
    }), src, row_group_size=500)
    t = work_dir / "t"
    rc, _, err = run_lake("write", t, src, "--partition-by", "region", "--target-file-size", "2000")
    assert rc == 0, err
    return t


def test_explain_prints_the_plan_and_reads_no_data(run_lake, work_dir):
    t = _partitioned_table(run_lake, work_dir)
    rc, out, err = run_lake("read", t, "--where", "region = 'eu' AND id < 100", "--explain")
    assert rc == 0, err
    plan = json.loads(out)
    files = DeltaTable(str(t)).file_uris()
    assert plan["filesTotal"] == len(files) > 3
    assert plan["filesPrunedByPartition"] == len([f for f in files if "region=eu" not in f])
    assert plan["filesSkippedByStats"] >= 1
    assert all(p.startswith("region=eu/") for p in plan["files"])
    assert len(plan["files"]) == plan["filesTotal"] - plan["filesPrunedByPartition"] - plan["filesSkippedByStats"]
    # Reads no data: the plan is the same with every data file gone.
    for root, _, names in os.walk(t):
        for name in names:
            if name.endswith(".parquet"):
                os.remove(os.path.join(root, name))
    rc, out2, err = run_lake("read", t, "--where", "region = 'eu' AND id < 100", "--explain")
    assert rc == 0, err
    assert json.loads(out2) == plan


def test_explain_keeps_every_file_with_a_matching_row(run_lake, work_dir):
    t = _partitioned_table(run_lake, work_dir)
    rc, out, err = run_lake("read", t, "--where", "id BETWEEN 1200 AND 1300", "--explain")
    assert rc == 0, err
    kept = set(json.loads(out)["files"])
    for f in pa.table(DeltaTable(str(t)).get_add_actions(flatten=True)).to_pylist():
        data = pq.read_table(t / f["path"])
        has = pc.any(pc.and_(pc.greater_equal(data["id"], 1200), pc.less_equal(data["id"], 1300))).as_py()
        if has:
            assert f["path"] in kept


def test_metrics_line_on_stderr(run_lake, work_dir):
    src = work_dir / "wide.parquet"
    n = 60_000
    pq.write_table(pa.table({
        "id": pa.array(range(n), pa.int64()),
        "region": pa.array([["eu", "us", "apac"][i % 3] for i in range(n)]),
        "text": pa.array([f"{i:08d}-" + "x" * (i % 200) for i in range(n)]),
    }), src)
    t = work_dir / "t"
    rc, _, err = run_lake("write", t, src, "--partition-by", "region")
    assert rc == 0, err
    rc, out, err = run_lake("read", t, "--where", "region = 'us'", "--columns", "id", "--format", "ndjson", "--metrics")
    assert rc == 0, err
    rows = parse_ndjson(out)
    m = json.loads(err.strip().splitlines()[-1])
    assert m["rowsReturned"] == len(rows) == n // 3
    assert m["filesRead"] == m["filesTotal"] - m["filesPrunedByPartition"] - m["filesSkippedByStats"]
    sizes = {f["path"]: f["size_bytes"] for f in pa.table(DeltaTable(str(t)).get_add_actions(flatten=True)).to_pylist()}
    read = sum(s for p, s in sizes.items() if p.startswith("region=us/"))
    # Only the id column chunks and the footers travel, not whole files.
    assert 0 < m["bytesRead"] < read / 2


@pytest.mark.parametrize("args,code", [
    (["read", "{missing}"], 4),
    (["read", "{t}", "--version", "99"], 4),
    (["read", "{t}", "--columns", "nope"], 2),
    (["read", "{t}", "--where", "id >"], 2),
    (["read", "{t}", "--bogus-flag"], 2),
    (["read", "{t}", "--limit", "-1"], 2),
    (["create", "{t}", "--schema", "id long"], 1),
    (["write", "{t}", "{t}/none.parquet", "--target-file-size", "0"], 2),
])
def test_exit_codes(run_lake, work_dir, args, code):
    t = _partitioned_table(run_lake, work_dir)
    argv = [a.format(t=t, missing=work_dir / "nothing-here") for a in args]
    rc, _, err = run_lake(*argv)
    assert rc == code, err
    assert err.strip(), "an error must say what is wrong"


def test_help_documents_exit_codes(run_lake):
    rc, out, _ = run_lake("--help")
    assert rc == 0
    for text in ["1 error", "2 usage", "3 conflict", "4 not found"]:
        assert text in out.replace("\n", " ").replace("  ", " ")


def test_stats_come_from_the_written_files(run_lake, work_dir):
    src = work_dir / "s.parquet"
    long = "é" * 40
    pq.write_table(pa.table({
        "i": pa.array([5, -(2**62), None, 2**62 + 1], pa.int64()),
        "d": pa.array([1.5, -0.0, float("nan"), None]),
        "f": pa.array([2.5, 1.0, None, -7.25]),
        "s": pa.array(["b", long, None, "a"]),
        "dec": pa.array([None, Decimal("0.01"), Decimal("0.02"), Decimal("0.03")], pa.decimal128(10, 2)),
    }), src)
    t = work_dir / "t"
    rc, _, err = run_lake("write", t, src)
    assert rc == 0, err
    log = [json.loads(l) for l in (t / "_delta_log" / "00000000000000000000.json").read_text().splitlines()]
    (stats,) = [json.loads(a["add"]["stats"]) for a in log if "add" in a]
    assert stats["numRecords"] == 4
    assert stats["minValues"]["i"] == -(2**62) and stats["maxValues"]["i"] == 2**62 + 1
    assert stats["nullCount"] == {"i": 1, "d": 1, "f": 1, "s": 1, "dec": 1}
    # A column holding NaN gets no bounds (NaN sorts above every number).
    assert "d" not in stats["minValues"] and "d" not in stats["maxValues"]
    assert stats["minValues"]["f"] == -7.25 and stats["maxValues"]["f"] == 2.5
    assert stats["minValues"]["s"] == "a"
    assert stats["maxValues"]["s"] == "é" * 32 + "\ufffd"
    assert stats["minValues"]["dec"] == 0.01 and stats["maxValues"]["dec"] == 0.03


def test_write_streams_a_multi_row_group_file(run_lake, work_dir):
    src = work_dir / "big.parquet"
    n = 300_000
    pq.write_table(pa.table({"id": pa.array(range(n), pa.int64()), "s": pa.array([f"v{i % 977}" for i in range(n)])}),
                   src, row_group_size=50_000)
    t = work_dir / "t"
    rc, out, err = run_lake("write", t, src, "--target-file-size", "600000")
    assert rc == 0, err
    dt = DeltaTable(str(t))
    assert len(dt.file_uris()) > 1
    got = dt.to_pyarrow_table().sort_by("id")
    assert got.num_rows == n
    assert got["id"].to_pylist() == list(range(n))
    assert got["s"].to_pylist() == [f"v{i % 977}" for i in range(n)]


def test_deletion_vector_row_indexes_survive_row_group_skipping(run_lake, work_dir):
    """A file of three row groups with a deletion vector: when the stats skip the first two row groups, the
    vector's row indexes must still count every row of the file (Delta's row index), not the rows read."""
    from test_cli_extremes import bitmap_array, field, inline_dv, metadata, protocol, roaring32_arrays, write_log

    t = work_dir / "t"
    t.mkdir()
    import hashlib
    text = [hashlib.sha256(str(i).encode()).hexdigest() * 2 for i in range(3000)]  # incompressible
    pq.write_table(pa.table({"id": pa.array(range(3000), pa.int64()), "s": pa.array(text)}), t / "part-0.parquet",
                   row_group_size=1000)
    deleted = [5, 1500, 2000, 2001, 2999]
    dv = inline_dv(bitmap_array([(0, roaring32_arrays(deleted))]), len(deleted))
    size = (t / "part-0.parquet").stat().st_size
    write_log(t, 0, [protocol(dv=True), metadata([field("id", "long"), field("s", "string")],
                                                  configuration={"delta.enableDeletionVectors": "true"}),
                     {"add": {"path": "part-0.parquet", "partitionValues": {}, "size": size, "modificationTime": 0,
                              "dataChange": True, "deletionVector": dv}}])
    rc, out, err = run_lake("read", t, "--where", "id >= 1990", "--columns", "id", "--format", "ndjson", "--metrics")
    assert rc == 0, err
    got = sorted(r["id"] for r in parse_ndjson(out))
    assert got == [i for i in range(1990, 3000) if i not in deleted]
    # The first row group was skipped and the text column not fetched.
    assert json.loads(err.strip().splitlines()[-1])["bytesRead"] < size * 2 // 3
    rc, out, err = run_lake("read", t, "--format", "ndjson")
    assert rc == 0, err
    rows = parse_ndjson(out)
    assert sorted(r["id"] for r in rows) == [i for i in range(3000) if i not in deleted]
    assert all(r["s"] == text[r["id"]] for r in rows)


def test_create_write_and_checkpoint_print_json(run_lake, tmp_path):
    t = tmp_path / "t"
    rc, out, err = run_lake("create", t, "--schema", "id long, s string", "--json")
    assert rc == 0, err
    assert json.loads(out) == {"table": str(t), "version": 0}
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": pa.array([1, 2, 3], pa.int64()), "s": ["a", "b", "c"]}), src)
    rc, out, err = run_lake("write", t, src, "--json", "--txn-app-id", "app", "--txn-version", "1")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["numOutputRows"] == "3" and doc["numFiles"] == "1" and doc["skipped"] is False
    assert int(doc["numOutputBytes"]) == sum(f.stat().st_size for f in t.glob("*.parquet"))
    rc, out, err = run_lake("write", t, src, "--json", "--txn-app-id", "app", "--txn-version", "1")
    assert rc == 0 and json.loads(out)["skipped"] is True
    rc, out, err = run_lake("checkpoint", t, "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["v2"] is False and doc["sidecars"] == 0
    assert (t / "_delta_log" / "00000000000000000001.checkpoint.parquet").exists()
