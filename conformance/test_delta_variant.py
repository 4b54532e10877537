"""Delta tables with `variant` columns (reader feature variantType / variantType-preview), read by `lake read`.

lake reads a variant as the struct of its `metadata` and `value` binaries (as Arrow and delta-rs expose
it), at the top level and inside structs, arrays and maps; NDJSON prints the binaries as base64. Oracles:
deltalake (the same struct, row for row) and DuckDB's delta extension, which decodes variants itself:
its `CAST(v AS JSON)` must equal the binaries lake returns, decoded by variant_values (a decoder written
from the spec). Writing to such a table fails with a clear error: lake does not write variants.
"""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from conftest import DUCKDB_DELTA_PY, HERE, parse_ndjson, shared_dir
from lake_values import table_to_rows
from variant_values import decode

GOLDEN = "spark-variant-checkpoint"


def golden_root() -> Path:
    return shared_dir() / "corpus" / "delta-golden" / GOLDEN


def canon(rows) -> Counter:
    return Counter(json.dumps(r, sort_keys=True) for r in rows)


def lake_rows(run_lake, root: Path) -> list[dict]:
    rc, out, err = run_lake("read", root, "--format", "ndjson", timeout=300)
    assert rc == 0, f"lake read {root.name}: {err}"
    return parse_ndjson(out)


def duckdb_json_rows(root: Path, out: Path) -> list[dict]:
    """DuckDB's delta_scan of the table, every column as parsed JSON."""
    assert DUCKDB_DELTA_PY.exists(), f"{DUCKDB_DELTA_PY} is missing: run tools/test once (it creates it)"
    proc = subprocess.run([str(DUCKDB_DELTA_PY), str(HERE / "duckdb_delta" / "scan_json.py"), str(root), str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = []
    for line in out.read_text().splitlines():
        rows.append({k: None if v is None else json.loads(v) for k, v in json.loads(line).items()})
    return rows


def delta_schema(root: Path) -> list[dict]:
    """The table's schema fields as in the log's schemaString."""
    for p in sorted((root / "_delta_log").glob("*.json")):
        for line in p.read_text().splitlines():
            a = json.loads(line)
            if "metaData" in a:
                return json.loads(a["metaData"]["schemaString"])["fields"]
    raise AssertionError("no metaData in the log")


def as_json_value(value, dtype):
    """A value of lake's NDJSON, of Delta type `dtype`, in the shape DuckDB's JSON gives it: variants
    decoded from their base64 binaries, maps as objects."""
    if value is None:
        return None
    if dtype == "variant":
        assert list(value) == ["metadata", "value"], f"a variant prints as {{metadata, value}}, got {list(value)}"
        return json_ready(decode(base64.b64decode(value["metadata"]), base64.b64decode(value["value"])))
    if isinstance(dtype, dict):
        kind = dtype["type"]
        if kind == "struct":
            return {f["name"]: as_json_value(value.get(f["name"]), f["type"]) for f in dtype["fields"]}
        if kind == "array":
            return [as_json_value(v, dtype["elementType"]) for v in value]
        if kind == "map":
            return {str(e["key"]): as_json_value(e["value"], dtype["valueType"]) for e in value}
    return value


def json_ready(v):
    """Decoded variant values as JSON gives them (DuckDB prints decimals as numbers)."""
    if isinstance(v, dict):
        return {k: json_ready(x) for k, x in v.items()}
    if isinstance(v, list):
        return [json_ready(x) for x in v]
    if hasattr(v, "as_tuple"):
        return float(v)
    return v


# --------------------------------------------------------------------------- the golden table


def test_golden_variant_table_matches_deltalake(run_lake):
    expected = table_to_rows(DeltaTable(str(golden_root())).to_pyarrow_table())
    got = lake_rows(run_lake, golden_root())
    assert len(got) == len(expected) == 102
    assert canon(got) == canon(expected)


def test_golden_variant_table_matches_duckdb_json(run_lake, tmp_path):
    fields = delta_schema(golden_root())
    duck = duckdb_json_rows(golden_root(), tmp_path / "duck.ndjson")
    got = [{f["name"]: as_json_value(r[f["name"]], f["type"]) for f in fields} for r in lake_rows(run_lake, golden_root())]
    assert len(got) == len(duck)
    assert canon(got) == canon(duck)


def test_golden_variant_table_refuses_writes(run_lake, tmp_path):
    root = tmp_path / "t"
    shutil.copytree(golden_root(), root)
    data = tmp_path / "rows.ndjson"
    data.write_text('{"id": 1000}\n')
    before = sorted(p.name for p in (root / "_delta_log").iterdir())
    rc, _, err = run_lake("write", root, data)
    assert rc != 0, "lake wrote to a table with variant columns"
    assert "variantType-preview" in err and "writer" in err, err
    assert sorted(p.name for p in (root / "_delta_log").iterdir()) == before


# --------------------------------------------------------------------------- a table made here

def _meta(names: list[str]) -> bytes:
    """Variant metadata: version 1, sorted names, 1-byte offsets."""
    data = b"".join(n.encode() for n in names)
    offsets = [0]
    for n in names:
        offsets.append(offsets[-1] + len(n.encode()))
    return bytes([0x11, len(names)]) + bytes(offsets) + data


def _prim(type_id: int, payload: bytes = b"") -> bytes:
    return bytes([type_id << 2]) + payload


def _short(s: str) -> bytes:
    b = s.encode()
    return bytes([len(b) << 2 | 1]) + b


def _long_string(s: str) -> bytes:
    b = s.encode()
    return _prim(16, struct.pack("<I", len(b)) + b)


def _array(items: list[bytes]) -> bytes:
    offsets = [0]
    for it in items:
        offsets.append(offsets[-1] + len(it))
    return bytes([3, len(items)]) + bytes(offsets) + b"".join(items)


def _object(fields: list[tuple[int, bytes]]) -> bytes:
    """Fields as (dictionary id, value), ids in name order; 1-byte ids and offsets."""
    offsets, body = [], b""
    for _, v in fields:
        offsets.append(len(body))
        body += v
    offsets.append(len(body))
    return bytes([2, len(fields)]) + bytes(i for i, _ in fields) + bytes(offsets) + body


# (metadata, value) pairs covering the encodings: primitives, short and long strings, objects, arrays.
NAMES = ["a", "b", "nested"]
VARIANTS = [
    (_meta([]), _prim(0)),                                            # variant null
    (_meta([]), _prim(1)),                                            # true
    (_meta([]), _prim(3, struct.pack("<b", -7))),                     # int8
    (_meta([]), _prim(6, struct.pack("<q", 2**62 + 1))),              # int64 past 2^53
    (_meta([]), _prim(7, struct.pack("<d", 0.1))),                    # double
    (_meta([]), _prim(8, bytes([2]) + struct.pack("<i", 12345))),     # decimal4 123.45
    (_meta([]), _short("héllo")),
    (_meta([]), _long_string("x" * 70)),
    (_meta(NAMES), _object([(0, _prim(5, struct.pack("<i", 1))), (1, _array([_short("p"), _prim(2)])),
                            (2, _object([(0, _prim(0))]))])),
    (_meta([]), _array([])),
]


def make_variant_table(root: Path) -> None:
    """A table with variants at the top level and in a struct, an array and a map; the data file stores
    each variant group value-first (as Spark does), the schema lists metadata first."""
    root.mkdir()
    (root / "_delta_log").mkdir()
    vtype = pa.struct([pa.field("value", pa.binary(), nullable=False), pa.field("metadata", pa.binary(), nullable=False)])
    n = len(VARIANTS)
    def var(i):
        m, v = VARIANTS[i % n]
        return {"value": v, "metadata": m}
    ids = list(range(n + 1))
    table = pa.table({
        "id": pa.array(ids, pa.int64()),
        "v": pa.array([None if i == n else var(i) for i in ids], vtype),
        "s": pa.array([{"v": var(i + 1), "k": i} for i in ids], pa.struct([pa.field("v", vtype), pa.field("k", pa.int32())])),
        "arr": pa.array([[var(i), None, var(i + 2)] for i in ids], pa.list_(pa.field("element", vtype))),
        "m": pa.array([[("k", var(i + 3)), ("z", None)] for i in ids], pa.map_(pa.string(), pa.field("value", vtype))),
    })
    name = "part-00000-variant.parquet"
    pq.write_table(table, root / name)
    var_field = lambda nm: {"name": nm, "type": "variant", "nullable": True, "metadata": {}}
    schema = {"type": "struct", "fields": [
        {"name": "id", "type": "long", "nullable": True, "metadata": {}},
        var_field("v"),
        {"name": "s", "type": {"type": "struct", "fields": [var_field("v"), {"name": "k", "type": "integer", "nullable": True, "metadata": {}}]}, "nullable": True, "metadata": {}},
        {"name": "arr", "type": {"type": "array", "elementType": "variant", "containsNull": True}, "nullable": True, "metadata": {}},
        {"name": "m", "type": {"type": "map", "keyType": "string", "valueType": "variant", "valueContainsNull": True}, "nullable": True, "metadata": {}},
    ]}
    actions = [
        {"protocol": {"minReaderVersion": 3, "minWriterVersion": 7, "readerFeatures": ["variantType"], "writerFeatures": ["variantType"]}},
        {"metaData": {"id": "variant-test", "format": {"provider": "parquet", "options": {}}, "schemaString": json.dumps(schema),
                      "partitionColumns": [], "configuration": {}, "createdTime": 1700000000000}},
        {"add": {"path": name, "partitionValues": {}, "size": (root / name).stat().st_size, "modificationTime": 1700000000000,
                 "dataChange": True, "stats": json.dumps({"numRecords": n + 1, "minValues": {"id": 0}, "maxValues": {"id": n},
                                                          "nullCount": {"id": 0, "v": 1, "s": {"v": 0, "k": 0}, "arr": 0, "m": 0}})}},
    ]
    (root / "_delta_log" / "00000000000000000000.json").write_text("".join(json.dumps(a) + "\n" for a in actions))


def test_variant_binaries_read_unchanged_everywhere_they_nest(run_lake, tmp_path):
    root = tmp_path / "t"
    make_variant_table(root)
    got = sorted(lake_rows(run_lake, root), key=lambda r: r["id"])
    n = len(VARIANTS)
    b64 = lambda b: base64.b64encode(b).decode()
    def var(i):
        m, v = VARIANTS[i % n]
        return {"metadata": b64(m), "value": b64(v)}
    expected = [{"id": i, "v": None if i == n else var(i), "s": {"v": var(i + 1), "k": i}, "arr": [var(i), None, var(i + 2)],
                 "m": [{"key": "k", "value": var(i + 3)}, {"key": "z", "value": None}]} for i in range(n + 1)]
    assert got == expected


def test_variant_table_matches_deltalake(run_lake, tmp_path):
    root = tmp_path / "t"
    make_variant_table(root)
    expected = table_to_rows(DeltaTable(str(root)).to_pyarrow_table())
    assert canon(lake_rows(run_lake, root)) == canon(expected)


def test_variant_table_matches_duckdb_json(run_lake, tmp_path):
    root = tmp_path / "t"
    make_variant_table(root)
    fields = delta_schema(root)
    duck = duckdb_json_rows(root, tmp_path / "duck.ndjson")
    got = [{f["name"]: as_json_value(r[f["name"]], f["type"]) for f in fields} for r in lake_rows(run_lake, root)]
    assert canon(got) == canon(duck)


def test_variant_column_projection(run_lake, tmp_path):
    root = tmp_path / "t"
    make_variant_table(root)
    rc, out, err = run_lake("read", root, "--format", "ndjson", "--columns", "id,v", "--where", "id = 2")
    assert rc == 0, err
    m, v = VARIANTS[2]
    assert parse_ndjson(out) == [{"id": 2, "v": {"metadata": base64.b64encode(m).decode(), "value": base64.b64encode(v).decode()}}]


# --------------------------------------------------------------------------- --variant-json


def lake_json_rows(run_lake, root: Path, fields: list[dict]) -> list[dict]:
    """`lake read --format ndjson --variant-json`, maps turned into objects as DuckDB's JSON gives them."""
    rc, out, err = run_lake("read", root, "--format", "ndjson", "--variant-json", timeout=300)
    assert rc == 0, f"lake read --variant-json {root.name}: {err}"
    return [{f["name"]: maps_as_objects(r[f["name"]], f["type"]) for f in fields} for r in parse_ndjson(out)]


def maps_as_objects(value, dtype):
    if value is None or not isinstance(dtype, dict):
        return value
    kind = dtype["type"]
    if kind == "struct":
        return {f["name"]: maps_as_objects(value.get(f["name"]), f["type"]) for f in dtype["fields"]}
    if kind == "array":
        return [maps_as_objects(v, dtype["elementType"]) for v in value]
    if kind == "map":
        return {str(e["key"]): maps_as_objects(e["value"], dtype["valueType"]) for e in value}
    return value


def test_variant_json_of_the_golden_table_matches_duckdb(run_lake, tmp_path):
    fields = delta_schema(golden_root())
    duck = duckdb_json_rows(golden_root(), tmp_path / "duck.ndjson")
    assert canon(lake_json_rows(run_lake, golden_root(), fields)) == canon(duck)


def test_variant_json_of_every_encoding_matches_duckdb(run_lake, tmp_path):
    root = tmp_path / "t"
    make_variant_table(root)
    fields = delta_schema(root)
    duck = duckdb_json_rows(root, tmp_path / "duck.ndjson")
    assert canon(lake_json_rows(run_lake, root, fields)) == canon(duck)


def test_variant_json_needs_ndjson(run_lake):
    rc, _, err = run_lake("read", golden_root(), "--format", "csv", "--variant-json")
    # A usage error (ArgumentParser's 64 today; issue 8 maps usage errors to exit code 2).
    assert rc in (2, 64) and "--variant-json needs --format ndjson" in err, (rc, err)


def test_corrupt_variant_bytes_fail_the_json_rendering(run_lake, tmp_path):
    root = tmp_path / "t"
    make_variant_table(root)
    data = root / "part-00000-variant.parquet"
    table = pq.read_table(data)
    # A value whose object claims a field id the metadata's empty dictionary does not hold.
    bad = pa.array([{"value": bytes([2, 1, 5, 0, 1, 0]), "metadata": bytes([1, 0, 0])}] * table.num_rows, table.schema.field("v").type)
    pq.write_table(table.set_column(1, "v", bad), data)
    log = root / "_delta_log" / "00000000000000000000.json"
    lines = [json.loads(l) for l in log.read_text().splitlines()]
    for a in lines:
        if "add" in a:
            a["add"]["size"] = data.stat().st_size
    log.write_text("".join(json.dumps(a) + "\n" for a in lines))
    rc, out, err = run_lake("read", root, "--format", "ndjson", "--variant-json")
    assert rc == 1 and "variant" in err and out == "", (rc, err)
    # The binaries themselves still read.
    rc, _, err = run_lake("read", root, "--format", "ndjson")
    assert rc == 0, err
