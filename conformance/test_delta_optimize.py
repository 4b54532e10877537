"""`lake optimize` (bin-packing compaction) against deltalake, DuckDB and delta-rs's own compaction.

- tables built with many small appends, by deltalake and by lake, compacted by `lake optimize`: deltalake and
  DuckDB (delta-kernel-rs) read exactly the rows they read before; deltalake's history shows OPTIMIZE and the
  commit's add and remove actions all have dataChange=false;
- the number of files matches delta-rs's `optimize.compact()` on a twin table with the same target size
  where bin-packing has one answer (everything fits one file per partition); with a smaller target lake
  writes at most as many files as delta-rs (lake cuts files at the target while streaming a partition's
  small files; delta-rs writes one file per bin of inputs summing to at most the target, so it never
  writes fewer);
- a second `lake optimize` commits nothing;
- `lake optimize` while another process appends with `lake write` in a loop: every optimize succeeds (the
  appends removed nothing it compacted) and every appended row survives.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import _lake_bin, duckdb_delta_table

PARTS = ["a", "b", "c"]


def batch(start: int, n: int) -> pa.Table:
    ids = list(range(start, start + n))
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "part": pa.array([PARTS[i % len(PARTS)] for i in ids]),
        "v": pa.array([f"value-{i}" for i in ids]),
    })


def rows_of(table: pa.Table) -> Counter:
    cols = ["id", "part", "v"]
    return Counter(tuple(r[c] for c in cols) for r in table.select(cols).to_pylist())


def deltalake_rows(path: Path) -> Counter:
    return rows_of(DeltaTable(str(path)).to_pyarrow_table())


def duckdb_rows(path: Path, tmp: Path) -> Counter:
    return rows_of(duckdb_delta_table(path, tmp / f"duck-{path.name}.parquet"))


def deltalake_small_appends(path: Path, appends: int, rows: int) -> None:
    for i in range(appends):
        write_deltalake(str(path), batch(i * rows, rows), mode="append", partition_by=["part"])


def last_commit_actions(path: Path) -> list[dict]:
    log = sorted((path / "_delta_log").glob("*.json"))[-1]
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def optimize(run_lake, path: Path, *args) -> dict:
    rc, out, err = run_lake("optimize", path, *map(str, args), "--json", timeout=300)
    assert rc == 0, f"lake optimize: {err}"
    return json.loads(out)


def test_deltalake_table_compacted_by_lake_reads_the_same_everywhere(run_lake, tmp_path):
    table = tmp_path / "t"
    deltalake_small_appends(table, appends=24, rows=20)
    before = deltalake_rows(table)
    before_version = DeltaTable(str(table)).version()
    assert len(DeltaTable(str(table)).file_uris()) == 72

    optimize(run_lake, table, "--target-size", "64MB")

    dt = DeltaTable(str(table))
    assert dt.version() == before_version + 1
    assert len(dt.file_uris()) == len(PARTS)
    assert deltalake_rows(table) == before
    assert duckdb_rows(table, tmp_path) == before
    assert dt.history(1)[0]["operation"] == "OPTIMIZE"
    files = [a for a in last_commit_actions(table) if "add" in a or "remove" in a]
    assert sum("remove" in a for a in files) == 72 and sum("add" in a for a in files) == len(PARTS)
    assert all((a.get("add") or a.get("remove"))["dataChange"] is False for a in files)


def test_file_counts_match_delta_rs_compaction_of_a_twin_table(run_lake, tmp_path):
    for target in (64 << 20, None):
        table, twin = tmp_path / f"lake-{target}", tmp_path / f"drs-{target}"
        deltalake_small_appends(table, appends=30, rows=200)
        shutil.copytree(table, twin)
        sizes = [a["add"]["size"] for a in map(json.loads, (table / "_delta_log" / f"{0:020d}.json").read_text().splitlines()) if "add" in a]
        # None: a target of about three input files, so bin-packing splits each partition.
        size = target or 3 * max(sizes)
        optimize(run_lake, table, "--target-size", size)
        DeltaTable(str(twin)).optimize.compact(target_size=size)
        lake_files, drs_files = len(DeltaTable(str(table)).file_uris()), len(DeltaTable(str(twin)).file_uris())
        if target:
            assert lake_files == drs_files == len(PARTS)
        else:
            assert len(PARTS) < lake_files <= drs_files, (lake_files, drs_files)
            print(f"small target {size}: lake {lake_files} files, delta-rs {drs_files}")
        assert deltalake_rows(table) == deltalake_rows(twin)


def test_lake_built_table_compacts_once_and_a_second_run_commits_nothing(run_lake, tmp_path):
    table = tmp_path / "t"
    expected = Counter()
    for i in range(15):
        src = tmp_path / f"b{i}.parquet"
        b = batch(i * 10, 10)
        pq.write_table(b, src)
        expected += rows_of(b)
        args = ["write", table, src] + (["--partition-by", "part"] if i == 0 else [])
        rc, _, err = run_lake(*args)
        assert rc == 0, err
    first = optimize(run_lake, table, "--target-size", "1GiB")
    assert int(first["numFilesRemoved"]) == 45
    assert deltalake_rows(table) == expected
    assert duckdb_rows(table, tmp_path) == expected
    version = DeltaTable(str(table)).version()
    rc, out, err = run_lake("optimize", table, "--target-size", "1GiB")
    assert rc == 0, err
    assert "nothing committed" in out
    assert DeltaTable(str(table)).version() == version


@pytest.mark.parametrize("mode", [[], ["--zorder", "id"]], ids=["compact", "zorder"])
def test_every_row_appended_while_optimizing_survives(run_lake, tmp_path, mode):
    table = tmp_path / "t"
    expected = Counter()
    srcs = []
    for i in range(40):
        src = tmp_path / f"b{i}.parquet"
        b = batch(i * 7, 7)
        pq.write_table(b, src)
        srcs.append(src)
        expected += rows_of(b)
    rc, _, err = run_lake("write", table, srcs[0], "--partition-by", "part")
    assert rc == 0, err
    for src in srcs[1:10]:
        rc, _, err = run_lake("write", table, src)
        assert rc == 0, err
    # The appender: one `lake write` process after another, while optimize runs.
    script = "import subprocess, sys\nfor s in sys.argv[3:]:\n    subprocess.run([sys.argv[1], 'write', sys.argv[2], s], check=True)\n"
    appender = subprocess.Popen(["python3", "-c", script, _lake_bin(), str(table), *map(str, srcs[10:])],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    runs = 0
    while appender.poll() is None or runs < 2:
        optimize(run_lake, table, "--target-size", "64MB", *mode)
        runs += 1
    print(f"{runs} optimize runs beside the appender")
    _, err = appender.communicate(timeout=300)
    assert appender.returncode == 0, err.decode()
    optimize(run_lake, table, "--target-size", "64MB", *mode)
    assert deltalake_rows(table) == expected
    assert duckdb_rows(table, tmp_path) == expected
    ops = [h["operation"] for h in DeltaTable(str(table)).history()]
    assert ops.count("OPTIMIZE") >= 2 and ops.count("WRITE") == 40


def test_where_limits_the_partitions_and_refuses_data_columns(run_lake, tmp_path):
    table = tmp_path / "t"
    deltalake_small_appends(table, appends=6, rows=9)
    before = deltalake_rows(table)
    version = DeltaTable(str(table)).version()
    rc, _, err = run_lake("optimize", table, "--where", "part = 'a' AND id > 3")
    assert rc == 2 and "only partition columns" in err and "id" in err
    rc, _, err = run_lake("optimize", table, "--target-size", "12 parsecs")
    assert rc == 2 and "--target-size" in err
    assert DeltaTable(str(table)).version() == version
    m = optimize(run_lake, table, "--where", "part IN ('a', 'c')", "--target-size", "1MiB")
    assert m["partitionsOptimized"] == "2" and m["numFilesRemoved"] == "12"
    remaining = Counter(Path(u).parent.name for u in DeltaTable(str(table)).file_uris())
    assert remaining == {"part=a": 1, "part=b": 6, "part=c": 1}
    assert deltalake_rows(table) == before
