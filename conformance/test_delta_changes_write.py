"""Change data lake writes, read through delta-rs's `load_cdf`.

Twin tables with `delta.enableChangeDataFeed=true` start from the same deltalake-written files; the same random
deletes, updates, merges and appends go through deltalake on one and through lake on the other. Then for every
start version, deltalake's `load_cdf` of lake's table must give the same change rows (data columns,
`_change_type`, `_commit_version`) as `load_cdf` of deltalake's own table, and `lake changes` the same rows
again. Tables whose feed is on get `cdc` files from lake's delete, update and merge (checked in the log).
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
from deltalake import DeltaTable, write_deltalake

from conftest import parse_ndjson
from lake_values import table_to_rows

CDF = {"delta.enableChangeDataFeed": "true"}


def keyed(rows) -> Counter:
    return Counter(json.dumps({k: v for k, v in r.items() if k != "_commit_timestamp"}, sort_keys=True) for r in rows)


def load_cdf(path: Path, start: int) -> list[dict]:
    t = pa.table(DeltaTable(str(path)).load_cdf(starting_version=start).read_all())
    rows = table_to_rows(t.select([n for n in t.schema.names if n != "_commit_timestamp"]))
    for r in rows:
        r["_commit_version"] = int(r["_commit_version"])
    return rows


def batch(rng: random.Random, ids: list[int]) -> pa.Table:
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "x": pa.array([rng.choice([None, *range(10)]) for _ in ids], pa.int64()),
        "p": pa.array([rng.choice(["a", "b", "c"]) for _ in ids], pa.string()),
    })


@pytest.mark.parametrize("partitioned", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_change_data_lake_writes_reads_as_delta_rs_own(run_lake, work_dir, seed, partitioned):
    rng = random.Random(5150 + 2 * seed + partitioned)
    theirs, ours = work_dir / "delta_rs", work_dir / "lake"
    part = ["p"] if partitioned else None
    next_id = rng.randint(10, 25)
    write_deltalake(str(theirs), batch(rng, list(range(next_id))), partition_by=part, configuration=CDF)
    write_deltalake(str(theirs), batch(rng, list(range(next_id, next_id + 5))), mode="append", partition_by=part)
    next_id += 5
    shutil.copytree(theirs, ours)
    ops = []
    for step in range(rng.randint(3, 6)):
        op = rng.choice(["delete", "update", "merge", "merge", "append"])
        if op == "delete":
            pred = rng.choice(["x < 3", "x IS NULL", f"id % 3 = {rng.randint(0, 2)}", "p = 'b'"])
            DeltaTable(str(theirs)).delete(pred)
            rc, _, err = run_lake("delete", ours, "--where", pred)
        elif op == "update":
            value, pred = rng.randint(10, 99), rng.choice(["x > 5", "x IS NULL", "p = 'a'", "id < 8"])
            DeltaTable(str(theirs)).update(updates={"x": str(value)}, predicate=pred)
            rc, _, err = run_lake("update", ours, "--set", f"x = {value}", "--where", pred)
        elif op == "merge":
            old = rng.sample(range(next_id), k=rng.randint(1, 5))
            fresh = list(range(next_id, next_id + rng.randint(0, 4)))
            next_id += len(fresh)
            source = batch(rng, old + fresh)
            src = work_dir / f"src{step}.parquet"
            pq.write_table(source, src)
            DeltaTable(str(theirs)).merge(source, "target.id = source.id", source_alias="source", target_alias="target") \
                .when_matched_update_all().when_not_matched_insert_all().execute()
            rc, _, err = run_lake("merge", ours, src, "--on", "target.id = source.id")
        else:
            rows = batch(rng, list(range(next_id, next_id + 3)))
            next_id += 3
            write_deltalake(str(theirs), rows, mode="append", partition_by=part)
            src = work_dir / f"append{step}.parquet"
            pq.write_table(rows, src)
            rc, _, err = run_lake("write", ours, src)
        assert rc == 0, f"{op}: {err}"
        ops.append(op)
        # Both tables move in step (an operation that changes nothing commits nothing in both).
        assert DeltaTable(str(ours)).version() == DeltaTable(str(theirs)).version(), ops

    latest = DeltaTable(str(ours)).version()
    for start in range(0, latest + 1):
        expected = keyed(load_cdf(theirs, start))
        assert keyed(load_cdf(ours, start)) == expected, f"from {start} after {ops}: delta-rs reads lake's change data differently"
        rc, out, err = run_lake("changes", ours, "--from", start, "--format", "ndjson")
        assert rc == 0, err
        assert keyed(parse_ndjson(out)) == expected, f"from {start}: lake reads its own change data differently"
    # lake's changing commits carry change data files.
    for v in range(2, latest + 1):
        actions = [json.loads(line) for line in (ours / "_delta_log" / f"{v:020d}.json").read_text().splitlines()]
        op = next(a["commitInfo"]["operation"] for a in actions if "commitInfo" in a)
        if op in ("DELETE", "UPDATE", "MERGE"):
            assert any("cdc" in a for a in actions), f"version {v} ({op}) has no cdc action"
            for a in actions:
                if "cdc" in a:
                    assert a["cdc"]["path"].startswith("_change_data/") and a["cdc"]["dataChange"] is False
