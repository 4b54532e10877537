"""Liquid clustering metadata (Delta's `clustering` writer feature) between lake, deltalake and DuckDB.

- A table lake created with `--cluster-by`, appended to and re-clustered with `lake cluster --by`: deltalake
  and DuckDB's delta extension (delta-kernel-rs) read exactly the rows written (a pyarrow oracle of the
  inputs); deltalake's history shows CREATE TABLE (with `clusterBy`), the WRITEs and CLUSTER BY with Spark's
  parameters; deltalake's protocol shows writer version 7 with `clustering` and `domainMetadata`.
- The commit files hold the `delta.clustering` domain in Spark's shape, written once per change and never
  repeated or dropped by appends; under column mapping it names the physical columns, and deltalake
  (DataFusion reader) and DuckDB still read the rows.
- A table laid out as Spark writes `CREATE TABLE ... CLUSTER BY` is appended to by lake and read by deltalake,
  with its domain unchanged.
- deltalake's own writer against a clustered table: deltalake 1.6.6 refuses append, delete and compaction
  with `CommitFailedError: Unsupported table features required: [DomainMetadata, ClusteredTable]` (the
  issue's "delta-rs cannot write such tables", delta-rs issue #2043), committing and leaving nothing.
- Usage errors exit 2 (partitioned and clustered, unknown or unsortable columns), a missing table 4.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, QueryBuilder, write_deltalake

from conftest import duckdb_delta_table

SCHEMA = "id long, region string, amount double, day date"
COLUMNS = ["id", "region", "amount", "day"]


def batch(start: int, n: int) -> pa.Table:
    import datetime

    ids = list(range(start, start + n))
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "region": pa.array([["eu", "us", "apac"][i % 3] for i in ids]),
        "amount": pa.array([(i * 37 % 101) / 4 for i in ids], pa.float64()),
        "day": pa.array([datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 40) for i in ids], pa.date32()),
    })


def rows_of(table: pa.Table) -> Counter:
    return Counter(tuple(r[c] for c in COLUMNS) for r in table.select(COLUMNS).to_pylist())


def commit_actions(path: Path, version: int) -> list[dict]:
    text = (path / "_delta_log" / f"{version:020d}.json").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def domains_in(actions: list[dict]) -> list[dict]:
    return [a["domainMetadata"] for a in actions if "domainMetadata" in a]


def lake_ok(run_lake, *args) -> str:
    rc, out, err = run_lake(*map(str, args))
    assert rc == 0, f"lake {' '.join(map(str, args))}: exit {rc}: {err}"
    return out


def lake_append(run_lake, table: Path, data: pa.Table, tmp: Path, name: str) -> None:
    f = tmp / f"{name}.parquet"
    pq.write_table(data, f)
    lake_ok(run_lake, "write", table, f)


def clustered_by_lake(run_lake, tmp: Path) -> tuple[Path, Counter]:
    """create --cluster-by amount,id; two appends; cluster --by region; one more append."""
    t = tmp / "t"
    lake_ok(run_lake, "create", t, "--schema", SCHEMA, "--cluster-by", "amount,id")
    inputs = [batch(0, 50), batch(50, 30)]
    lake_append(run_lake, t, inputs[0], tmp, "b0")
    lake_append(run_lake, t, inputs[1], tmp, "b1")
    lake_ok(run_lake, "cluster", t, "--by", "region")
    inputs.append(batch(80, 20))
    lake_append(run_lake, t, inputs[2], tmp, "b2")
    return t, rows_of(pa.concat_tables(inputs))


def test_deltalake_and_duckdb_read_a_lake_clustered_table(run_lake, tmp_path):
    t, oracle = clustered_by_lake(run_lake, tmp_path)
    dt = DeltaTable(str(t))
    assert dt.version() == 4
    assert rows_of(dt.to_pyarrow_table()) == oracle
    assert rows_of(duckdb_delta_table(t, tmp_path / "duck.parquet")) == oracle


def test_deltalake_history_shows_the_clustering_operations(run_lake, tmp_path):
    t, _ = clustered_by_lake(run_lake, tmp_path)
    history = sorted(DeltaTable(str(t)).history(), key=lambda h: h["version"])
    assert [h["operation"] for h in history] == ["CREATE TABLE", "WRITE", "WRITE", "CLUSTER BY", "WRITE"]
    create, cluster = history[0]["operationParameters"], history[3]["operationParameters"]
    assert json.loads(create["clusterBy"]) == ["amount", "id"]
    assert json.loads(create["partitionBy"]) == []
    assert cluster["oldClusteringColumns"] == "amount,id" and cluster["newClusteringColumns"] == "region"


def test_deltalake_protocol_shows_the_clustering_feature(run_lake, tmp_path):
    t, _ = clustered_by_lake(run_lake, tmp_path)
    p = DeltaTable(str(t)).protocol()
    assert p.min_writer_version == 7
    assert {"clustering", "domainMetadata"} <= set(p.writer_features or [])
    assert p.min_reader_version == 1 and not p.reader_features


def test_the_domain_is_written_once_per_change_in_sparks_shape(run_lake, tmp_path):
    t, _ = clustered_by_lake(run_lake, tmp_path)
    assert domains_in(commit_actions(t, 0)) == [{
        "domain": "delta.clustering",
        "configuration": '{"clusteringColumns":[["amount"],["id"]],"domainName":"delta.clustering"}',
        "removed": False,
    }]
    assert [json.loads(d["configuration"])["clusteringColumns"] for d in domains_in(commit_actions(t, 3))] == [[["region"]]]
    for v in (1, 2, 4):
        assert domains_in(commit_actions(t, v)) == []
    # Every file lake wrote has stats for the clustering columns, as the feature requires.
    for v in (1, 2, 4):
        for a in commit_actions(t, v):
            if "add" in a:
                stats = json.loads(a["add"]["stats"])
                assert {"amount", "id", "region"} <= set(stats["minValues"]), stats


def test_lake_info_and_cluster_report_the_columns_as_json(run_lake, tmp_path):
    t, _ = clustered_by_lake(run_lake, tmp_path)
    info = json.loads(lake_ok(run_lake, "info", t, "--json"))
    assert info["clusteringColumns"] == ["region"] and info["partitionColumns"] == []
    out = json.loads(lake_ok(run_lake, "cluster", t, "--none", "--json"))
    assert out == {"version": 5, "changed": True, "clusteringColumns": [], "previousClusteringColumns": ["region"]}
    assert json.loads(lake_ok(run_lake, "info", t, "--json"))["clusteringColumns"] == []
    assert DeltaTable(str(t)).history(1)[0]["operationParameters"] == {"oldClusteringColumns": "region", "newClusteringColumns": ""}


def test_a_column_mapped_clustered_table_records_physical_names_and_reads_everywhere(run_lake, tmp_path):
    t = tmp_path / "mapped"
    lake_ok(run_lake, "create", t, "--schema", SCHEMA, "--cluster-by", "day,region", "--property", "delta.columnMapping.mode=name")
    lake_append(run_lake, t, batch(0, 30), tmp_path, "m0")
    schema = json.loads(next(a["metaData"]["schemaString"] for a in commit_actions(t, 0) if "metaData" in a))
    physical = {f["name"]: f["metadata"]["delta.columnMapping.physicalName"] for f in schema["fields"]}
    [domain] = domains_in(commit_actions(t, 0))
    assert json.loads(domain["configuration"])["clusteringColumns"] == [[physical["day"]], [physical["region"]]]
    assert physical["day"] != "day"
    assert json.loads(lake_ok(run_lake, "info", t, "--json"))["clusteringColumns"] == ["day", "region"]
    # deltalake's to_pyarrow_table() refuses column mapping; its DataFusion reader maps the names.
    read = pa.table(QueryBuilder().register("t", DeltaTable(str(t))).execute("select * from t").read_all())
    assert rows_of(read) == rows_of(batch(0, 30))
    assert rows_of(duckdb_delta_table(t, tmp_path / "duck.parquet")) == rows_of(batch(0, 30))


def test_cluster_none_on_a_table_that_is_not_clustered_commits_nothing(run_lake, tmp_path):
    t = tmp_path / "plain"
    write_deltalake(str(t), batch(0, 5))
    out = json.loads(lake_ok(run_lake, "cluster", t, "--none", "--json"))
    assert out["changed"] is False and out["previousClusteringColumns"] is None
    assert DeltaTable(str(t)).version() == 0
    assert json.loads(lake_ok(run_lake, "info", t, "--json"))["clusteringColumns"] is None


def test_lake_clusters_a_deltalake_table_which_deltalake_still_reads(run_lake, tmp_path):
    t = tmp_path / "plain"
    write_deltalake(str(t), batch(0, 40))
    lake_ok(run_lake, "cluster", t, "--by", "day,amount")
    p = DeltaTable(str(t)).protocol()
    assert p.min_writer_version == 7 and {"clustering", "domainMetadata"} <= set(p.writer_features or [])
    assert rows_of(DeltaTable(str(t)).to_pyarrow_table()) == rows_of(batch(0, 40))
    assert rows_of(duckdb_delta_table(t, tmp_path / "duck.parquet")) == rows_of(batch(0, 40))


SPARK_SCHEMA = json.dumps({"type": "struct", "fields": [
    {"name": n, "type": ty, "nullable": True, "metadata": {}}
    for n, ty in [("id", "long"), ("region", "string"), ("amount", "double"), ("day", "date")]
]}, separators=(",", ":"))
SPARK_DOMAIN = '{"clusteringColumns":[["region"],["day"]],"domainName":"delta.clustering"}'


def spark_clustered_table(path: Path) -> None:
    """Version 0 as Spark 3.5 / Delta 3.2 writes `CREATE TABLE t (...) USING delta CLUSTER BY (region, day)`."""
    (path / "_delta_log").mkdir(parents=True)
    lines = [
        {"commitInfo": {"timestamp": 1733100000000, "operation": "CREATE TABLE", "operationParameters": {
            "partitionBy": "[]", "clusterBy": '["region","day"]', "description": None, "isManaged": "true", "properties": "{}"},
            "isolationLevel": "Serializable", "isBlindAppend": True, "operationMetrics": {},
            "engineInfo": "Apache-Spark/3.5.3 Delta-Lake/3.2.1", "txnId": "5a7c1e0e-8b0b-4bb6-9d3f-0c1d2e3f4a5b"}},
        {"metaData": {"id": "9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", "format": {"provider": "parquet", "options": {}},
                      "schemaString": SPARK_SCHEMA, "partitionColumns": [], "configuration": {}, "createdTime": 1733100000000}},
        {"protocol": {"minReaderVersion": 1, "minWriterVersion": 7, "writerFeatures": ["domainMetadata", "clustering", "appendOnly", "invariants"]}},
        {"domainMetadata": {"domain": "delta.clustering", "configuration": SPARK_DOMAIN, "removed": False}},
    ]
    (path / "_delta_log" / f"{0:020d}.json").write_text("".join(json.dumps(l, separators=(",", ":")) + "\n" for l in lines))


def test_lake_appends_to_a_spark_clustered_table_and_keeps_its_domain(run_lake, tmp_path):
    t = tmp_path / "spark"
    spark_clustered_table(t)
    assert json.loads(lake_ok(run_lake, "info", t, "--json"))["clusteringColumns"] == ["region", "day"]
    lake_append(run_lake, t, batch(0, 25), tmp_path, "a")
    lake_append(run_lake, t, batch(25, 25), tmp_path, "b")
    assert rows_of(DeltaTable(str(t)).to_pyarrow_table()) == rows_of(batch(0, 50))
    assert rows_of(duckdb_delta_table(t, tmp_path / "duck.parquet")) == rows_of(batch(0, 50))
    for v in (1, 2):
        actions = commit_actions(t, v)
        assert domains_in(actions) == [] and not any("protocol" in a or "metaData" in a for a in actions)
    assert json.loads(lake_ok(run_lake, "info", t, "--json"))["clusteringColumns"] == ["region", "day"]
    rc, out, err = run_lake("cluster", t, "--by", "id", "--json")
    assert rc == 0, err
    assert json.loads(out)["previousClusteringColumns"] == ["region", "day"]


@pytest.mark.parametrize("operation", ["append", "delete", "optimize"])
def test_what_deltalakes_writer_does_with_a_clustered_table(run_lake, tmp_path, operation):
    """Evidence for the issue's "delta-rs cannot write such tables" (delta-rs issue #2043): with deltalake
    1.6.6 an append, a delete and a compaction of a lake-clustered table all fail at commit with
    `CommitFailedError: Unsupported table features required: [...]` naming ClusteredTable (and
    DomainMetadata); nothing is committed, no data file is left behind, and the rows are unchanged."""
    t, oracle = clustered_by_lake(run_lake, tmp_path)
    files_before = sorted(p.name for p in t.glob("*.parquet"))
    with pytest.raises(Exception) as refused:
        if operation == "append":
            write_deltalake(str(t), batch(1000, 3), mode="append")
        elif operation == "delete":
            DeltaTable(str(t)).delete("id < 10")
        else:
            DeltaTable(str(t)).optimize.compact()
    message = str(refused.value)
    print(f"deltalake {__import__('deltalake').__version__} {operation}: {type(refused.value).__name__}: {message}")
    assert type(refused.value).__name__ == "CommitFailedError", repr(refused.value)
    assert "Unsupported table features required" in message and "ClusteredTable" in message, message
    assert DeltaTable(str(t)).version() == 4
    assert sorted(p.name for p in t.glob("*.parquet")) == files_before
    assert rows_of(DeltaTable(str(t)).to_pyarrow_table()) == oracle
    assert json.loads(lake_ok(run_lake, "info", t, "--json"))["numRows"] == sum(oracle.values())


@pytest.mark.parametrize("args, words", [
    (["create", "{t}", "--schema", SCHEMA, "--cluster-by", "id", "--partition-by", "region"], ["--partition-by"]),
    (["create", "{t}", "--schema", SCHEMA, "--cluster-by", "nope"], ["nope", "not in the schema"]),
    (["create", "{t}", "--schema", "id long, flag boolean", "--cluster-by", "flag"], ["flag", "cannot order"]),
    (["create", "{t}", "--schema", "a long, b long, c long, d long, e long", "--cluster-by", "a,b,c,d,e"], ["at most 4"]),
    (["cluster", "{t}"], ["--by", "--none"]),
])
def test_bad_clustering_requests_are_usage_errors(run_lake, tmp_path, args, words):
    t = tmp_path / "t"
    rc, out, err = run_lake(*[a.replace("{t}", str(t)) for a in args])
    assert rc == 2, (rc, out, err)
    for w in words:
        assert w in err, err
    assert not (t / "_delta_log").exists()


def test_clustering_a_partitioned_table_is_a_usage_error_and_a_missing_table_not_found(run_lake, tmp_path):
    t = tmp_path / "parted"
    write_deltalake(str(t), batch(0, 6), partition_by=["region"])
    rc, out, err = run_lake("cluster", t, "--by", "id")
    assert rc == 2 and "partitioned" in err, (rc, err)
    assert DeltaTable(str(t)).version() == 0
    rc, out, err = run_lake("cluster", tmp_path / "missing", "--by", "id")
    assert rc == 4, (rc, err)


def test_lake_optimize_clusters_a_clustered_table_by_its_columns(run_lake, tmp_path):
    """`lake optimize` (no --zorder) on a liquid-clustered table clusters by the domain's columns, incrementally;
    deltalake and DuckDB read the same rows, and the commit is Spark's clustered OPTIMIZE."""
    t = tmp_path / "t"
    lake_ok(run_lake, "create", t, "--schema", SCHEMA, "--cluster-by", "amount,id")
    inputs = [batch(i * 200, 200) for i in range(6)]
    for i, data in enumerate(inputs):
        lake_append(run_lake, t, data, tmp_path, f"b{i}")
    oracle = rows_of(pa.concat_tables(inputs))
    m = json.loads(lake_ok(run_lake, "optimize", t, "--target-size", "2KB", "--json"))
    assert int(m["numFilesRemoved"]) == 6 and int(m["numFilesAdded"]) >= 2
    dt = DeltaTable(str(t))
    assert rows_of(dt.to_pyarrow_table()) == oracle
    assert rows_of(duckdb_delta_table(t, tmp_path / "duck.parquet")) == oracle
    actions = commit_actions(t, dt.version())
    info = next(a["commitInfo"] for a in actions if "commitInfo" in a)
    assert info["operation"] == "OPTIMIZE"
    assert json.loads(info["operationParameters"]["clusterBy"]) == ["amount", "id"]
    adds = [a["add"] for a in actions if "add" in a]
    assert adds and all(a["clusteringProvider"] == "liquid" for a in adds)
    assert all(json.loads(a["tags"]["ZCUBE_ZORDER_BY"]) == ["amount", "id"] for a in adds)
    assert not domains_in(actions), "the optimize leaves the clustering domain as it was"
    # A second run has nothing new to cluster.
    again = json.loads(lake_ok(run_lake, "optimize", t, "--json"))
    assert int(again["numFilesRemoved"]) == 0 and DeltaTable(str(t)).version() == dt.version()
