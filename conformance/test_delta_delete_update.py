"""`lake delete` and `lake update` against delta-rs (deltalake) on identical inputs.

Each scenario builds one random Delta table (several files, some of several row groups, nulls, partitioned or
not) with deltalake,
copies it, runs the same DELETE or UPDATE through deltalake on one copy and through lake on the other,
and requires:
- the same rows (as multisets), read back by deltalake from both copies and by lake from its own;
- the same count of deleted / updated rows as deltalake reports;
- lake's commit to say DELETE / UPDATE with Delta's metric names, and no commit when nothing matched.
"""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, WriterProperties, write_deltalake

from conftest import parse_ndjson
from lake_values import table_to_rows

DELETE_METRICS = {"numDeletedRows", "numRemovedFiles", "numAddedFiles", "numCopiedRows", "numDeletionVectorsAdded",
                  "executionTimeMs", "scanTimeMs", "rewriteTimeMs"}
UPDATE_METRICS = {"numUpdatedRows", "numCopiedRows", "numAddedFiles", "numRemovedFiles",
                  "executionTimeMs", "scanTimeMs", "rewriteTimeMs"}

# Atoms both engines parse and type the same way (SQL three-valued logic decides NULL rows).
ATOMS = [
    "x > {i}", "x <= {i}", "x = {i}", "x <> {i}", "x IS NULL", "x IS NOT NULL", "x IN ({i}, {j})",
    "x BETWEEN {i} AND {j}", "y < {f}", "y >= {f}", "y IS NULL", "s = '{c}'", "s <> '{c}'", "s IS NULL",
    "p = '{c}'", "p <> '{c}'", "p IS NULL", "p IN ('{c}', '{d}')", "id % 3 = 0", "id < {k}",
]
LETTERS = ["a", "b", "c", "d"]


def random_table(rng: random.Random, n: int) -> pa.Table:
    def maybe(v, p=0.2):
        return None if rng.random() < p else v
    return pa.table({
        "id": pa.array(list(range(n)), pa.int64()),
        "x": pa.array([maybe(rng.randint(0, 9)) for _ in range(n)], pa.int64()),
        "y": pa.array([maybe(round(rng.uniform(-1, 1), 3)) for _ in range(n)], pa.float64()),
        "s": pa.array([maybe(rng.choice(LETTERS)) for _ in range(n)], pa.string()),
        "p": pa.array([maybe(rng.choice(LETTERS[:3]), 0.15) for _ in range(n)], pa.string()),
    })


def random_predicate(rng: random.Random) -> str:
    def atom() -> str:
        i, j = sorted(rng.sample(range(10), 2))
        c, d = rng.sample(LETTERS, 2)
        a = rng.choice(ATOMS).format(i=i, j=j, f=round(rng.uniform(-1, 1), 2), c=c, d=d, k=rng.randint(0, 60))
        return f"NOT ({a})" if rng.random() < 0.15 else a
    parts = [atom() for _ in range(rng.randint(1, 3))]
    out = parts[0]
    for p in parts[1:]:
        out = f"({out}) {rng.choice(['AND', 'OR'])} ({p})"
    return out


def build_pair(rng: random.Random, root: Path, partitioned: bool) -> tuple[Path, Path]:
    """The same deltalake table twice: several appends (so several files), partitioned by p or not."""
    a, b = root / "delta_rs", root / "lake"
    t = random_table(rng, rng.randint(30, 60))
    chunks = rng.randint(2, 4)
    size = (t.num_rows + chunks - 1) // chunks
    for k in range(chunks):
        part = t.slice(k * size, size)
        if part.num_rows:
            # Every other file has row groups of 5 rows: lake changes files a row group at a time.
            props = WriterProperties(max_row_group_size=5) if k % 2 == 0 else None
            write_deltalake(str(a), part, mode="append", partition_by=["p"] if partitioned else None, writer_properties=props)
    shutil.copytree(a, b)
    return a, b


def rows_by_deltalake(path: Path) -> Counter:
    t = DeltaTable(str(path)).to_pyarrow_table()
    t = t.select(["id", "x", "y", "s", "p"])
    return Counter(json.dumps(r, sort_keys=True) for r in table_to_rows(t))


def rows_by_lake(run_lake, path: Path) -> Counter:
    rc, out, err = run_lake("read", path, "--format", "ndjson", "--columns", "id,x,y,s,p")
    assert rc == 0, err
    return Counter(json.dumps(r, sort_keys=True) for r in parse_ndjson(out))


def last_commit(path: Path) -> tuple[int, dict]:
    logs = sorted((path / "_delta_log").glob("*.json"))
    version = int(logs[-1].stem)
    for line in logs[-1].read_text().splitlines():
        action = json.loads(line)
        if "commitInfo" in action:
            return version, action["commitInfo"]
    raise AssertionError(f"{logs[-1]} has no commitInfo")


def check_same(run_lake, a: Path, b: Path, context: str):
    expected = rows_by_deltalake(a)
    assert rows_by_deltalake(b) == expected, f"{context}: deltalake reads lake's table differently from its own"
    assert rows_by_lake(run_lake, b) == expected, f"{context}: lake reads its table differently"


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("partitioned", [False, True])
def test_random_delete_matches_deltalake(run_lake, work_dir, seed, partitioned):
    rng = random.Random(1000 * seed + partitioned)
    a, b = build_pair(rng, work_dir, partitioned)
    predicate = random_predicate(rng)
    before, _ = last_commit(b)
    ours = DeltaTable(str(a)).delete(predicate)
    rc, out, err = run_lake("delete", b, "--where", predicate, "--json")
    assert rc == 0, err
    metrics = json.loads(out)
    context = f"DELETE WHERE {predicate}"
    assert int(metrics["numDeletedRows"]) == ours["num_deleted_rows"], context
    check_same(run_lake, a, b, context)
    version, info = last_commit(b)
    if ours["num_deleted_rows"] == 0:
        assert version == before, f"{context}: nothing matched but lake committed"
        return
    assert version == before + 1 and metrics["version"] == version
    assert info["operation"] == "DELETE" and json.loads(info["operationParameters"]["predicate"]) == [predicate]
    assert DELETE_METRICS <= set(info["operationMetrics"]), context
    assert info["operationMetrics"]["numDeletedRows"] == str(ours["num_deleted_rows"])


UPDATES = [
    {"x": "x + 1"},
    {"x": "x * 2", "y": "y + 1"},
    {"s": "'z'"},
    {"s": "s", "x": "NULL"},
    {"p": "'c'"},                 # moves rows between partitions
    {"p": "s", "x": "id"},        # partition from another column, nulls included
    {"y": "x", "x": "0"},         # long into double; old x used for y
]


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("partitioned", [False, True])
def test_random_update_matches_deltalake(run_lake, work_dir, seed, partitioned):
    rng = random.Random(7000 + 1000 * seed + partitioned)
    a, b = build_pair(rng, work_dir, partitioned)
    predicate = random_predicate(rng) if rng.random() < 0.85 else None
    updates = rng.choice(UPDATES)
    before, _ = last_commit(b)
    ours = DeltaTable(str(a)).update(updates=updates, predicate=predicate)
    args = ["update", b, "--json"]
    for col, expr in updates.items():
        args += ["--set", f"{col} = {expr}"]
    if predicate is not None:
        args += ["--where", predicate]
    rc, out, err = run_lake(*args)
    assert rc == 0, err
    metrics = json.loads(out)
    context = f"UPDATE SET {updates} WHERE {predicate}"
    assert int(metrics["numUpdatedRows"]) == ours["num_updated_rows"], context
    check_same(run_lake, a, b, context)
    version, info = last_commit(b)
    if ours["num_updated_rows"] == 0:
        assert version == before, f"{context}: nothing matched but lake committed"
        return
    assert version == before + 1
    assert info["operation"] == "UPDATE"
    assert json.loads(info["operationParameters"]["predicate"]) == ([predicate] if predicate else [])
    assert UPDATE_METRICS <= set(info["operationMetrics"]), context


def test_delete_of_a_partition_reads_no_file_and_deltalake_agrees(run_lake, work_dir):
    rng = random.Random(5)
    a, b = build_pair(rng, work_dir, partitioned=True)
    DeltaTable(str(a)).delete("p = 'a'")
    rc, out, err = run_lake("delete", b, "--where", "p = 'a'", "--json")
    assert rc == 0, err
    m = json.loads(out)
    assert m["numAddedFiles"] == "0" and m["numCopiedRows"] == "0"
    check_same(run_lake, a, b, "DELETE WHERE p = 'a'")


def test_bad_requests_exit_2_and_change_nothing(run_lake, work_dir):
    rng = random.Random(9)
    _, b = build_pair(rng, work_dir, partitioned=False)
    before, _ = last_commit(b)
    for args in (["delete", b, "--where", "nosuch = 1"],
                 ["update", b, "--set", "x = DATE '2024-01-01'"],
                 ["update", b, "--set", "nosuch = 1"],
                 ["update", b, "--set", "x"]):
        rc, _, err = run_lake(*args)
        assert rc == 2, (args, err)
        assert err.startswith("lake: ") or "Error" in err
    assert last_commit(b)[0] == before


# ---- Concurrency, as real processes ----

# Appends through `lake write` (blind appends; deltalake's own appends give up when a concurrent commit
# removed files, whatever partition they were in, so they cannot show what lake's delete allows).
APPENDER = """
import subprocess, sys, pyarrow as pa, pyarrow.parquet as pq
lake, path, work, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for i in range(n):
    ids = [1_000_000 + i * 10 + r for r in range(3)]
    f = f"{work}/app-{i}.parquet"
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "p": pa.array(["app"] * 3)}), f)
    subprocess.run([lake, "write", path, f, "--partition-by", "p"], check=True, capture_output=True)
"""


def _ids(run_lake, table: Path) -> Counter:
    rc, out, err = run_lake("read", table, "--format", "ndjson", "--columns", "id")
    assert rc == 0, err
    return Counter(r["id"] for r in parse_ndjson(out))


def test_deletes_racing_appends_to_another_partition_all_commit(run_lake, work_dir, lake_bin):
    import subprocess
    import sys
    table = work_dir / "tbl"
    for k in range(6):
        write_deltalake(str(table), pa.table({"id": pa.array([k * 10 + r for r in range(4)], pa.int64()), "p": pa.array(["del"] * 4)}),
                        mode="append", partition_by=["p"])
    appender = subprocess.Popen([sys.executable, "-c", APPENDER, lake_bin, str(table), str(work_dir), "8"])
    deleted = []
    for k in range(6):
        rc, _, err = run_lake("delete", table, "--where", f"p = 'del' AND id = {k * 10 + 1}")
        assert rc == 0, err  # a blind append elsewhere never conflicts with a delete of 'del' rows
        deleted.append(k * 10 + 1)
    assert appender.wait(timeout=120) == 0
    expected = Counter([k * 10 + r for k in range(6) for r in range(4) if k * 10 + r not in deleted]
                       + [1_000_000 + i * 10 + r for i in range(8) for r in range(3)])
    assert _ids(run_lake, table) == expected
    assert Counter(DeltaTable(str(table)).to_pyarrow_table().column("id").to_pylist()) == expected


def test_deletes_of_the_same_file_at_once_conflict_or_commit_and_stay_consistent(work_dir, lake_bin, run_lake):
    import subprocess
    table = work_dir / "tbl"
    write_deltalake(str(table), pa.table({"id": pa.array(list(range(40)), pa.int64())}))
    alive = Counter(range(40))
    for round_ in range(4):
        targets = [round_ * 10 + w for w in range(3)]
        procs = [subprocess.Popen([lake_bin, "delete", str(table), "--where", f"id = {t}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for t in targets]
        for t, p in zip(targets, procs):
            _, err = p.communicate(timeout=120)
            # Every delete reads and rewrites the table's one file: a loser sees the winner's rewrite (a
            # non-blind add where it read, or the removal of the file it read) and exits 3.
            assert p.returncode in (0, 3), err.decode()
            if p.returncode == 0:
                del alive[t]
            else:
                assert b"commit conflict" in err, err.decode()
        assert _ids(run_lake, table) == alive
        assert Counter(DeltaTable(str(table)).to_pyarrow_table().column("id").to_pylist()) == alive
