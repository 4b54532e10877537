"""Concurrent writers on one table, as real processes.

- several `lake write` processes and several deltalake `write_deltalake(mode="append")` processes append to
  one table at once: every commit lands exactly once, versions are contiguous, the row count is exact, and
  lake and deltalake read the same rows;
- a `lake write` killed with SIGKILL at random moments leaves the table readable at its last committed
  version (no partial commit visible), and the next writer is not blocked;
- a `lake delete` or `lake merge` of one partition racing lake and deltalake appends to other partitions:
  everything commits, versions are contiguous, and the table equals the serial outcome (the same under
  every order, since the appends touch other partitions);
- two operations rewriting the same files (lake delete, lake update, lake merge, deltalake delete) started
  together: either both commit (they did not overlap) and the table is one of the two serial outcomes, or
  one fails with a conflict (lake: exit code 3) and the table is the other's outcome alone.

The races start the processes together and assert only what holds under every interleaving, so they do not
depend on timing to pass.
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


# Appends of rows to one partition, by a deltalake process: argv path, region, writer number, commits.
DELTA_PARTITION_APPENDER = """
import sys, pyarrow as pa
from deltalake import write_deltalake
path, region, writer, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    ids = [(writer + 100) * 1_000_000 + i * 100 + r for r in range(5)]
    t = pa.table({"id": pa.array(ids, pa.int64()), "region": pa.array([region] * 5), "v": pa.array([i] * 5, pa.int64())})
    write_deltalake(path, t, mode="append", partition_by=["region"])
"""

# A deltalake delete: argv path, predicate, a file to create once deltalake is imported (so the caller can
# start its rival then, not while Python starts up). Exit code 3 when delta-rs reports a commit conflict.
DELTA_DELETE = """
import sys, pathlib
from deltalake import DeltaTable
pathlib.Path(sys.argv[3]).touch()
try:
    DeltaTable(sys.argv[1]).delete(sys.argv[2])
except Exception as e:
    print(type(e).__name__, e, file=sys.stderr)
    sys.exit(3 if "ommit" in type(e).__name__ or "onflict" in str(e) or "oncurrent" in str(e) else 1)
"""

ROW_KEYS = ("id", "region", "v")


def partitioned_orders(run_lake, work_dir: Path, eu_rows: int = 300_000, files: int = 6) -> Path:
    """A table partitioned by region: `eu_rows` EU rows in `files` files (so a delete or merge there has work
    to do while other writers commit), and a few US rows. v = id % 100."""
    table = work_dir / "orders"
    per = eu_rows // files
    for f in range(files):
        ids = pa.array(range(f * per, (f + 1) * per), pa.int64())
        t = pa.table({"id": ids, "region": pa.array(["EU"] * per), "v": pa.array([i % 100 for i in range(f * per, (f + 1) * per)], pa.int64())})
        p = work_dir / f"eu{f}.parquet"
        pq.write_table(t, p)
        rc, _, err = run_lake("write", table, p, "--partition-by", "region")
        assert rc == 0, err
    us = pa.table({"id": pa.array([-1, -2], pa.int64()), "region": pa.array(["US", "US"]), "v": pa.array([1, 2], pa.int64())})
    pq.write_table(us, work_dir / "us.parquet")
    rc, _, err = run_lake("write", table, work_dir / "us.parquet")
    assert rc == 0, err
    return table


def table_rows(table: Path) -> Counter:
    t = DeltaTable(str(table)).to_pyarrow_table().select(list(ROW_KEYS))
    return Counter(tuple(r[k] for k in ROW_KEYS) for r in t.to_pylist())


def versions_are_contiguous(table: Path) -> int:
    log = sorted(f.name for f in (table / "_delta_log").iterdir() if f.name.endswith(".json"))
    assert log == [f"{v:020d}.json" for v in range(len(log))]
    return len(log)


def appenders(table: Path, work_dir: Path, lake_commits: int = 4, delta_commits: int = 4) -> tuple[list, Counter]:
    """Start a lake process appending to APAC and a deltalake process appending to US; return them and the rows
    they add."""
    added = Counter()
    files = []
    for i in range(lake_commits):
        ids = [2_000_000_000 + i * 100 + r for r in range(5)]
        t = pa.table({"id": pa.array(ids, pa.int64()), "region": pa.array(["APAC"] * 5), "v": pa.array([i] * 5, pa.int64())})
        p = work_dir / f"apac{i}.parquet"
        pq.write_table(t, p)
        files.append(p)
        added.update((x, "APAC", i) for x in ids)
    for i in range(delta_commits):
        added.update(((100 + 7) * 1_000_000 + i * 100 + r, "US", i) for r in range(5))
    loop = " ".join(f'"{p}"' for p in files)
    procs = [
        subprocess.Popen(["bash", "-c", f'for f in {loop}; do "{_lake_bin()}" write "{table}" "$f" || exit 1; done'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen([sys.executable, "-c", DELTA_PARTITION_APPENDER, str(table), "US", "7", str(delta_commits)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
    ]
    return procs, added


def finish(p: subprocess.Popen) -> tuple[int, str]:
    _, err = p.communicate(timeout=300)
    return p.returncode, err.decode(errors="replace")[-2000:]


def test_delete_of_one_partition_racing_appends_to_others_commits_all(run_lake, work_dir):
    table = partitioned_orders(run_lake, work_dir)
    before = table_rows(table)
    commits_before = versions_are_contiguous(table)
    delete = subprocess.Popen([_lake_bin(), "delete", str(table), "--where", "region = 'EU' AND v < 30"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs, added = appenders(table, work_dir)
    rc, err = finish(delete)
    assert rc == 0, err
    for p in procs:
        rc, err = finish(p)
        assert rc == 0, err
    assert versions_are_contiguous(table) == commits_before + 1 + 4 + 4
    expected = Counter({r: n for r, n in before.items() if not (r[1] == "EU" and r[2] < 30)}) + added
    assert table_rows(table) == expected


def test_merge_into_one_partition_racing_appends_to_others_commits_all(run_lake, work_dir):
    table = partitioned_orders(run_lake, work_dir)
    before = table_rows(table)
    commits_before = versions_are_contiguous(table)
    # Upsert into EU: ids 0..999 updated (v = 1000 + id), 1000 new EU ids inserted.
    ids = list(range(0, 1000)) + list(range(10_000_000, 10_001_000))
    source = pa.table({"id": pa.array(ids, pa.int64()), "region": pa.array(["EU"] * len(ids)),
                       "v": pa.array([1000 + i for i in ids], pa.int64())})
    pq.write_table(source, work_dir / "src.parquet")
    merge = subprocess.Popen([_lake_bin(), "merge", str(table), str(work_dir / "src.parquet"),
                              "--on", "target.id = source.id AND target.region = 'EU'"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs, added = appenders(table, work_dir)
    rc, err = finish(merge)
    assert rc == 0, err
    for p in procs:
        rc, err = finish(p)
        assert rc == 0, err
    assert versions_are_contiguous(table) == commits_before + 1 + 4 + 4
    expected = Counter({r: n for r, n in before.items() if not (r[1] == "EU" and r[0] < 1000)}) + added
    expected.update((i, "EU", 1000 + i) for i in ids)
    assert table_rows(table) == expected


def race_on_same_files(run_lake, work_dir, first: list[str], second: list[str], outcome_first, outcome_second):
    """Start two processes that rewrite the same EU files; check the outcome holds under any interleaving.
    `outcome_x(rows)` applies operation x alone to a Counter of rows."""
    table = partitioned_orders(run_lake, work_dir, eu_rows=200_000, files=4)
    before = table_rows(table)
    commits_before = versions_are_contiguous(table)
    ready = work_dir / "ready"
    args = [[x.replace("{table}", str(table)).replace("{ready}", str(ready)) for x in cmd] for cmd in (first, second)]
    # A command that signals readiness ({ready}) starts first; its rival starts once it is ready.
    b = subprocess.Popen(args[1], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if "{ready}" in second:
        deadline = time.monotonic() + 60
        while not ready.exists() and b.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    a = subprocess.Popen(args[0], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    (rc_a, err_a), (rc_b, err_b) = finish(a), finish(b)
    rows = table_rows(table)
    commits = versions_are_contiguous(table)
    assert rc_a in (0, 3) and rc_b in (0, 3), f"first: {rc_a} {err_a}\nsecond: {rc_b} {err_b}"
    assert not (rc_a == 3 and rc_b == 3), f"both failed:\n{err_a}\n{err_b}"
    if rc_a == 0 and rc_b == 0:
        # They did not overlap (one read after the other committed): one of the serial orders.
        assert commits == commits_before + 2
        assert rows in (outcome_second(outcome_first(before)), outcome_first(outcome_second(before)))
    elif rc_a == 0:
        assert commits == commits_before + 1
        assert rows == outcome_first(before), err_b
    else:
        assert commits == commits_before + 1
        assert rows == outcome_second(before), err_a
    # The table reads the same in lake.
    rc, out, err = run_lake("info", table, "--json")
    assert rc == 0, err
    assert json.loads(out)["numRows"] == sum(rows.values())


def delete_eu_below(limit):
    return lambda rows: Counter({r: n for r, n in rows.items() if not (r[1] == "EU" and r[2] is not None and r[2] < limit)})


def add_to_eu(amount):
    def apply(rows):
        out = Counter()
        for r, n in rows.items():
            out[(r[0], r[1], r[2] + amount) if r[1] == "EU" else r] += n
        return out
    return apply


def test_lake_delete_and_lake_update_of_the_same_files_conflict_or_serialize(run_lake, work_dir):
    race_on_same_files(
        run_lake, work_dir,
        [_lake_bin(), "delete", "{table}", "--where", "region = 'EU' AND v < 50"],
        [_lake_bin(), "update", "{table}", "--set", "v = v + 1000", "--where", "region = 'EU'"],
        delete_eu_below(50), add_to_eu(1000))


def test_lake_merge_and_lake_delete_of_the_same_files_conflict_or_serialize(run_lake, work_dir):
    # The merge's by-source clause touches every EU row, so it rewrites every EU file, as the delete does.
    (work_dir / "one.ndjson").write_text('{"id": -100, "region": "EU", "v": 0}\n')
    race_on_same_files(
        run_lake, work_dir,
        [_lake_bin(), "merge", "{table}", str(work_dir / "one.ndjson"), "--on", "target.id = source.id",
         "--clause", "WHEN NOT MATCHED BY SOURCE AND target.region = 'EU' THEN UPDATE SET v = target.v + 1000"],
        [_lake_bin(), "delete", "{table}", "--where", "region = 'EU' AND v < 50"],
        add_to_eu(1000), delete_eu_below(50))


def test_lake_delete_and_deltalake_delete_of_the_same_files_conflict_or_serialize(run_lake, work_dir):
    race_on_same_files(
        run_lake, work_dir,
        [_lake_bin(), "delete", "{table}", "--where", "region = 'EU' AND v < 50"],
        [sys.executable, "-c", DELTA_DELETE, "{table}", "region = 'EU' AND v >= 90", "{ready}"],
        delete_eu_below(50), lambda rows: Counter({r: n for r, n in rows.items() if not (r[1] == "EU" and r[2] >= 90)}))
