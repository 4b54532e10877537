"""V2 checkpoints with sidecars that lake writes, read by others.

Tables created with `delta.checkpointPolicy=v2` (the `v2Checkpoint` feature, reader 3 / writer 7) get a
UUID-named V2 checkpoint `n.checkpoint.<uuid>.parquet|json` from `lake checkpoint` and from the automatic
checkpoint after commits, with the add and remove actions in Parquet sidecars under `_delta_log/_sidecars/`.
The layout is checked with pyarrow against PROTOCOL.md ("V2 Spec", "Sidecar Files"); then every commit the
checkpoint covers is deleted, so a reader can only rebuild the table from the checkpoint, and
- deltalake (delta-rs, through its DataFusion query engine: its pyarrow dataset path refuses the
  v2Checkpoint reader feature) and
- DuckDB's delta extension (delta-kernel-rs), in its own venv,
must read the rows a Python oracle computes from the inputs. The golden tables Spark wrote with V2
checkpoints take a lake append and a lake V2 checkpoint in a copy and read the same in both peers.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, QueryBuilder

from deltalake.exceptions import DeltaProtocolError

from conftest import duckdb_delta_table, parse_ndjson, shared_dir
from lake_values import table_to_rows

SCHEMA = "id long, name string, p string"


def rows(t: pa.Table, columns) -> Counter:
    return Counter(json.dumps({c: r[c] for c in columns}, sort_keys=True) for r in table_to_rows(t))


def deltalake_rows(path: Path) -> pa.Table:
    dt = DeltaTable(str(path))
    return pa.table(QueryBuilder().register("t", dt).execute("SELECT * FROM t"))


def log_dir(path: Path) -> Path:
    return path / "_delta_log"


def v2_checkpoints(path: Path, version: int) -> list[Path]:
    prefix = f"{version:020d}.checkpoint."
    return sorted(
        p for p in log_dir(path).iterdir()
        if p.name.startswith(prefix) and p.name.count(".") == 3 and p.suffix in (".json", ".parquet")
    )


def delete_commits(path: Path, through: int) -> None:
    for v in range(through + 1):
        (log_dir(path) / f"{v:020d}.json").unlink()


def write_csv(tmp: Path, name: str, data: list[tuple]) -> Path:
    f = tmp / name
    f.write_text("id,name,p\n" + "".join(f"{i},{n},{p}\n" for i, n, p in data))
    return f


def checkpoint_actions(top: Path) -> list[dict]:
    """The actions of a top-level V2 checkpoint file, as dicts keyed by action name (nulls dropped)."""
    if top.suffix == ".json":
        return [json.loads(line) for line in top.read_text().splitlines() if line]
    out = []
    for r in pq.read_table(top).to_pylist():
        present = {k: v for k, v in r.items() if v is not None}
        assert len(present) == 1, f"row of {top.name} holds {sorted(present)}: one action per row"
        out.append(present)
    return out


def check_layout(path: Path, version: int, expected_adds: int) -> None:
    """PROTOCOL.md "V2 Spec": one checkpointMetadata with the version, the non-file actions, sidecar
    references to existing Parquet files under _sidecars/ holding only add/remove, and no file action in the
    top-level file; _last_checkpoint names the checkpoint."""
    tops = v2_checkpoints(path, version)
    assert len(tops) == 1, f"expected one UUID-named checkpoint at {version}: {tops}"
    actions = checkpoint_actions(tops[0])
    kinds = Counter(next(iter(a)) for a in actions)
    assert kinds["checkpointMetadata"] == 1 and kinds["protocol"] == 1 and kinds["metaData"] == 1, kinds
    assert kinds["add"] == 0 and kinds["remove"] == 0, kinds
    meta = next(a["checkpointMetadata"] for a in actions if "checkpointMetadata" in a)
    assert meta["version"] == version
    protocol = next(a["protocol"] for a in actions if "protocol" in a)
    assert "v2Checkpoint" in protocol["readerFeatures"] and "v2Checkpoint" in protocol["writerFeatures"]
    adds = 0
    sidecars = [a["sidecar"] for a in actions if "sidecar" in a]
    assert sidecars, "the file actions must be in sidecars"
    for s in sidecars:
        f = log_dir(path) / "_sidecars" / s["path"]
        assert f.is_file() and f.stat().st_size == s["sizeInBytes"], s
        t = pq.read_table(f)
        assert t.schema.names == ["add", "remove"]
        adds += sum(1 for r in t.to_pylist() if r["add"] is not None)
    assert adds == expected_adds
    hint = json.loads((log_dir(path) / "_last_checkpoint").read_text())
    assert hint["version"] == version and hint["v2Checkpoint"]["path"] == tops[0].name
    assert hint["numOfAddFiles"] == expected_adds


def active_files(path: Path) -> int:
    return len(DeltaTable(str(path)).file_uris())


def expect_peers_read(path: Path, expected: Counter, columns, tmp: Path) -> None:
    # deltalake's pyarrow dataset path refuses the reader feature outright (it does not misread the
    # table); its DataFusion path, used here, reads V2 checkpoints and sidecars.
    with pytest.raises(DeltaProtocolError, match="v2Checkpoint"):
        DeltaTable(str(path)).to_pyarrow_table()
    got = rows(deltalake_rows(path), columns)
    assert got == expected, "deltalake"
    got = rows(duckdb_delta_table(path, tmp / "duckdb.parquet"), columns)
    assert got == expected, "duckdb delta extension"


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_lake_v2_checkpoint_alone_rebuilds_the_table_for_both_peers(run_lake, tmp_path, fmt):
    path = tmp_path / "t"
    code, out, err = run_lake("create", path, "--schema", SCHEMA, "--partition-by", "p", "--property", "delta.checkpointPolicy=v2")
    assert code == 0, err
    protocol = json.loads(next(line for line in (log_dir(path) / f"{0:020d}.json").read_text().splitlines() if '"protocol"' in line))["protocol"]
    assert (protocol["minReaderVersion"], protocol["minWriterVersion"]) == (3, 7)
    assert protocol["readerFeatures"] == ["v2Checkpoint"] and protocol["writerFeatures"] == ["v2Checkpoint"]
    oracle: dict[int, tuple] = {}
    for batch in range(4):
        data = [(batch * 10 + i, f"n{batch}-{i}", "ab"[i % 2]) for i in range(5)]
        code, out, err = run_lake("write", path, write_csv(tmp_path, f"b{batch}.csv", data))
        assert code == 0, err
        oracle.update({i: (i, n, p) for i, n, p in data})
    # A delete rewrites files: the checkpoint then also carries remove tombstones in its sidecars.
    code, out, err = run_lake("delete", path, "--where", "id % 3 = 0")
    assert code == 0, err
    oracle = {k: v for k, v in oracle.items() if k % 3 != 0}
    version = DeltaTable(str(path)).version()
    assert version == 5
    code, out, err = run_lake("checkpoint", path, "--format", fmt)
    assert code == 0, err
    assert "v2 checkpoint written at version 5" in out
    assert v2_checkpoints(path, version)[0].suffix == "." + fmt
    check_layout(path, version, active_files(path))
    delete_commits(path, version)
    expected = Counter(json.dumps({"id": i, "name": n, "p": p}, sort_keys=True) for i, n, p in oracle.values())
    expect_peers_read(path, expected, ["id", "name", "p"], tmp_path)
    code, out, err = run_lake("read", path, "--format", "ndjson")
    assert code == 0, err
    assert Counter(json.dumps({c: r[c] for c in ("id", "name", "p")}, sort_keys=True) for r in parse_ndjson(out)) == expected


def test_the_checkpoint_after_commits_is_v2_and_peers_read_it(run_lake, tmp_path):
    path = tmp_path / "t"
    code, out, err = run_lake(
        "create", path, "--schema", SCHEMA, "--property", "delta.checkpointPolicy=v2", "--property", "delta.checkpointInterval=3")
    assert code == 0, err
    oracle = []
    for batch in range(3):
        data = [(batch * 100 + i, f"x{i}", "q") for i in range(3)]
        code, out, err = run_lake("write", path, write_csv(tmp_path, f"b{batch}.csv", data))
        assert code == 0, err
        oracle += data
    assert not (log_dir(path) / f"{3:020d}.checkpoint.parquet").exists()
    check_layout(path, 3, 3)
    delete_commits(path, 3)
    expected = Counter(json.dumps({"id": i, "name": n, "p": p}, sort_keys=True) for i, n, p in oracle)
    expect_peers_read(path, expected, ["id", "name", "p"], tmp_path)


@pytest.mark.parametrize("golden", ["v2-checkpoint-json", "v2-checkpoint-parquet"])
def test_golden_v2_tables_take_a_lake_append_and_v2_checkpoint(run_lake, tmp_path, golden):
    src = shared_dir() / "corpus" / "delta-golden" / golden
    assert src.is_dir(), f"{src} is missing"
    path = tmp_path / golden
    shutil.copytree(src, path)
    # Both peers read Spark's table alike before lake touches it: that is the baseline.
    before = rows(deltalake_rows(path), ["id"])
    assert rows(duckdb_delta_table(path, tmp_path / "before.parquet"), ["id"]) == before
    assert sum(before.values()) == 10
    f = tmp_path / "more.csv"
    f.write_text("id\n100\n101\n102\n")
    code, out, err = run_lake("write", path, f)
    assert code == 0, err
    code, out, err = run_lake("checkpoint", path)
    assert code == 0, err
    check_layout(path, 3, active_files(path))
    # Spark's checkpoint at 2 and every commit go: only lake's checkpoint can rebuild version 3.
    for p in v2_checkpoints(path, 2):
        p.unlink()
    delete_commits(path, 3)
    expected = before + Counter(json.dumps({"id": i}) for i in (100, 101, 102))
    expect_peers_read(path, expected, ["id"], tmp_path)
