"""`lake optimize --zorder` against deltalake, DuckDB and an independent skipping oracle.

The tables are built by deltalake (appends of random orders), then Z-ordered by lake:
- deltalake and DuckDB read the same rows as before (multiset), and deltalake's history shows lake's
  OPTIMIZE with `zOrderBy`;
- a range predicate on both columns skips most files afterwards and almost none before: lake's
  `read --explain` counts equal an oracle computed here from deltalake's own view of each file's stats;
- it is incremental: a second run rewrites nothing, and after an append of rows in a narrow band of
  customer_id only the new file and the clustered files whose customer_id range holds one of its rows are
  rewritten (checked from the files' stats, an over-approximation of lake's Z-value rule that must contain it);
- with `--memory-limit`, a table several times the limit is clustered within it: the process's peak resident
  memory (wait4's ru_maxrss of that one process) stays under the limit plus the runtime's baseline, well below
  an unlimited run's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import _lake_bin, duckdb_delta_table, parse_ndjson
from lake_values import table_to_rows

COLUMNS = "customer_id,product_id"
PREDICATE = "customer_id BETWEEN 20000 AND 30000 AND product_id BETWEEN 1000 AND 2000"


def orders(n: int, seed: int, customers: tuple[int, int] = (0, 100_000)) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table({
        "order_id": pa.array(np.arange(n, dtype=np.int64) + seed * 10_000_000),
        "customer_id": pa.array(rng.integers(customers[0], customers[1], n, dtype=np.int64)),
        "product_id": pa.array(rng.integers(0, 10_000, n, dtype=np.int64)),
        "amount": pa.array(np.round(rng.uniform(1, 1000, n), 2)),
        "status": pa.array(["pending", "completed", "cancelled", "refunded"]).take(pa.array(rng.integers(0, 4, n))),
    })


def build(path: Path, appends: int, each: int) -> None:
    for i in range(appends):
        write_deltalake(str(path), orders(each, seed=i + 1), mode="append")


def rows(t: pa.Table) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in table_to_rows(t))


def file_stats(path: Path) -> list[dict]:
    """deltalake's view of each live file: path, min/max of the two columns."""
    adds = pa.table(DeltaTable(str(path)).get_add_actions(flatten=True)).to_pylist()
    out = []
    for a in adds:
        out.append({
            "path": a["path"],
            "cmin": a["min.customer_id"], "cmax": a["max.customer_id"],
            "pmin": a["min.product_id"], "pmax": a["max.product_id"],
        })
    return out


def oracle_skipped(stats: list[dict]) -> int:
    """Files whose stats rule the predicate out."""
    return sum(1 for s in stats if s["cmax"] < 20000 or s["cmin"] > 30000 or s["pmax"] < 1000 or s["pmin"] > 2000)


def explain(run_lake, path: Path) -> dict:
    code, out, err = run_lake("read", path, "--where", PREDICATE, "--explain")
    assert code == 0, err
    return json.loads(out)


def zorder(run_lake, path: Path, *extra: str) -> dict:
    code, out, err = run_lake("optimize", path, "--zorder", COLUMNS, "--json", *extra, timeout=600)
    assert code == 0, err
    return json.loads(out)


def test_zorder_keeps_the_rows_and_makes_the_predicate_skip_most_files(run_lake, tmp_path):
    path = tmp_path / "t"
    build(path, appends=12, each=20_000)
    before_rows = rows(DeltaTable(str(path)).to_pyarrow_table())
    before = explain(run_lake, path)
    assert before["filesSkippedByStats"] == oracle_skipped(file_stats(path))
    assert before["filesSkippedByStats"] <= 1, before

    m = zorder(run_lake, path, "--target-size", "256KB")
    assert int(m["numFilesRemoved"]) == 12 and int(m["numFilesAdded"]) >= 20

    after = explain(run_lake, path)
    stats = file_stats(path)
    assert after["filesTotal"] == len(stats)
    assert after["filesSkippedByStats"] == oracle_skipped(stats)
    fraction_before = before["filesSkippedByStats"] / before["filesTotal"]
    fraction_after = after["filesSkippedByStats"] / after["filesTotal"]
    print(f"files skipped: {fraction_before:.0%} before, {fraction_after:.0%} after the Z-order")
    assert fraction_after >= 0.7, after

    assert rows(DeltaTable(str(path)).to_pyarrow_table()) == before_rows
    assert rows(duckdb_delta_table(path, tmp_path / "duck.parquet")) == before_rows
    # The filtered read returns exactly the matching rows.
    code, out, err = run_lake("read", path, "--where", PREDICATE, "--format", "ndjson")
    assert code == 0, err
    expected = [r for r in table_to_rows(DeltaTable(str(path)).to_pyarrow_table())
                if 20000 <= r["customer_id"] <= 30000 and 1000 <= r["product_id"] <= 2000]
    assert len(parse_ndjson(out)) == len(expected) > 0

    history = DeltaTable(str(path)).history(1)[0]
    assert history["operation"] == "OPTIMIZE"
    assert json.loads(history["operationParameters"]["zOrderBy"]) == ["customer_id", "product_id"]


def test_zorder_is_incremental(run_lake, tmp_path):
    path = tmp_path / "t"
    build(path, appends=8, each=20_000)
    zorder(run_lake, path, "--target-size", "256KB")
    clustered = file_stats(path)
    version = DeltaTable(str(path)).version()

    again = zorder(run_lake, path, "--target-size", "256KB")
    assert int(again["numFilesRemoved"]) == 0 and DeltaTable(str(path)).version() == version

    # New customers in a narrow band: only the files around it can hold their Z-values.
    write_deltalake(str(path), orders(500, seed=77, customers=(40_000, 40_500)), mode="append")
    new_paths = {s["path"] for s in file_stats(path)} - {s["path"] for s in clustered}
    assert len(new_paths) == 1
    before_rows = rows(DeltaTable(str(path)).to_pyarrow_table())
    m = zorder(run_lake, path, "--target-size", "256KB")
    removed = {a["remove"]["path"] for a in last_commit(path) if "remove" in a}
    # A file holding a new row's Z-value has customer_id bounds around it (Z-order is monotone in each
    # column), so the rewritten clustered files all have customer_id ranges meeting [40000, 40500).
    meeting = {s["path"] for s in clustered if s["cmin"] < 40_500 and s["cmax"] >= 40_000}
    assert new_paths <= removed and removed - new_paths <= meeting, (removed, meeting)
    assert len(removed) - 1 < len(clustered) / 2, f"{len(removed)} of {len(clustered) + 1} files rewritten"
    assert int(m["numFilesRemoved"]) == len(removed)
    assert rows(DeltaTable(str(path)).to_pyarrow_table()) == before_rows


def last_commit(path: Path) -> list[dict]:
    log = sorted((path / "_delta_log").glob("*.json"))
    return [json.loads(line) for line in log[-1].read_text().splitlines() if line.strip()]


# Run from a fresh, small interpreter: a child forked from this test process (which holds the tables) would
# count this process's resident pages in its own ru_maxrss.
PEAK_SCRIPT = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
sys.stderr.write(err.decode(errors="replace"))
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_kib(args: list[str]) -> int:
    """Runs lake with `args`; returns the peak resident KiB of that process alone (it must succeed)."""
    proc = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, _lake_bin(), *args], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    code, kib = (int(x) for x in proc.stdout.split())
    assert code == 0, proc.stderr
    return kib


def test_a_table_several_times_the_memory_limit_is_clustered_within_it(run_lake, tmp_path):
    limit_mib = 12
    path = tmp_path / "t"
    build(path, appends=14, each=100_000)
    data = DeltaTable(str(path)).to_pyarrow_table()
    before_rows = data.sort_by("order_id")
    assert data.nbytes > 4 * (limit_mib << 20), f"the table ({data.nbytes >> 20} MiB in memory) must be several times the limit"
    unlimited = tmp_path / "u"
    shutil.copytree(path, unlimited)

    limited_kib = peak_kib(["optimize", str(path), "--zorder", COLUMNS, "--target-size", "4MB", "--memory-limit", f"{limit_mib}MB"])
    unlimited_kib = peak_kib(["optimize", str(unlimited), "--zorder", COLUMNS, "--target-size", "4MB"])
    print(f"peak {limited_kib >> 10} MiB with a {limit_mib} MiB limit, {unlimited_kib >> 10} MiB without")
    # Whatever the limit: the runtime and its libraries (~26 MiB, as `lake info` peaks), one input row group, a
    # row group being gathered and encoded, the spill buffers. The table's rows are several times the limit.
    assert limited_kib < (limit_mib + 80) << 10, f"peak {limited_kib >> 10} MiB"
    assert limited_kib < unlimited_kib * 0.6
    assert DeltaTable(str(path)).to_pyarrow_table().sort_by("order_id").equals(before_rows)
    assert DeltaTable(str(unlimited)).to_pyarrow_table().sort_by("order_id").equals(before_rows)
    # Both are clustered: the predicate skips most files of either.
    for p in (path, unlimited):
        stats = file_stats(p)
        assert oracle_skipped(stats) >= 0.6 * len(stats)
    assert not [d for d in Path(os.environ.get("TMPDIR", "/tmp")).glob("lake-zorder-*")], "scratch files left behind"
