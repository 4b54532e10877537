"""Typed parsing of CSV and NDJSON with a given schema, checked against DuckDB.

lake converts a text file with `--schema` (each value parsed with its column's type, the code `lake write`
uses for a table's schema); DuckDB reads the same file with `read_csv` / `read_json` given the same column
types. Both results go through Arrow and are compared value for value. The inputs stay where the two
systems agree: DuckDB shifts a zoned value into its TIMESTAMP (no zone) while lake, like Spark, keeps the
wall clock for timestamp_ntz, so the timestamp_ntz column has no zones.
"""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq

CSV_TEXT = (
    "b,i8,i16,i32,i64,f,d,ok,day,ts,ntz,amount,s\n"
    "1,-128,-32768,-2147483648,-9223372036854775808,1.5,0.1,true,2024-01-31,2024-01-01T00:00:00Z,"
    "2024-01-01T10:30:00,123.45,plain\n"
    "2,127,32767,2147483647,9223372036854775807,-2.25,1e300,false,1970-01-01,2024-01-01 02:00:00+02:00,"
    "2024-01-01 10:30:00.123456,-0.01,\"quoted, with \"\"quotes\"\"\nand a line break\"\n"
    "3,,,,,,,,,,,,\n"
    "4,0,0,0,0,3.4028235e38,-0.0,TRUE,2000-02-29,2024-06-30T23:59:59.999999-07:00,1999-12-31T23:59:59,"
    "1.005,Émile\n"
)

CSV_TYPES = {
    "b": ("int", "INTEGER"),
    "i8": ("byte", "TINYINT"),
    "i16": ("short", "SMALLINT"),
    "i32": ("int", "INTEGER"),
    "i64": ("long", "BIGINT"),
    "f": ("float", "FLOAT"),
    "d": ("double", "DOUBLE"),
    "ok": ("boolean", "BOOLEAN"),
    "day": ("date", "DATE"),
    "ts": ("timestamp", "TIMESTAMPTZ"),
    "ntz": ("timestamp_ntz", "TIMESTAMP"),
    "amount": ("decimal(10,2)", "DECIMAL(10,2)"),
    "s": ("string", "VARCHAR"),
}

NDJSON_TEXT = (
    '{"id": 1, "x": 1.5, "ok": true, "s": "a", "day": "2024-01-31", "ts": "2024-01-01T00:00:00Z",'
    ' "amount": "123.45", "n": 123.45, "tags": [1, 2], "st": {"a": 1, "b": "q"}, "m": {"k": 1}}\n'
    "\n"
    '{"id": 2, "x": -2, "ok": false, "s": "é\\n\\"", "day": "1970-01-01", "ts": "2024-01-01T02:00:00+02:00",'
    ' "amount": "-0.01", "n": 7, "tags": [], "st": {"a": null, "b": "r"}, "m": {}}\n'
    '{"id": 3, "x": null, "ok": null, "s": null, "day": null, "ts": null, "amount": null, "n": null,'
    ' "tags": null, "st": null, "m": null}\n'
    '{"id": 4}\n'
)

NDJSON_TYPES = {
    "id": ("long", "BIGINT"),
    "x": ("double", "DOUBLE"),
    "ok": ("boolean", "BOOLEAN"),
    "s": ("string", "VARCHAR"),
    "day": ("date", "DATE"),
    "ts": ("timestamp", "TIMESTAMPTZ"),
    "amount": ("decimal(10,2)", "DECIMAL(10,2)"),
    "n": ("decimal(10,2)", "DECIMAL(10,2)"),
    "tags": ("array<long>", "BIGINT[]"),
    "st": ("struct<a: int, b: string>", "STRUCT(a INTEGER, b VARCHAR)"),
    "m": ("map<string, long>", "MAP(VARCHAR, BIGINT)"),
}


def duck():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def columns_sql(types):
    return "{" + ", ".join(f"'{name}': '{duck_type}'" for name, (_, duck_type) in types.items()) + "}"


def lake_schema(types):
    return ", ".join(f"{name} {lake_type}" for name, (lake_type, _) in types.items())


def lake_rows(run_lake, src, dst, types):
    code, _, err = run_lake("parquet", "convert", src, dst, "--schema", lake_schema(types))
    assert code == 0, f"lake parquet convert failed: {err}"
    return pq.read_table(dst).to_pylist()


def test_csv_typed_values_match_duckdb_read_csv(run_lake, work_dir):
    src = work_dir / "typed.csv"
    src.write_text(CSV_TEXT, encoding="utf-8")
    got = lake_rows(run_lake, src, work_dir / "typed.parquet", CSV_TYPES)
    expected = duck().sql(
        f"SELECT * FROM read_csv('{src}', header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {columns_sql(CSV_TYPES)}) ORDER BY b"
    ).to_arrow_table().to_pylist()
    assert len(got) == len(expected) == 4
    for lake_row, duck_row in zip(got, expected):
        assert lake_row == duck_row


def test_ndjson_typed_values_match_duckdb_read_json(run_lake, work_dir):
    src = work_dir / "typed.ndjson"
    src.write_text(NDJSON_TEXT, encoding="utf-8")
    got = lake_rows(run_lake, src, work_dir / "typed.parquet", NDJSON_TYPES)
    expected = duck().sql(
        f"SELECT * FROM read_json('{src}', format = 'newline_delimited', "
        f"columns = {columns_sql(NDJSON_TYPES)}) ORDER BY id"
    ).to_arrow_table().to_pylist()
    assert len(got) == len(expected) == 4
    for lake_row, duck_row in zip(got, expected):
        assert lake_row == duck_row
