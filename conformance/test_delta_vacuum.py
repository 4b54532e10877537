"""`lake vacuum` against delta-rs (deltalake) on the same tables.

Each scenario builds a table through deltalake (appends, deletes, overwrites, optimize) and plants files no
commit names, as a failed writer leaves them (at the top level and in partition directories) beside hidden
ones (`_tmp/`, `.staging`), then requires:
- `lake vacuum --dry-run --json` with a 0-hour retention (`--force`) lists exactly the files delta-rs's full
  vacuum dry run lists (`vacuum(retention_hours=0, dry_run=True, enforce_retention_duration=False, full=True)`):
  with the whole history expired both delete every unreferenced, unhidden file;
- a real `lake vacuum` deletes those files and nothing else; afterwards deltalake and DuckDB read the same rows
  as before, and deltalake's history shows VACUUM START and VACUUM END with Delta's metrics;
- the default retention (7 days) deletes nothing from a fresh table, and a shorter one without --force is
  refused (exit 2) with nothing deleted;
- time travel to a version whose files were vacuumed fails with a lake error naming the missing file.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import duckdb_delta_table
from lake_values import table_to_rows


def rows(t: pa.Table) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in table_to_rows(t))


def all_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def build(rng: random.Random, path: Path, partitioned: bool) -> None:
    """A history of 5-8 commits through deltalake, then untracked and hidden files."""
    next_id = 0

    def batch(n: int) -> pa.Table:
        nonlocal next_id
        ids = list(range(next_id, next_id + n))
        next_id += n
        return pa.table({
            "id": pa.array(ids, pa.int64()),
            "x": pa.array([rng.choice([None, *range(10)]) for _ in ids], pa.int64()),
            "p": pa.array([rng.choice(["a", "b", "c d"]) for _ in ids], pa.string()),
        })

    part = ["p"] if partitioned else None
    write_deltalake(str(path), batch(rng.randint(5, 20)), partition_by=part)
    ops = ["append", "delete", "overwrite", "optimize"] + [rng.choice(["append", "delete", "overwrite", "optimize"]) for _ in range(rng.randint(1, 4))]
    for op in ops:
        t = DeltaTable(str(path))
        if op == "append":
            write_deltalake(str(path), batch(rng.randint(1, 10)), mode="append", partition_by=part)
        elif op == "delete":
            t.delete(f"x = {rng.randint(0, 9)}")
        elif op == "overwrite":
            write_deltalake(str(path), batch(rng.randint(3, 12)), mode="overwrite", partition_by=part)
        else:
            write_deltalake(str(path), batch(2), mode="append", partition_by=part)
            DeltaTable(str(path)).optimize.compact()
    for name in ["part-00000-orphan-a.parquet", "orphan-b.txt"]:
        (path / name).write_bytes(b"x" * rng.randint(1, 100))
    if partitioned:
        d = next(p for p in sorted(path.iterdir()) if p.name.startswith("p="))
        (d / "part-00001-orphan-c.parquet").write_bytes(b"y" * 7)
    (path / "_tmp").mkdir(exist_ok=True)
    (path / "_tmp" / "part-hidden.parquet").write_bytes(b"h")
    (path / ".staging.parquet").write_bytes(b"h")


def lake_dry_run(run_lake, path: Path, retain: str = "0h") -> dict:
    code, out, err = run_lake("vacuum", path, "--retain", retain, "--force", "--dry-run", "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("seed", range(6))
def test_dry_run_lists_what_delta_rs_full_vacuum_lists(run_lake, tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "t"
    build(rng, path, partitioned=seed % 2 == 1)
    theirs = DeltaTable(str(path)).vacuum(retention_hours=0, dry_run=True, enforce_retention_duration=False, full=True)
    doc = lake_dry_run(run_lake, path)
    assert doc["dryRun"] is True and doc["retentionMillis"] == 0
    assert sorted(doc["files"]) == sorted(theirs)
    assert int(doc["numFilesToDelete"]) == len(theirs)
    assert int(doc["sizeOfDataToDelete"]) == sum(os.path.getsize(path / f) for f in doc["files"])
    assert not any(f.startswith(("_", ".")) for f in doc["files"])


@pytest.mark.parametrize("seed", range(3))
def test_vacuum_keeps_every_row_for_deltalake_and_duckdb(run_lake, tmp_path, seed):
    rng = random.Random(100 + seed)
    path = tmp_path / "t"
    build(rng, path, partitioned=seed != 1)
    before_files = all_files(path)
    before_rows = rows(DeltaTable(str(path)).to_pyarrow_table())
    version = DeltaTable(str(path)).version()
    planned = set(lake_dry_run(run_lake, path)["files"])
    assert planned, "the scenario must leave something to vacuum"

    code, out, err = run_lake("vacuum", path, "--retain", "0h", "--force", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["startVersion"] == version + 1 and doc["endVersion"] == version + 2
    assert int(doc["numDeletedFiles"]) == len(planned)
    after_files = all_files(path)
    assert before_files - after_files == planned
    # Only the log grew: the two commits (and a checkpoint when one fell due).
    added = after_files - before_files
    assert {f"_delta_log/{v:020d}.json" for v in (version + 1, version + 2)} <= added
    assert all(f.startswith("_delta_log/") for f in added)

    dt = DeltaTable(str(path))
    assert dt.version() == version + 2
    assert rows(dt.to_pyarrow_table()) == before_rows
    assert rows(duckdb_delta_table(path, tmp_path / "duck.parquet")) == before_rows

    history = dt.history(2)
    end, start = history[0], history[1]
    assert start["operation"] == "VACUUM START" and end["operation"] == "VACUUM END"
    assert start["operationParameters"]["retentionCheckEnabled"] == "false"
    assert start["operationParameters"]["specifiedRetentionMillis"] == "0"
    assert start["operationParameters"]["defaultRetentionMillis"] == str(7 * 24 * 3600 * 1000)
    assert start["operationMetrics"]["numFilesToDelete"] == str(len(planned))
    assert end["operationParameters"]["status"] == "COMPLETED"
    assert end["operationMetrics"]["numDeletedFiles"] == str(len(planned))

    # Nothing is left to vacuum, for lake or for delta-rs (whose dry run also names expired tombstones whose
    # files are already gone); a second run commits nothing.
    theirs = DeltaTable(str(path)).vacuum(retention_hours=0, dry_run=True, enforce_retention_duration=False, full=True)
    assert [f for f in theirs if (path / f).exists()] == []
    code, out, err = run_lake("vacuum", path, "--retain", "0h", "--force", "--json")
    assert code == 0, err
    assert json.loads(out)["endVersion"] is None and DeltaTable(str(path)).version() == version + 2


def test_default_retention_keeps_fresh_files_and_a_short_one_needs_force(run_lake, tmp_path):
    path = tmp_path / "t"
    build(random.Random(7), path, partitioned=False)
    before = all_files(path)
    code, out, err = run_lake("vacuum", path, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert int(doc["numDeletedFiles"]) == 0 and doc["retentionMillis"] == 7 * 24 * 3600 * 1000
    assert all_files(path) == before
    code, out, err = run_lake("vacuum", path, "--retain", "1h")
    assert code == 2 and "--force" in err
    assert all_files(path) == before
    code, out, err = run_lake("vacuum", path, "--retain", "seven days")
    assert code == 2


def test_text_dry_run_prints_files_and_bytes(run_lake, tmp_path):
    path = tmp_path / "t"
    build(random.Random(8), path, partitioned=False)
    doc = lake_dry_run(run_lake, path)
    code, out, err = run_lake("vacuum", path, "--retain", "0h", "--force", "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:-1] == doc["files"]
    assert f"{doc['numFilesToDelete']} files, {doc['sizeOfDataToDelete']} bytes" in lines[-1]


def test_time_travel_to_a_vacuumed_version_fails_naming_the_file(run_lake, tmp_path):
    path = tmp_path / "t"
    write_deltalake(str(path), pa.table({"id": pa.array([1, 2, 3], pa.int64())}))
    v0_file = DeltaTable(str(path)).file_uris()[0].rsplit("/", 1)[-1]
    write_deltalake(str(path), pa.table({"id": pa.array([4], pa.int64())}), mode="overwrite")
    code, out, err = run_lake("vacuum", path, "--retain", "0h", "--force")
    assert code == 0, err
    assert not (path / v0_file).exists()
    code, out, err = run_lake("read", path, "--version", "0")
    assert code in (1, 4), (code, out, err)
    assert v0_file in err
    code, out, err = run_lake("read", path)
    assert code == 0, err
