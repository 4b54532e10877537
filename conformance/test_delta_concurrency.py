"""Concurrent writers on one table, as real processes.

- several `lake write` processes and several deltalake `write_deltalake(mode="append")` processes append to
  one table at once: every commit lands exactly once, versions are contiguous, the row count is exact, and
  lake and deltalake read the same rows;
- a `lake write` killed with SIGKILL at random moments leaves the table readable at its last committed
  version (no partial commit visible), and the next writer is not blocked.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

from conftest import _lake_bin, parse_ndjson
from lake_values import table_to_rows

DELTA_WRITER = """
import sys, pyarrow as pa
from deltalake import write_deltalake
path, writer, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    ids = [(writer + 100) * 1_000_000 + i * 100 + r for r in range(5)]
    write_deltalake(path, pa.table({"id": pa.array(ids, pa.int64()), "writer": pa.array([f"d{writer}"] * 5)}), mode="append")
"""


def lake_rows(run_lake, table) -> list[dict]:
    rc, out, err = run_lake("read", table, "--format", "ndjson")
    assert rc == 0, err
    return parse_ndjson(out)


def test_lake_and_deltalake_writers_append_concurrently(run_lake, work_dir):
    table = work_dir / "tbl"
    seed = pa.table({"id": pa.array([0], pa.int64()), "writer": pa.array(["seed"])})
    pq.write_table(seed, work_dir / "seed.parquet")
    rc, _, err = run_lake("write", table, work_dir / "seed.parquet")
    assert rc == 0, err

    lake_writers, lake_commits, delta_writers, delta_commits = 4, 5, 3, 5
    inputs = []
    for w in range(lake_writers):
        for i in range(lake_commits):
            ids = [(w + 10) * 1_000_000 + i * 100 + r for r in range(5)]
            p = work_dir / f"l{w}-{i}.parquet"
            pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "writer": pa.array([f"l{w}"] * 5)}), p)
            inputs.append((w, p))
    procs = []
    for w in range(lake_writers):
        files = " ".join(f'"{p}"' for ww, p in inputs if ww == w)
        procs.append(subprocess.Popen(["bash", "-c", f'for f in {files}; do "{_lake_bin()}" write "{table}" "$f" || exit 1; done'],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for w in range(delta_writers):
        procs.append(subprocess.Popen([sys.executable, "-c", DELTA_WRITER, str(table), str(w), str(delta_commits)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode(errors="replace")[-2000:]

    total_commits = 1 + lake_writers * lake_commits + delta_writers * delta_commits
    log = sorted(f.name for f in (table / "_delta_log").iterdir() if f.name.endswith(".json"))
    assert log == [f"{v:020d}.json" for v in range(total_commits)]
    dt = DeltaTable(str(table))
    assert dt.version() == total_commits - 1
    expected_rows = 1 + 5 * (lake_writers * lake_commits + delta_writers * delta_commits)
    theirs = table_to_rows(dt.to_pyarrow_table())
    ours = lake_rows(run_lake, table)
    assert len(theirs) == expected_rows and len(ours) == expected_rows
    assert len({r["id"] for r in ours}) == expected_rows  # every commit exactly once
    assert Counter(json.dumps(r, sort_keys=True) for r in ours) == Counter(json.dumps(r, sort_keys=True) for r in theirs)


def test_sigkill_leaves_table_readable(run_lake, work_dir):
    table = work_dir / "tbl"
    big = pa.table({"id": pa.array(range(200_000), pa.int64()), "s": pa.array([f"row-{i}" for i in range(200_000)])})
    src = work_dir / "big.parquet"
    pq.write_table(big, src)
    rc, _, err = run_lake("write", table, src, "--target-file-size", "400000")
    assert rc == 0, err
    rng = random.Random(4)
    committed = 1
    for attempt in range(12):
        p = subprocess.Popen([_lake_bin(), "write", str(table), str(src), "--target-file-size", "400000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.6))
        p.send_signal(signal.SIGKILL)
        p.wait()
        versions = sorted(f.name for f in (table / "_delta_log").iterdir() if f.name.endswith(".json"))
        committed = len(versions)
        assert versions == [f"{v:020d}.json" for v in range(committed)]
        rc, out, err = run_lake("info", table, "--json")
        assert rc == 0, err
        info = json.loads(out)
        assert info["version"] == committed - 1
        assert info["numRows"] == 200_000 * committed
        assert DeltaTable(str(table)).version() == committed - 1
    rc, _, err = run_lake("write", table, src)
    assert rc == 0, err
    assert DeltaTable(str(table)).to_pyarrow_table().num_rows == 200_000 * (committed + 1)
