"""`lake maintain`: the nightly job over several tables, one of them broken.

Tables fed by many small appends are compacted (deltalake reads the same rows, with fewer files), get a checkpoint
when at least `delta.checkpointInterval` commits piled up, and are vacuumed with their own retention (fresh files
stay); a broken table is reported, the others are still done, and the exit code is 1. A second run finds nothing
to do: no new commit.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from conftest import parse_ndjson


def small_appends(path: Path, n: int, start: int = 0):
    for i in range(n):
        write_deltalake(str(path), pa.table({"id": pa.array([start + i], pa.int64()), "p": pa.array(["a" if i % 2 else "b"])}),
                        mode="append", partition_by=["p"])


def rows(path: Path) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in DeltaTable(str(path)).to_pyarrow_table().to_pylist())


def test_maintain_compacts_checkpoints_and_vacuums_each_table_and_reports_the_broken_one(run_lake, work_dir):
    root = work_dir / "lakehouse"
    a, b = root / "a", root / "b"
    small_appends(a, 12)
    small_appends(b, 4, start=100)
    broken = root / "c"
    (broken / "_delta_log").mkdir(parents=True)
    (broken / "_delta_log" / "00000000000000000000.json").write_text("not json\n")
    before_a, before_b = rows(a), rows(b)
    files_a = len(DeltaTable(str(a)).file_uris())

    rc, out, err = run_lake("maintain", "--root", root, "--json")
    assert rc == 1, (rc, out, err)
    report = {Path(r["table"]).name: r for r in parse_ndjson(out)}
    assert set(report) == {"a", "b", "c"}
    assert report["a"]["ok"] and report["b"]["ok"] and not report["c"]["ok"]
    assert "1 of 3 tables failed" in err

    assert rows(a) == before_a and rows(b) == before_b
    assert len(DeltaTable(str(a)).file_uris()) == 2 < files_a  # one file per partition
    assert report["a"]["filesCompacted"] == files_a
    # 12 appends + the optimize: a checkpoint was due for a, not for b (4 appends + optimize).
    assert report["a"]["checkpointVersion"] == DeltaTable(str(a)).version()
    assert (a / "_delta_log" / "_last_checkpoint").exists()
    assert report["b"]["checkpointVersion"] is None
    # Fresh removed files are inside the 7-day retention: nothing vacuumed yet.
    assert report["a"]["filesVacuumed"] == 0

    versions = {t: DeltaTable(str(t)).version() for t in (a, b)}
    rc, out, err = run_lake("maintain", a, b)
    assert rc == 0, err
    assert len(out.strip().splitlines()) == 2 and all(": ok:" in line for line in out.splitlines())
    assert {t: DeltaTable(str(t)).version() for t in (a, b)} == versions, "a second run committed something"
