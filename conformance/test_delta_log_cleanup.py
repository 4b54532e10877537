"""Expired log cleanup after `lake checkpoint`, checked with deltalake.

A table with 12 commits written by deltalake gets a lake checkpoint; its log files are then aged (os.utime)
past `delta.logRetentionDuration` (30 days) except the two newest commits, and a second `lake checkpoint`
cleans the log: the commits before the checkpoint go, the checkpoint, later commits and
`_last_checkpoint` stay, and deltalake still reads the same rows, at the latest version and by time travel to
the checkpoint's version. With the newest commits inside the retention nothing that rebuilding them needs goes.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from lake_values import table_to_rows

DAY = 24 * 3600


def rows(t: pa.Table) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in table_to_rows(t))


def log(path: Path, v: int, suffix: str = "json") -> Path:
    return path / "_delta_log" / f"{v:020d}.{suffix}"


def history_of(path: Path, n: int) -> None:
    for i in range(n):
        write_deltalake(str(path), pa.table({"id": pa.array([i], pa.int64())}), mode="append")


def age(path: Path, versions, seconds_ago: float) -> None:
    t = time.time() - seconds_ago
    for v in versions:
        for suffix in ("json", "checkpoint.parquet"):
            f = log(path, v, suffix)
            if f.exists():
                os.utime(f, (t, t))


def test_checkpoint_removes_expired_commits_and_deltalake_still_reads(run_lake, tmp_path):
    path = tmp_path / "t"
    history_of(path, 12)
    before = rows(DeltaTable(str(path)).to_pyarrow_table())
    code, out, err = run_lake("checkpoint", path)
    assert code == 0, err
    assert log(path, 11, "checkpoint.parquet").exists()
    write_deltalake(str(path), pa.table({"id": pa.array([12], pa.int64())}), mode="append")
    # Versions 11 and 12 are inside the retention: the checkpoint at 11 is the base they need.
    age(path, range(0, 11), 40 * DAY)
    code, out, err = run_lake("checkpoint", path)
    assert code == 0, err
    assert "removed 11 expired log files before version 11" in out
    assert not any(log(path, v).exists() for v in range(0, 11))
    assert log(path, 11).exists() and log(path, 11, "checkpoint.parquet").exists() and log(path, 12).exists()
    assert (path / "_delta_log" / "_last_checkpoint").exists()
    dt = DeltaTable(str(path))
    assert dt.version() == 12
    assert rows(dt.to_pyarrow_table()) == before + Counter([json.dumps({"id": 12})])
    old = DeltaTable(str(path), version=11)
    assert rows(old.to_pyarrow_table()) == before


def test_commits_needed_by_retained_versions_stay(run_lake, tmp_path):
    path = tmp_path / "t"
    history_of(path, 12)
    code, out, err = run_lake("checkpoint", path)
    assert code == 0, err
    # Versions 5..11 are inside the retention; rebuilding 5 needs commits 0..5 (the only checkpoint is at 11).
    age(path, range(0, 5), 40 * DAY)
    code, out, err = run_lake("checkpoint", path)
    assert code == 0, err
    assert all(log(path, v).exists() for v in range(0, 12))
    assert rows(DeltaTable(str(path), version=5).to_pyarrow_table()) == Counter(json.dumps({"id": i}) for i in range(6))
