"""Deletion vectors lake writes, read by others.

Tables with `delta.enableDeletionVectors=true` are changed by `lake delete`, `lake update` and `lake merge`
(lake marks rows in deletion vectors instead of rewriting files), then read by
- DuckDB's delta extension (delta-kernel-rs), in its own venv;
- an independent replay written here: the JSON/Parquet log replayed by (path, DV id), each DV decoded from
  its Z85 inline text or from its `deletion_vector_<uuid>.bin` file at its offset (size and CRC-32 checked),
  the bitmap parsed with pyroaring, the Parquet files read with pyarrow, the marked rows dropped;
and both must give the rows a Python oracle computes from the inputs and the operations. The golden DV
tables Spark wrote get the same treatment after lake deletes more rows from a copy. deltalake 1.6.6 does
not read deletion vectors: it must refuse such a table rather than misread it.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import struct
import zlib
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pyroaring import BitMap64

from conftest import duckdb_delta_table, parse_ndjson, shared_dir

DV_MAGIC = 1681511377
Z85_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
SCHEMA = "id long, x long, s string, p string"
COLUMNS = ["id", "x", "s", "p"]


# ---------------------------------------------------------------------------------------------------
# The independent replay


def z85_decode(text: str) -> bytes:
    assert len(text) % 5 == 0, f"Z85 text of {len(text)} characters"
    out = bytearray()
    for i in range(0, len(text), 5):
        value = 0
        for ch in text[i:i + 5]:
            value = value * 85 + Z85_ALPHABET.index(ch)
        out += value.to_bytes(4, "big")
    return bytes(out)


def dv_unique_id(dv: dict | None):
    if not dv:
        return None
    offset = dv.get("offset")
    return dv["storageType"] + dv["pathOrInlineDv"] + ("" if offset is None else f"@{offset}")


def dv_bitmap_bytes(root: Path, dv: dict) -> bytes:
    """The serialized RoaringBitmapArray of a descriptor, with the stored file's size and CRC checked."""
    size = dv["sizeInBytes"]
    if dv["storageType"] == "i":
        assert dv.get("offset") is None
        return z85_decode(dv["pathOrInlineDv"])[:size]
    assert dv["storageType"] == "u", f"lake writes only inline and relative DVs, not {dv['storageType']}"
    text = dv["pathOrInlineDv"]
    prefix, uuid = text[:-20], z85_decode(text[-20:]).hex()
    name = f"deletion_vector_{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}.bin"
    raw = (root / prefix / name).read_bytes()
    assert raw[0] == 1, "DV file format version"
    offset = dv["offset"]
    (stored_size,) = struct.unpack(">I", raw[offset:offset + 4])
    assert stored_size == size, f"{name}@{offset}: file says {stored_size} bytes, log says {size}"
    data = raw[offset + 4:offset + 4 + size]
    (crc,) = struct.unpack(">I", raw[offset + 4 + size:offset + 8 + size])
    assert crc == zlib.crc32(data), f"{name}@{offset}: CRC mismatch"
    return data


def dv_rows(root: Path, dv: dict) -> list[int]:
    data = dv_bitmap_bytes(root, dv)
    (magic,) = struct.unpack("<I", data[:4])
    assert magic == DV_MAGIC
    rows = list(BitMap64.deserialize(data[4:]))
    assert len(rows) == dv["cardinality"]
    return rows


def active_files(root: Path) -> tuple[dict, dict]:
    """(metaData, {(path, dv id): add}) after replaying the newest checkpoint and the commits after it."""
    log = root / "_delta_log"
    names = os.listdir(log)
    commits = {int(n[:20]): n for n in names if re.fullmatch(r"\d{20}\.json", n)}
    checkpoints = {int(n[:20]): n for n in names if re.fullmatch(r"\d{20}\.checkpoint\.parquet", n)}
    files: dict = {}
    meta: dict = {}

    def apply(actions):
        nonlocal meta
        for a in actions:
            if a.get("metaData"):
                meta = a["metaData"]
            if a.get("add"):
                add = a["add"]
                files[(add["path"], dv_unique_id(add.get("deletionVector")))] = add
            if a.get("remove"):
                rem = a["remove"]
                files.pop((rem["path"], dv_unique_id(rem.get("deletionVector"))), None)

    def as_dict(m):
        # Parquet maps come back from pyarrow as lists of (key, value) pairs.
        return dict(m) if isinstance(m, list) else m

    start = 0
    if checkpoints:
        cp = max(checkpoints)
        rows = pq.read_table(log / checkpoints[cp]).to_pylist()
        for r in rows:
            if r.get("metaData"):
                r["metaData"]["configuration"] = as_dict(r["metaData"]["configuration"]) or {}
            for kind in ("add", "remove"):
                if r.get(kind):
                    r[kind]["partitionValues"] = as_dict(r[kind].get("partitionValues")) or {}
        apply(rows)
        start = cp + 1
    for v in range(start, max(commits) + 1):
        apply([json.loads(line) for line in (log / commits[v]).read_text().splitlines() if line.strip()])
    return meta, files


ARROW_TYPES = {"long": pa.int64(), "integer": pa.int32(), "string": pa.string(), "double": pa.float64()}


def replay_rows(root: Path) -> list[tuple]:
    """Every live row of the table, as tuples in schema order."""
    return [row for rows in replay_by_file(root).values() for row in rows]


def replay_by_file(root: Path) -> dict[tuple, list[tuple]]:
    """The live rows of each logical file (path, DV id), as tuples in schema order."""
    meta, files = active_files(root)
    schema = json.loads(meta["schemaString"])
    assert meta["configuration"].get("delta.columnMapping.mode", "none") == "none"
    fields = [(f["name"], ARROW_TYPES[f["type"]]) for f in schema["fields"]]
    out: dict[tuple, list[tuple]] = {}
    for key, add in files.items():
        table = pq.read_table(root / unquote(add["path"]))
        n = table.num_rows
        deleted = set(dv_rows(root, add["deletionVector"])) if add.get("deletionVector") else set()
        assert all(0 <= r < n for r in deleted), f"{add['path']}: a DV row past the file's {n} rows"
        stats = json.loads(add["stats"]) if add.get("stats") else {}
        if "numRecords" in stats:
            assert stats["numRecords"] == n, "numRecords is the physical row count"
        keep = pa.array([i not in deleted for i in range(n)])
        table = table.filter(keep)
        columns = []
        for name, typ in fields:
            if name in meta["partitionColumns"]:
                raw = add["partitionValues"].get(name)
                value = None if raw is None else (raw if typ == pa.string() else int(raw))
                columns.append(pa.array([value] * table.num_rows, typ))
            else:
                columns.append(table.column(name).cast(typ))
        out[key] = list(zip(*[c.to_pylist() for c in columns]))
    return out


# ---------------------------------------------------------------------------------------------------
# Helpers


def duckdb_rows(root: Path, tmp: Path, columns: list[str]) -> list[tuple]:
    t = duckdb_delta_table(root, tmp / "duck.parquet")
    return list(zip(*[t.column(c).to_pylist() for c in columns]))


def lake_rows(run_lake, root: Path, columns: list[str]) -> list[tuple]:
    rc, out, err = run_lake("read", root, "--format", "ndjson", "--columns", ",".join(columns))
    assert rc == 0, err
    return [tuple(r[c] for c in columns) for r in parse_ndjson(out)]


def metrics_of(out: str) -> dict:
    """`--json` metrics, counts as ints (lake prints them as Delta's operationMetrics strings)."""
    raw = json.loads(out)
    return {k: int(v) if isinstance(v, str) and v.lstrip("-").isdigit() else v for k, v in raw.items()}


def same(a: list[tuple], b: list[tuple]) -> bool:
    return Counter(a) == Counter(b)


def dv_descriptors(root: Path) -> list[dict]:
    _, files = active_files(root)
    return [a["deletionVector"] for a in files.values() if a.get("deletionVector")]


# ---------------------------------------------------------------------------------------------------
# Tables lake made


def random_rows(rng: random.Random, n: int) -> list[dict]:
    return [{"id": i, "x": None if rng.random() < 0.15 else rng.randint(0, 9),
             "s": rng.choice(["a", "b", "c", None]), "p": rng.choice(["u", "v", "w"])} for i in range(n)]


def as_tuples(rows: list[dict]) -> list[tuple]:
    return [tuple(r[c] for c in COLUMNS) for r in rows]


def to_parquet(rows: list[dict], path: Path) -> Path:
    pq.write_table(pa.table({
        "id": pa.array([r["id"] for r in rows], pa.int64()),
        "x": pa.array([r["x"] for r in rows], pa.int64()),
        "s": pa.array([r["s"] for r in rows], pa.string()),
        "p": pa.array([r["p"] for r in rows], pa.string()),
    }), path)
    return path


@pytest.fixture
def dv_table(run_lake, tmp_path):
    """A DV-enabled table partitioned by p holding 3,000 random rows; returns (root, rows)."""
    rng = random.Random(20261201)
    rows = random_rows(rng, 3000)
    root = tmp_path / "t"
    rc, _, err = run_lake("create", root, "--schema", SCHEMA, "--partition-by", "p",
                          "--property", "delta.enableDeletionVectors=true")
    assert rc == 0, err
    rc, _, err = run_lake("write", root, to_parquet(rows, tmp_path / "in.parquet"))
    assert rc == 0, err
    return root, rows


def check_readers(run_lake, root: Path, tmp: Path, expected: list[tuple]):
    assert same(replay_rows(root), expected), "independent replay (pyarrow + pyroaring)"
    assert same(duckdb_rows(root, tmp, COLUMNS), expected), "DuckDB delta extension"
    assert same(lake_rows(run_lake, root, COLUMNS), expected), "lake read"


def test_create_with_the_property_sets_up_sparks_protocol(dv_table):
    root, _ = dv_table
    first = [json.loads(line) for line in (root / "_delta_log" / f"{0:020d}.json").read_text().splitlines()]
    proto = next(a["protocol"] for a in first if "protocol" in a)
    assert proto == {"minReaderVersion": 3, "minWriterVersion": 7,
                     "readerFeatures": ["deletionVectors"], "writerFeatures": ["deletionVectors"]}


def test_deletes_mark_vectors_inline_in_a_file_and_as_runs_and_read_the_same(run_lake, dv_table, tmp_path):
    root, rows = dv_table
    data_files = sorted(p for p in root.rglob("*.parquet") if "_delta_log" not in p.parts)

    # Two scattered rows: small vectors, inline in the log.
    rc, out, err = run_lake("delete", root, "--where", "id = 17 OR id = 1234", "--json")
    assert rc == 0, err
    m = metrics_of(out)
    assert m["numDeletedRows"] == 2 and m["numCopiedRows"] == 0 and m["numDeletionVectorsAdded"] >= 1
    rows = [r for r in rows if r["id"] not in (17, 1234)]
    assert {d["storageType"] for d in dv_descriptors(root)} == {"i"}
    check_readers(run_lake, root, tmp_path, as_tuples(rows))

    # A third of the rows: vectors too big to inline go to a deletion_vector_<uuid>.bin file, combined with
    # the inline ones where a file had one.
    rc, out, err = run_lake("delete", root, "--where", "id % 3 = 0", "--json")
    assert rc == 0, err
    m = metrics_of(out)
    expected_deleted = sum(1 for r in rows if r["id"] % 3 == 0)
    rows = [r for r in rows if r["id"] % 3 != 0]
    assert m["numDeletedRows"] == expected_deleted and m["numCopiedRows"] == 0
    assert m["numDeletionVectorsUpdated"] >= 1 and m["numAddedFiles"] == 0
    assert "u" in {d["storageType"] for d in dv_descriptors(root)}
    assert list(root.glob("deletion_vector_*.bin"))
    check_readers(run_lake, root, tmp_path, as_tuples(rows))

    # A range of ids: contiguous positions in each file, serialized as run containers.
    rc, out, err = run_lake("delete", root, "--where", "id >= 1000 AND id < 2000", "--json")
    assert rc == 0, err
    rows = [r for r in rows if not (1000 <= r["id"] < 2000)]
    assert metrics_of(out)["numCopiedRows"] == 0
    # The first 32-bit bitmap's cookie (after magic, count and key) says runs (12347) somewhere.
    assert any(dv_bitmap_bytes(root, d)[16:18] == b"\x3b\x30" for d in dv_descriptors(root))
    check_readers(run_lake, root, tmp_path, as_tuples(rows))

    # No data file was rewritten by any delete.
    assert sorted(p for p in root.rglob("*.parquet") if "_delta_log" not in p.parts) == data_files


def test_update_merge_and_whole_file_delete_read_the_same(run_lake, dv_table, tmp_path):
    root, rows = dv_table

    rc, out, err = run_lake("update", root, "--set", "x = x + 100", "--where", "id % 5 = 1", "--json")
    assert rc == 0, err
    m = metrics_of(out)
    assert m["numUpdatedRows"] == sum(1 for r in rows if r["id"] % 5 == 1) and m["numCopiedRows"] == 0
    assert m["numDeletionVectorsAdded"] >= 1
    for r in rows:
        if r["id"] % 5 == 1 and r["x"] is not None:
            r["x"] += 100
    check_readers(run_lake, root, tmp_path, as_tuples(rows))

    # Upsert: 100 existing ids (some moving partition) and 100 new ones.
    rng = random.Random(7)
    source = random_rows(rng, 200)
    for i, r in enumerate(source):
        r["id"] = i * 29 if i < 100 else 5000 + i
    rc, out, err = run_lake("merge", root, to_parquet(source, tmp_path / "src.parquet"),
                            "--on", "target.id = source.id", "--json")
    assert rc == 0, err
    m = metrics_of(out)
    assert m["numTargetRowsUpdated"] == 100 and m["numTargetRowsInserted"] == 100
    assert m["numTargetRowsCopied"] == 0 and m["numTargetDeletionVectorsUpdated"] >= 1
    by_id = {r["id"]: r for r in rows}
    for r in source:
        by_id[r["id"]] = r
    rows = list(by_id.values())
    check_readers(run_lake, root, tmp_path, as_tuples(rows))

    # Every row of partition w: a data predicate (not decided by the partition), so its files are read, and
    # files whose every row goes are removed rather than given a vector.
    rc, out, err = run_lake("delete", root, "--where", "id >= 0 AND p = 'w'", "--json")
    assert rc == 0, err
    m = metrics_of(out)
    assert m["numRemovedFiles"] >= 1 and m["numDeletionVectorsAdded"] == 0
    rows = [r for r in rows if r["p"] != "w"]
    check_readers(run_lake, root, tmp_path, as_tuples(rows))
    _, files = active_files(root)
    assert all(a["partitionValues"]["p"] != "w" for a in files.values())


def test_vectors_in_lakes_checkpoint_read_the_same(run_lake, dv_table, tmp_path):
    root, rows = dv_table
    # Versions 2 to 11: the checkpoint at version 10 holds the vectors of the files' latest logical state.
    for k in range(10):
        rc, _, err = run_lake("delete", root, "--where", f"id = {k * 7 + 3} OR id = {2000 + k * 13}")
        assert rc == 0, err
        rows = [r for r in rows if r["id"] not in (k * 7 + 3, 2000 + k * 13)]
    checkpoint = root / "_delta_log" / f"{10:020d}.checkpoint.parquet"
    assert checkpoint.exists()
    adds = [a for a in pq.read_table(checkpoint).column("add").to_pylist() if a]
    assert any(a.get("deletionVector") for a in adds)
    check_readers(run_lake, root, tmp_path, as_tuples(rows))


def test_deltalake_refuses_rather_than_misreads(run_lake, dv_table):
    deltalake = pytest.importorskip("deltalake")
    root, _ = dv_table
    rc, _, err = run_lake("delete", root, "--where", "id = 3")
    assert rc == 0, err
    with pytest.raises(Exception):
        deltalake.DeltaTable(str(root)).to_pyarrow_table()


# ---------------------------------------------------------------------------------------------------
# Spark's golden DV table, changed by lake


def test_lake_deletes_more_rows_of_a_spark_dv_table(run_lake, tmp_path):
    src = shared_dir() / "corpus" / "delta-golden" / "dv-partitioned-with-checkpoint"
    root = tmp_path / "golden"
    shutil.copytree(src, root)
    columns = ["part", "col1", "col2"]
    before = duckdb_rows(root, tmp_path, columns)
    assert same(replay_rows(root), before), "the replay reads Spark's table as DuckDB does"
    # One row of a file that has Spark's vector and more live rows, so lake's vector must combine with it.
    with_dv = sorted((key, rows) for key, rows in replay_by_file(root).items() if key[1] is not None and len(rows) >= 2)
    assert with_dv, "the golden table has a file with a vector and rows left"
    pick = with_dv[0][1][0][1]

    rc, out, err = run_lake("delete", root, "--where", f"col1 % 4 = 1 OR col1 = {pick}", "--json")
    assert rc == 0, err
    m = metrics_of(out)
    expected = [r for r in before if not (r[1] is not None and (r[1] % 4 == 1 or r[1] == pick))]
    assert m["numDeletedRows"] == len(before) - len(expected) > 0
    assert m["numCopiedRows"] == 0
    assert m["numDeletionVectorsUpdated"] >= 1
    assert same(duckdb_rows(root, tmp_path, columns), expected), "DuckDB delta extension"
    assert same(replay_rows(root), expected), "independent replay"
    assert same(lake_rows(run_lake, root, columns), expected), "lake read"
