"""Reads a Delta table with DuckDB's delta extension, every column cast to JSON: `scan_json.py TABLE OUT.ndjson`.

For tables DuckDB cannot copy to Parquet (nested VARIANT columns): each output line is an object from
column name to that column's JSON text (`CAST(col AS JSON)`, null for SQL null), for the calling test to
parse and compare.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import duckdb_extension_delta


def main() -> int:
    table, out = sys.argv[1], sys.argv[2]
    ext = next(Path(duckdb_extension_delta.__file__).parent.rglob("delta.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    names = [row[0] for row in con.execute("DESCRIBE SELECT * FROM delta_scan(?)", [table]).fetchall()]
    select = ", ".join('CAST("' + n.replace('"', '""') + '" AS JSON)' for n in names)
    with open(out, "w") as f:
        for row in con.execute(f"SELECT {select} FROM delta_scan(?)", [table]).fetchall():
            f.write(json.dumps(dict(zip(names, row))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
