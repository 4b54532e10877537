"""Column-mapped tables (`delta.columnMapping.mode` name and id) that lake writes and changes.

Scenarios:
- tables lake creates (`lake create --property delta.columnMapping.mode=...`, partitioned and not, with a
  nested struct column) and then appends to, deletes from, updates (a partition column too) and merges
  into, read the same in deltalake, in DuckDB's delta extension (delta-kernel-rs) and in lake as the rows
  computed here in Python from the inputs; the log and the data files hold physical names only (Parquet
  columns with field ids, stats and partition values keyed by physical name);
- tables deltalake 1.6.6 creates with column mapping, which lake then changes, read the same in deltalake
  and DuckDB afterwards, and deltalake can append to them again;
- Spark's column-mapped golden tables (structs, arrays, maps), copied, take lake's appends, deletes and
  updates and read the same in deltalake and DuckDB afterwards.

deltalake 1.6.6's `DeltaTable.to_pyarrow_table()` ignores column mapping (it looks the logical names up
in the data files and returns nulls, see test_delta_golden.py); its DataFusion reader (`QueryBuilder`)
maps the names, so that is the deltalake oracle here.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, QueryBuilder, write_deltalake

from conftest import duckdb_delta_table, parse_ndjson, shared_dir
from lake_values import table_to_rows

SCHEMA_TEXT = "id long, region string, x long, info struct<a: string, b: struct<c: int>>"
INFO = pa.struct([("a", pa.string()), ("b", pa.struct([("c", pa.int32())]))])
ARROW_SCHEMA = pa.schema([("id", pa.int64()), ("region", pa.string()), ("x", pa.int64()), ("info", INFO)])
REGIONS = ["EU", "US", "APAC"]


def make_rows(ids, x_of=lambda i: i * 7 % 100):
    """Rows of ARROW_SCHEMA as dicts: x null for every 5th id, info null for every 11th."""
    return [{
        "id": i,
        "region": REGIONS[i % 3],
        "x": None if i % 5 == 4 else x_of(i),
        "info": None if i % 11 == 10 else {"a": f"a{i}", "b": {"c": i * 100}},
    } for i in ids]


def to_parquet(rows, path: Path) -> Path:
    pq.write_table(pa.Table.from_pylist(rows, schema=ARROW_SCHEMA), path)
    return path


def canonical(rows) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in rows)


def expected(rows, schema: pa.Schema = ARROW_SCHEMA) -> Counter:
    return canonical(table_to_rows(pa.Table.from_pylist(rows, schema=schema)))


def rows_by_deltalake(path: Path, columns: list[str]) -> Counter:
    dt = DeltaTable(str(path))
    table = pa.table(QueryBuilder().register("t", dt).execute("select * from t").read_all())
    return canonical(table_to_rows(table.select(columns)))


def rows_by_lake(run_lake, path: Path, columns: list[str]) -> Counter:
    rc, out, err = run_lake("read", path, "--format", "ndjson", "--columns", ",".join(columns))
    assert rc == 0, err
    return canonical(parse_ndjson(out))


def partition_columns(path: Path) -> list[str]:
    return latest_metadata(path)["partitionColumns"]


def check_readers(run_lake, path: Path, tmp: Path, want: Counter, columns: list[str], context: str):
    assert rows_by_lake(run_lake, path, columns) == want, f"{context}: lake"
    assert rows_by_deltalake(path, columns) == want, f"{context}: deltalake"
    # DuckDB 1.5.5's delta extension reads every partition value of a column-mapped table as null, for
    # tables deltalake writes too (the log has the values under the physical names, as Spark writes them):
    # the partition columns must be all null there (so this notices a fix) and the others compare.
    nulls = [c for c in partition_columns(path) if c in columns]
    duck = duckdb_delta_table(path, tmp / "duck.parquet")
    for c in nulls:
        assert duck.column(c).null_count == duck.num_rows, f"{context}: duckdb now reads partition column {c}"
    rest = [c for c in columns if c not in nulls]
    want_rest = Counter()
    for row, n in want.items():
        d = json.loads(row)
        want_rest[json.dumps({c: d[c] for c in rest}, sort_keys=True)] += n
    assert canonical(table_to_rows(duck.select(rest))) == want_rest, f"{context}: duckdb"


def log_actions(path: Path) -> list[dict]:
    out = []
    for f in sorted((path / "_delta_log").glob("*.json")):
        out += [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
    return out


def latest_metadata(path: Path) -> dict:
    return [a["metaData"] for a in log_actions(path) if "metaData" in a][-1]


def mapped_fields(schema: dict) -> list[dict]:
    """Every struct field of a Delta schema JSON, nested ones included."""
    out = []

    def visit(t):
        if isinstance(t, dict) and t.get("type") == "struct":
            for f in t["fields"]:
                out.append(f)
                visit(f["type"])
        elif isinstance(t, dict) and t.get("type") == "array":
            visit(t["elementType"])
        elif isinstance(t, dict) and t.get("type") == "map":
            visit(t["keyType"])
            visit(t["valueType"])

    visit(schema)
    return out


def active_adds(path: Path) -> list[dict]:
    live: dict[str, dict] = {}
    for a in log_actions(path):
        if "add" in a:
            live[a["add"]["path"]] = a["add"]
        elif "remove" in a:
            live.pop(a["remove"]["path"], None)
    return list(live.values())


def stat_keys(obj: dict, prefix: str = "") -> set[str]:
    keys = set()
    for k, v in obj.items():
        keys.add(prefix + k)
        if isinstance(v, dict):
            keys |= stat_keys(v, prefix + k + ".")
    return keys


def check_physical_layout(path: Path, partition_by: list[str]):
    """Data files, stats and partition values of `path` use physical names (with field ids) only."""
    meta = latest_metadata(path)
    schema = json.loads(meta["schemaString"])
    fields = mapped_fields(schema)
    physical = {f["metadata"]["delta.columnMapping.physicalName"]: f for f in fields}
    ids = [f["metadata"]["delta.columnMapping.id"] for f in fields]
    assert len(physical) == len(fields) and len(set(ids)) == len(ids)
    assert int(meta["configuration"]["delta.columnMapping.maxColumnId"]) >= max(ids)
    top = {f["name"]: f["metadata"]["delta.columnMapping.physicalName"] for f in schema["fields"]}
    partition_keys = {top[c] for c in partition_by}
    for add in active_adds(path):
        assert set(add["partitionValues"]) == partition_keys
        stats = json.loads(add["stats"])
        for kind in ("minValues", "maxValues", "nullCount"):
            dotted = stat_keys(stats.get(kind, {}))
            assert all(k.split(".")[-1] in physical for k in dotted), f"{kind} has logical keys: {dotted}"
        file = pq.ParquetFile(path / unquote(add["path"]))
        arrow = file.schema_arrow
        for field in arrow:
            assert field.name in physical, f"{add['path']}: column {field.name} is not a physical name"
            fid = (field.metadata or {}).get(b"PARQUET:field_id")
            assert fid is not None and int(fid) == physical[field.name]["metadata"]["delta.columnMapping.id"]
            if pa.types.is_struct(field.type):
                for child in field.type:
                    assert child.name in physical


def lake_ok(run_lake, *args):
    rc, out, err = run_lake(*args)
    assert rc == 0, f"lake {' '.join(map(str, args[:1]))}: {err}"
    return out


@pytest.mark.parametrize("partitioned", [False, True], ids=["unpartitioned", "partitioned"])
@pytest.mark.parametrize("mode", ["name", "id"])
def test_lake_created_column_mapped_table_reads_the_same_everywhere(run_lake, tmp_path, mode, partitioned):
    table = tmp_path / "t"
    partition_by = ["region"] if partitioned else []
    create = ["create", table, "--schema", SCHEMA_TEXT, "--property", f"delta.columnMapping.mode={mode}"]
    if partitioned:
        create += ["--partition-by", "region"]
    lake_ok(run_lake, *create)
    proto = [a["protocol"] for a in log_actions(table) if "protocol" in a][-1]
    assert (proto["minReaderVersion"], proto["minWriterVersion"]) == (2, 5)
    assert latest_metadata(table)["configuration"]["delta.columnMapping.mode"] == mode

    rows = {r["id"]: r for r in make_rows(range(0, 40))}
    lake_ok(run_lake, "write", table, to_parquet(list(rows.values()), tmp_path / "a.parquet"))
    more = make_rows(range(40, 70))
    lake_ok(run_lake, "write", table, to_parquet(more, tmp_path / "b.parquet"))
    rows.update({r["id"]: r for r in more})
    columns = ARROW_SCHEMA.names
    check_readers(run_lake, table, tmp_path, expected(list(rows.values())), columns, "after appends")

    lake_ok(run_lake, "delete", table, "--where", "x > 80 OR id = 3")
    rows = {i: r for i, r in rows.items() if not (r["x"] is not None and r["x"] > 80) and i != 3}
    check_readers(run_lake, table, tmp_path, expected(list(rows.values())), columns, "after delete")

    lake_ok(run_lake, "update", table, "--set", "x = x + 1000", "--set", "region = 'MOVED'", "--where", "id % 6 = 0")
    for i, r in rows.items():
        if i % 6 == 0:
            r["x"] = None if r["x"] is None else r["x"] + 1000
            r["region"] = "MOVED"
    check_readers(run_lake, table, tmp_path, expected(list(rows.values())), columns, "after update")

    source = make_rows(range(60, 90), x_of=lambda i: -i)
    lake_ok(run_lake, "merge", table, to_parquet(source, tmp_path / "s.parquet"), "--on", "target.id = source.id")
    rows.update({r["id"]: r for r in source})
    check_readers(run_lake, table, tmp_path, expected(list(rows.values())), columns, "after merge")
    check_physical_layout(table, partition_by)


def test_lake_create_with_timestamp_ntz_lists_column_mapping_as_a_feature(run_lake, tmp_path):
    table = tmp_path / "t"
    lake_ok(run_lake, "create", table, "--schema", "id long, ts timestamp_ntz", "--property", "delta.columnMapping.mode=name")
    proto = [a["protocol"] for a in log_actions(table) if "protocol" in a][-1]
    assert proto["minReaderVersion"] == 3 and proto["minWriterVersion"] == 7
    assert "columnMapping" in proto["readerFeatures"] and "columnMapping" in proto["writerFeatures"]
    data = pa.table({"id": pa.array([1, 2], pa.int64()), "ts": pa.array([0, 86_400_000_000], pa.timestamp("us"))})
    pq.write_table(data, tmp_path / "a.parquet")
    lake_ok(run_lake, "write", table, tmp_path / "a.parquet")
    want = canonical(table_to_rows(data))
    check_readers(run_lake, table, tmp_path, want, ["id", "ts"], "timestamp_ntz with column mapping")


@pytest.mark.parametrize("mode", ["name", "id"])
def test_schema_evolution_of_a_column_mapped_table_reads_the_same_everywhere(run_lake, tmp_path, mode):
    table = tmp_path / "t"
    lake_ok(run_lake, "create", table, "--schema", SCHEMA_TEXT, "--property", f"delta.columnMapping.mode={mode}")
    first = make_rows(range(0, 10))
    lake_ok(run_lake, "write", table, to_parquet(first, tmp_path / "a.parquet"))
    wide_schema = ARROW_SCHEMA.append(pa.field("note", pa.string()))
    later = [dict(r, note=f"n{r['id']}") for r in make_rows(range(10, 20))]
    pq.write_table(pa.Table.from_pylist(later, schema=wide_schema), tmp_path / "b.parquet")
    lake_ok(run_lake, "write", table, tmp_path / "b.parquet", "--schema-evolution")
    meta = latest_metadata(table)
    note = [f for f in json.loads(meta["schemaString"])["fields"] if f["name"] == "note"][0]
    assert note["metadata"]["delta.columnMapping.id"] == 8 and meta["configuration"]["delta.columnMapping.maxColumnId"] == "8"
    assert note["metadata"]["delta.columnMapping.physicalName"].startswith("col-")
    want = expected([dict(r, note=None) for r in first] + later, wide_schema)
    check_readers(run_lake, table, tmp_path, want, wide_schema.names, "after schema evolution")
    check_physical_layout(table, [])


@pytest.mark.parametrize("partitioned", [False, True], ids=["unpartitioned", "partitioned"])
@pytest.mark.parametrize("mode", ["name", "id"])
def test_deltalake_column_mapped_table_lake_changes(run_lake, tmp_path, mode, partitioned):
    table = tmp_path / "t"
    partition_by = ["region"] if partitioned else None
    first = make_rows(range(0, 30))
    write_deltalake(str(table), pa.Table.from_pylist(first, schema=ARROW_SCHEMA), partition_by=partition_by,
                    configuration={"delta.columnMapping.mode": mode})
    rows = {r["id"]: r for r in first}
    more = make_rows(range(30, 50))
    lake_ok(run_lake, "write", table, to_parquet(more, tmp_path / "b.parquet"))
    rows.update({r["id"]: r for r in more})
    lake_ok(run_lake, "delete", table, "--where", "id % 4 = 1")
    rows = {i: r for i, r in rows.items() if i % 4 != 1}
    columns = ARROW_SCHEMA.names
    check_readers(run_lake, table, tmp_path, expected(list(rows.values())), columns, "deltalake table after lake")
    check_physical_layout(table, partition_by or [])

    # deltalake takes the table back: its own append on top of lake's commits.
    last = make_rows(range(50, 55))
    write_deltalake(str(table), pa.Table.from_pylist(last, schema=ARROW_SCHEMA), mode="append")
    rows.update({r["id"]: r for r in last})
    check_readers(run_lake, table, tmp_path, expected(list(rows.values())), columns, "after deltalake appended again")


def golden_mapped_tables() -> list[str]:
    return ["table-with-columnmapping-mode-name", "table-with-columnmapping-mode-id"]


@pytest.mark.parametrize("name", golden_mapped_tables())
def test_spark_column_mapped_table_takes_lake_appends_deletes_and_updates(run_lake, tmp_path, name):
    source = shared_dir() / "corpus" / "delta-golden" / name
    assert source.is_dir(), f"{source} is missing"
    table = tmp_path / name
    shutil.copytree(source, table)  # the corpus stays read-only
    original = pa.table(QueryBuilder().register("t", DeltaTable(str(table))).execute("select * from t").read_all())
    assert original.num_rows == 6
    columns = original.schema.names
    # Spark's own rows, appended back by lake through a Parquet file with the logical names.
    pq.write_table(original, tmp_path / "again.parquet")
    lake_ok(run_lake, "write", table, tmp_path / "again.parquet")
    base = table_to_rows(original)
    check_readers(run_lake, table, tmp_path, canonical(base + base), columns, f"{name} after lake's append")

    lake_ok(run_lake, "delete", table, "--where", "IntegerType < 2 OR IntegerType IS NULL")
    kept = [r for r in base if r["IntegerType"] is not None and r["IntegerType"] >= 2]
    assert 0 < len(kept) < len(base)
    check_readers(run_lake, table, tmp_path, canonical(kept + kept), columns, f"{name} after lake's delete")

    lake_ok(run_lake, "update", table, "--set", "StringType = 'changed'", "--set", "LongType = LongType * 10", "--where", "IntegerType = 3")
    for r in kept:
        if r["IntegerType"] == 3:
            r["StringType"], r["LongType"] = "changed", r["LongType"] * 10
    assert any(r["StringType"] == "changed" for r in kept)
    check_readers(run_lake, table, tmp_path, canonical(kept + kept), columns, f"{name} after lake's update")
    # Spark's files were rewritten by lake with Spark's physical names.
    meta_fields = {f["metadata"]["delta.columnMapping.physicalName"] for f in mapped_fields(json.loads(latest_metadata(table)["schemaString"]))}
    for add in active_adds(table):
        names = pq.ParquetFile(table / unquote(add["path"])).schema_arrow.names
        assert set(names) <= meta_fields
