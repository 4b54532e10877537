"""Every table in shared/corpus/delta-golden/ that deltalake reads: `lake read --format ndjson` gives the
same rows (as a multiset). Tables deltalake cannot read are skipped here with deltalake's reason
(deletion vectors, column mapping and friends get their own independent oracle)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from deltalake import DeltaTable

from conftest import parse_ndjson, shared_dir
from lake_values import table_to_rows


def golden_tables() -> list[str]:
    d = shared_dir() / "corpus" / "delta-golden"
    if not d.is_dir():
        raise FileNotFoundError(f"{d} is missing: set LAKE_SHARED")
    return sorted(p.name for p in d.iterdir() if p.is_dir())


def table_root(name: str) -> Path:
    """Some golden tables keep the Delta table one level down (in a `delta/` directory)."""
    base = shared_dir() / "corpus" / "delta-golden" / name
    if (base / "_delta_log").is_dir():
        return base
    for sub in sorted(base.iterdir()) if base.is_dir() else []:
        if (sub / "_delta_log").is_dir():
            return sub
    return base


@pytest.mark.parametrize("name", golden_tables())
def test_golden_table_rows_match_deltalake(run_lake, name):
    root = table_root(name)
    try:
        expected_table = DeltaTable(str(root)).to_pyarrow_table()
        expected = table_to_rows(expected_table)
    except Exception as e:  # deltalake cannot read it: not this oracle's table
        pytest.skip(f"deltalake cannot read {name}: {str(e).splitlines()[0][:200] if str(e) else type(e).__name__}")
    config = DeltaTable(str(root)).metadata().configuration
    if config.get("delta.columnMapping.mode", "none") != "none":
        # deltalake 1.x looks the logical names up in files written with physical names and returns nulls:
        # it is not an oracle for these tables (the column mapping suite checks them with pyarrow).
        pytest.skip(f"{name}: column mapping mode {config['delta.columnMapping.mode']}; deltalake reads it as nulls")
    cols = expected_table.schema.names
    rc, out, err = run_lake("read", root, "--format", "ndjson", "--columns", ",".join(cols), timeout=300)
    assert rc == 0, f"lake read {name}: {err}"
    got = parse_ndjson(out)
    assert len(got) == len(expected)
    assert Counter(json.dumps(r, sort_keys=True) for r in got) == Counter(json.dumps(r, sort_keys=True) for r in expected)
