"""`lake restore` against delta-rs (deltalake) on identical histories.

Each scenario builds one table with a random history (appends, deletes, updates, an overwrite that may change
the schema) through deltalake, copies it, restores one copy with deltalake's `restore` and the other with
`lake restore`, and requires:
- lake's restored table to read, in deltalake, exactly as deltalake's time-travel read of the old version
  (rows and schema), and as deltalake's own restore of the other copy (rows and the set of data files);
- the restored/removed file counts deltalake reports;
- a RESTORE commit with Spark's metric names.
Then: restore by timestamp, a restore to the current state commits nothing, and a restore whose files were
vacuumed fails naming them (exit 4) with the log unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from lake_values import table_to_rows

RESTORE_METRICS = {"numRestoredFiles", "numRemovedFiles", "restoredFilesSize", "removedFilesSize",
                   "numOfFilesAfterRestore", "tableSizeAfterRestore"}


def rows(t: pa.Table) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in table_to_rows(t))


def random_history(rng: random.Random, path: Path, partitioned: bool) -> int:
    """Writes 4-7 commits through deltalake; returns the latest version."""
    next_id = 0
    wide = False  # whether the table has the extra column w now

    def batch(n: int) -> pa.Table:
        nonlocal next_id
        ids = list(range(next_id, next_id + n))
        next_id += n
        cols = {
            "id": pa.array(ids, pa.int64()),
            "x": pa.array([rng.choice([None, *range(10)]) for _ in ids], pa.int64()),
            "p": pa.array([rng.choice(["a", "b", "c"]) for _ in ids], pa.string()),
        }
        if wide:
            cols["w"] = pa.array([rng.random() for _ in ids], pa.float64())
        return pa.table(cols)

    part = ["p"] if partitioned else None
    write_deltalake(str(path), batch(rng.randint(5, 20)), partition_by=part)
    for _ in range(rng.randint(3, 6)):
        op = rng.choice(["append", "append", "delete", "update", "merge", "overwrite"])
        t = DeltaTable(str(path))
        if op == "append":
            write_deltalake(str(path), batch(rng.randint(1, 10)), mode="append", partition_by=part)
        elif op == "delete":
            t.delete(f"x = {rng.randint(0, 9)}")
        elif op == "update":
            t.update(updates={"x": "x + 100"}, predicate=f"x < {rng.randint(0, 9)}")
        elif op == "merge":
            source = batch(rng.randint(1, 6))
            ids = source.column("id").to_pylist()
            # Half the source keys are existing ids: an upsert that updates and inserts.
            existing = rng.sample(range(next_id - len(ids)), k=min(len(ids) // 2, next_id - len(ids)))
            source = source.set_column(0, "id", pa.array(existing + ids[len(existing):], pa.int64()))
            t.merge(source, "target.id = source.id", source_alias="source", target_alias="target") \
                .when_matched_update_all().when_not_matched_insert_all().execute()
        else:
            wide = rng.random() < 0.5
            write_deltalake(str(path), batch(rng.randint(3, 10)), mode="overwrite", partition_by=part, schema_mode="overwrite")
    return DeltaTable(str(path)).version()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("partitioned", [False, True])
def test_random_restore_matches_deltalake(run_lake, work_dir, seed, partitioned):
    rng = random.Random(7000 + 10 * seed + partitioned)
    history = work_dir / "history"
    latest = random_history(rng, history, partitioned)
    # Every earlier version, each on fresh copies of the history.
    for target in range(latest):
        check_restore(run_lake, history, work_dir / f"to{target}", latest, target)


def check_restore(run_lake, history: Path, work: Path, latest: int, target: int):
    a, b = work / "delta_rs", work / "lake"
    shutil.copytree(history, a)
    shutil.copytree(history, b)
    old = DeltaTable(str(a), version=target).to_pyarrow_table()

    theirs = DeltaTable(str(a)).restore(target)
    rc, out, err = run_lake("restore", b, "--version", target, "--json")
    assert rc == 0, err
    metrics = json.loads(out)
    context = f"restore to {target} of {latest}"
    assert metrics["version"] == latest + 1, context
    assert int(metrics["numRestoredFiles"]) == theirs["numRestoredFile"], context
    assert int(metrics["numRemovedFiles"]) == theirs["numRemovedFile"], context

    restored = DeltaTable(str(b))
    assert restored.version() == latest + 1
    got = restored.to_pyarrow_table()
    assert got.schema.names == old.schema.names, context
    assert rows(got) == rows(old), f"{context}: the restored table does not read as the old version"
    assert rows(DeltaTable(str(a)).to_pyarrow_table()) == rows(old)
    assert sorted(Path(u).name for u in restored.file_uris()) == sorted(Path(u).name for u in DeltaTable(str(a)).file_uris()), \
        f"{context}: lake and deltalake restored different data files"

    info = restored.history(1)[0]
    assert info["operation"] == "RESTORE" and info["operationParameters"]["version"] == str(target)
    assert RESTORE_METRICS <= set(info["operationMetrics"]), context


def test_restore_by_timestamp_picks_the_commit_at_or_before_it(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": pa.array([1, 2], pa.int64())}))
    for i in (3, 4):
        time.sleep(0.05)  # distinct commit times
        write_deltalake(str(path), pa.table({"id": pa.array([i], pa.int64())}), mode="append")
    history = {h["version"]: h["timestamp"] for h in DeltaTable(str(path)).history()}
    assert history[0] < history[1] < history[2]
    # Halfway between versions 1 and 2 (commit files' times may differ from commitInfo's by a ms), as ISO 8601
    # UTC: selects version 1.
    at = dt.datetime.fromtimestamp((history[1] + history[2]) // 2 / 1000, tz=dt.timezone.utc)
    rc, out, err = run_lake("restore", path, "--timestamp", at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z", "--json")
    assert rc == 0, err
    assert json.loads(out)["version"] == 3
    assert rows(DeltaTable(str(path)).to_pyarrow_table()) == rows(DeltaTable(str(path), version=1).to_pyarrow_table())
    # In milliseconds since the epoch, version 0's own time selects version 0.
    rc, out, err = run_lake("restore", path, "--timestamp", str(history[0]), "--json")
    assert rc == 0, err
    assert DeltaTable(str(path)).to_pyarrow_table().column("id").to_pylist() == [1, 2]


def test_restore_to_the_current_state_commits_nothing(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": pa.array([1], pa.int64())}))
    write_deltalake(str(path), pa.table({"id": pa.array([2], pa.int64())}), mode="append")
    rc, out, err = run_lake("restore", path, "--version", "1")
    assert rc == 0, err
    assert "nothing committed" in out
    assert DeltaTable(str(path)).version() == 1


def test_restore_of_vacuumed_files_names_them_and_commits_nothing(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": pa.array([1, 2], pa.int64())}))
    first = DeltaTable(str(path)).file_uris()
    write_deltalake(str(path), pa.table({"id": pa.array([3], pa.int64())}), mode="overwrite")
    DeltaTable(str(path)).vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    before = DeltaTable(str(path)).version()  # vacuum commits VACUUM START / END
    rc, out, err = run_lake("restore", path, "--version", "0")
    assert rc == 4, (rc, out, err)
    assert Path(first[0]).name in err
    assert DeltaTable(str(path)).version() == before
    assert DeltaTable(str(path)).to_pyarrow_table().column("id").to_pylist() == [3]


def test_restore_needs_a_version_or_timestamp(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": pa.array([1], pa.int64())}))
    rc, _, err = run_lake("restore", path)
    assert rc == 2 and "--version" in err
    rc, _, err = run_lake("restore", path, "--version", "9")
    assert rc == 4 and "latest version is 0" in err
