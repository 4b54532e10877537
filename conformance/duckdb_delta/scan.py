"""Reads a Delta table with DuckDB's delta extension: `scan.py TABLE OUT.parquet`.

Runs in .venv-duckdb-delta (see requirements.txt here); writes every row of `delta_scan(TABLE)` to
OUT.parquet for the calling test to compare.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import duckdb_extension_delta


def main() -> int:
    table, out = sys.argv[1], sys.argv[2]
    ext = next(Path(duckdb_extension_delta.__file__).parent.rglob("delta.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    con.execute("COPY (SELECT * FROM delta_scan(?)) TO '" + out.replace("'", "''") + "' (FORMAT parquet)", [table])
    return 0


if __name__ == "__main__":
    sys.exit(main())
