"""`lake merge` against delta-rs (deltalake) on identical inputs.

Random scenarios — duplicate-free and duplicated source keys, null keys, conditional clauses of every kind,
not-matched-by-source clauses, partitioned targets written as several files — run through
`DeltaTable.merge(...)` and through `lake merge` on copies of one target table. Both must give the same table
(a multiset of rows, read back with deltalake); when delta-rs refuses an ambiguous merge (several source rows
matching one target row), lake must fail too and leave its table at the version it had.
"""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, WriterProperties, write_deltalake

REGIONS = ["EU", "US", "APAC"]
SCHEMA = pa.schema([("id", pa.int64()), ("region", pa.string()), ("v", pa.int64())])

# Each clause: (lake clause text, function applying it to a deltalake merge builder).
CLAUSES = {
    "update_all": ("WHEN MATCHED THEN UPDATE SET *", lambda m: m.when_matched_update_all()),
    "update_if": (
        "WHEN MATCHED AND source.v > 50 THEN UPDATE SET v = source.v + target.v",
        lambda m: m.when_matched_update(updates={"v": "source.v + target.v"}, predicate="source.v > 50"),
    ),
    "delete_if": ("WHEN MATCHED AND source.v < 20 THEN DELETE", lambda m: m.when_matched_delete(predicate="source.v < 20")),
    "delete": ("WHEN MATCHED THEN DELETE", lambda m: m.when_matched_delete()),
    "insert_all": ("WHEN NOT MATCHED THEN INSERT *", lambda m: m.when_not_matched_insert_all()),
    "insert_if": (
        "WHEN NOT MATCHED AND source.v % 2 = 0 THEN INSERT (id, region, v) VALUES (source.id, source.region, source.v * 10)",
        lambda m: m.when_not_matched_insert(
            updates={"id": "source.id", "region": "source.region", "v": "source.v * 10"}, predicate="source.v % 2 = 0"
        ),
    ),
    "by_source_delete_if": (
        "WHEN NOT MATCHED BY SOURCE AND target.v > 70 THEN DELETE",
        lambda m: m.when_not_matched_by_source_delete(predicate="target.v > 70"),
    ),
    "by_source_update": (
        "WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = target.v + 1000",
        lambda m: m.when_not_matched_by_source_update(updates={"v": "target.v + 1000"}),
    ),
    "by_source_update_if": (
        "WHEN NOT MATCHED BY SOURCE AND target.region = 'EU' THEN UPDATE SET v = 0",
        lambda m: m.when_not_matched_by_source_update(updates={"v": "0"}, predicate="target.region = 'EU'"),
    ),
}

COMBOS = [
    ["update_all", "insert_all"],
    ["delete_if", "update_if", "update_all", "insert_if", "insert_all"],
    ["update_all", "insert_all", "by_source_delete_if", "by_source_update"],
    ["delete"],
    ["insert_all"],
    ["update_if", "by_source_update_if"],
    ["delete_if", "insert_if", "by_source_delete_if"],
]


def rows_of(path: Path) -> Counter:
    t = DeltaTable(str(path)).to_pyarrow_table().select(["id", "region", "v"])
    return Counter(json.dumps(r, sort_keys=True) for r in t.to_pylist())


def make_rows(rng: random.Random, ids: list, consistent_region: bool) -> list[dict]:
    out = []
    for i in ids:
        region = REGIONS[i % 3] if (consistent_region and i is not None) else rng.choice(REGIONS)
        out.append({"id": i, "region": region, "v": rng.randrange(0, 100)})
    return out


def scenario(seed: int, run_lake, work: Path) -> None:
    rng = random.Random(seed)
    partitioned = seed % 2 == 0
    combo = COMBOS[seed % len(COMBOS)]
    duplicates = seed % 5 == 3

    target_ids = rng.sample(range(0, 60), 30)
    if seed % 3 == 0:
        target_ids += [None]
    base = work / "base"
    chunks = [target_ids[i : i + 10] for i in range(0, len(target_ids), 10)]
    for k, chunk in enumerate(chunks):
        rows = make_rows(rng, chunk, partitioned)
        # Some files of several row groups: lake merges a file a row group at a time.
        props = WriterProperties(max_row_group_size=3) if k % 2 == 0 else None
        write_deltalake(str(base), pa.Table.from_pylist(rows, schema=SCHEMA), mode="append",
                        partition_by=["region"] if partitioned else None, writer_properties=props)

    source_ids = rng.sample(range(20, 90), 15)
    if duplicates:
        source_ids += [rng.choice([i for i in source_ids if i in target_ids] or source_ids)]
    if seed % 4 == 1:
        source_ids += [None]
    source = pa.Table.from_pylist(make_rows(rng, source_ids, partitioned), schema=SCHEMA)
    source_file = work / "source.parquet"
    pq.write_table(source, source_file)

    rs, lk = work / "delta_rs", work / "lake"
    shutil.copytree(base, rs)
    shutil.copytree(base, lk)
    version_before = DeltaTable(str(lk)).version()

    builder = DeltaTable(str(rs)).merge(source, predicate="target.id = source.id", source_alias="source", target_alias="target")
    for name in combo:
        builder = CLAUSES[name][1](builder)
    rs_error = None
    rs_metrics = {}
    try:
        rs_metrics = builder.execute()
    except Exception as e:  # delta-rs raises a DeltaError on an ambiguous merge
        rs_error = e

    args = ["merge", lk, source_file, "--on", "target.id = source.id", "--json"]
    for name in combo:
        args += ["--clause", CLAUSES[name][0]]
    rc, out, err = run_lake(*args)
    context = f"seed {seed}, combo {combo}, partitioned {partitioned}, duplicates {duplicates}"
    if rs_error is not None:
        assert rc != 0, f"{context}: delta-rs failed ({rs_error}) but lake succeeded: {out}"
        assert DeltaTable(str(lk)).version() == version_before, context
        assert rows_of(lk) == rows_of(base), context
        return
    assert rc == 0, f"{context}: lake failed: {err}"
    assert rows_of(lk) == rows_of(rs), context
    metrics = json.loads(out)
    assert int(metrics["numSourceRows"]) == source.num_rows, context
    for ours, theirs in [("numTargetRowsInserted", "num_target_rows_inserted"), ("numTargetRowsUpdated", "num_target_rows_updated"),
                         ("numTargetRowsDeleted", "num_target_rows_deleted")]:
        assert int(metrics[ours]) == rs_metrics[theirs], f"{context}: {ours} {metrics[ours]} vs delta-rs {rs_metrics[theirs]}"


@pytest.mark.parametrize("seed", range(28))
def test_merge_matches_delta_rs(seed, run_lake, tmp_path):
    scenario(seed, run_lake, tmp_path)


def test_duplicate_source_rows_matching_one_target_row_fail_in_both(run_lake, tmp_path):
    base = tmp_path / "t"
    write_deltalake(str(base), pa.Table.from_pylist([{"id": 1, "region": "EU", "v": 1}], schema=SCHEMA))
    rs, lk = tmp_path / "rs", tmp_path / "lk"
    shutil.copytree(base, rs)
    shutil.copytree(base, lk)
    source = pa.Table.from_pylist([{"id": 1, "region": "EU", "v": 2}, {"id": 1, "region": "EU", "v": 3}], schema=SCHEMA)
    pq.write_table(source, tmp_path / "s.parquet")
    with pytest.raises(Exception):
        DeltaTable(str(rs)).merge(source, "target.id = source.id", source_alias="source", target_alias="target") \
            .when_matched_update_all().when_not_matched_insert_all().execute()
    rc, _, err = run_lake("merge", lk, tmp_path / "s.parquet", "--on", "target.id = source.id")
    assert rc != 0 and "id = 1" in err
    assert DeltaTable(str(lk)).version() == 0


def test_merge_from_a_table_source_at_a_version(run_lake, tmp_path):
    target, src = tmp_path / "t", tmp_path / "s"
    write_deltalake(str(target), pa.Table.from_pylist([{"id": 1, "region": "EU", "v": 1}], schema=SCHEMA))
    write_deltalake(str(src), pa.Table.from_pylist([{"id": 1, "region": "EU", "v": 5}], schema=SCHEMA))
    write_deltalake(str(src), pa.Table.from_pylist([{"id": 2, "region": "US", "v": 6}], schema=SCHEMA), mode="append")
    rc, out, err = run_lake("merge", target, src, "--on", "target.id = source.id", "--source-version", "0", "--json")
    assert rc == 0, err
    got = sorted(DeltaTable(str(target)).to_pyarrow_table().to_pylist(), key=lambda r: r["id"])
    assert got == [{"id": 1, "region": "EU", "v": 5}]
    assert json.loads(out)["numTargetRowsUpdated"] == "1"


def test_merge_csv_source_parses_with_the_target_types(run_lake, tmp_path):
    target = tmp_path / "t"
    write_deltalake(str(target), pa.Table.from_pylist([{"id": 1, "region": "EU", "v": 1}], schema=SCHEMA))
    csv = tmp_path / "s.csv"
    csv.write_text("id,region,v\n1,EU,7\n3,US,9\n")
    rc, _, err = run_lake("merge", target, csv, "--on", "target.id = source.id")
    assert rc == 0, err
    t = DeltaTable(str(target)).to_pyarrow_table()
    assert t.schema.field("v").type == pa.int64()
    assert sorted(t.to_pylist(), key=lambda r: r["id"]) == [{"id": 1, "region": "EU", "v": 7}, {"id": 3, "region": "US", "v": 9}]
