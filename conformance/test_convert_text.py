"""`lake parquet convert` from CSV and NDJSON: inferred and given schemas, checked with pyarrow.

Each test writes a small text file, converts it with lake, reads the Parquet file with pyarrow and
compares the column types and values with what pyarrow's own CSV / JSON readers give (where their
inference rules agree with lake's) or with expected values written here.
"""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

CSV_TEXT = (
    "id,price,ok,day,name\n"
    "1,1.5,true,2024-01-31,\"Smith, J\"\n"
    "2,,false,1970-01-01,\"said \"\"hi\"\"\nbye\"\n"
    "3,-2e3,true,,Émile\n"
)

NDJSON_TEXT = (
    '{"id": 1, "x": 2, "tags": ["a", "b"], "s": {"a": 1, "b": "q"}, "flag": true}\n'
    "\n"
    '{"id": 2, "x": 2.5, "tags": [], "s": {"a": null, "b": "r"}, "flag": null}\n'
    '{"id": 3, "x": null, "tags": null, "s": null, "flag": false}\n'
)


def convert(run_lake, src, dst, *extra):
    code, out, err = run_lake("parquet", "convert", src, dst, *extra)
    assert code == 0, f"lake parquet convert failed: {err}"
    return pq.read_table(dst)


def test_csv_inferred_matches_pyarrow(run_lake, work_dir):
    src = work_dir / "in.csv"
    src.write_text(CSV_TEXT, encoding="utf-8")
    table = convert(run_lake, src, work_dir / "out.parquet")
    expected = pacsv.read_csv(src)
    assert table.column_names == expected.column_names
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("price").type == pa.float64()
    assert table.schema.field("ok").type == pa.bool_()
    assert table.schema.field("day").type == pa.date32()
    assert table.schema.field("name").type == pa.string()
    for name in table.column_names:
        assert table.column(name).to_pylist() == expected.column(name).to_pylist(), name


def test_csv_given_schema_delimiter_and_no_header(run_lake, work_dir):
    src = work_dir / "in.csv"
    src.write_text("7;12.345;2024-02-01 10:00:00\n8;NULL;NULL\n", encoding="utf-8")
    table = convert(
        run_lake, src, work_dir / "out.parquet",
        "--schema", "id int not null, amount decimal(10,2), ts timestamp",
        "--delimiter", ";", "--no-header", "--null-value", "NULL",
    )
    assert table.schema.field("id").type == pa.int32()
    assert not table.schema.field("id").nullable
    assert table.schema.field("amount").type == pa.decimal128(10, 2)
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert table.column("id").to_pylist() == [7, 8]
    assert table.column("amount").to_pylist() == [decimal.Decimal("12.35"), None]
    assert table.column("ts").to_pylist() == [
        dt.datetime(2024, 2, 1, 10, 0, tzinfo=dt.timezone.utc), None,
    ]


def test_ndjson_inferred_matches_pyarrow(run_lake, work_dir):
    src = work_dir / "in.ndjson"
    src.write_text(NDJSON_TEXT, encoding="utf-8")
    table = convert(run_lake, src, work_dir / "out.parquet")
    expected = pajson.read_json(src)
    assert table.column_names == expected.column_names
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("x").type == pa.float64()
    assert table.schema.field("tags").type.value_type == pa.string()
    assert table.schema.field("s").type == pa.struct([("a", pa.int64()), ("b", pa.string())])
    for name in table.column_names:
        assert table.column(name).to_pylist() == expected.column(name).to_pylist(), name


def test_jsonl_given_schema(run_lake, work_dir):
    src = work_dir / "in.jsonl"
    src.write_text(
        '{"id": 1, "d": "2024-01-31", "amount": "12.30", "bin": "AP8=", "m": [{"key": "k", "value": 5}], "ntz": "2024-01-31T10:00:00.000001"}\n'
        '{"id": 2, "d": null, "amount": 0.05, "bin": null, "m": {"a": 1, "b": null}}\n',
        encoding="utf-8",
    )
    table = convert(
        run_lake, src, work_dir / "out.parquet",
        "--schema", "id long, d date, amount decimal(5,2), bin binary, m map<string,long>, ntz timestamp_ntz",
    )
    assert table.column("d").to_pylist() == [dt.date(2024, 1, 31), None]
    assert table.column("amount").to_pylist() == [decimal.Decimal("12.30"), decimal.Decimal("0.05")]
    assert table.column("bin").to_pylist() == [b"\x00\xff", None]
    assert table.column("m").to_pylist() == [[("k", 5)], [("a", 1), ("b", None)]]
    assert table.schema.field("ntz").type == pa.timestamp("us")
    assert table.column("ntz").to_pylist() == [dt.datetime(2024, 1, 31, 10, 0, 0, 1), None]


def test_ndjson_cat_output_round_trips(run_lake, work_dir):
    """`lake parquet cat --format ndjson` read back with the file's schema gives the same file contents."""
    src = work_dir / "in.jsonl"
    src.write_text(NDJSON_TEXT, encoding="utf-8")
    first = work_dir / "first.parquet"
    convert(run_lake, src, first)
    code, out, err = run_lake("parquet", "cat", first, "--format", "ndjson")
    assert code == 0, err
    again = work_dir / "again.ndjson"
    again.write_text(out, encoding="utf-8")
    second = convert(
        run_lake, again, work_dir / "second.parquet",
        "--schema", "id long, x double, tags array<string>, s struct<a: long, b: string>, flag boolean",
    )
    assert second.to_pylist() == pq.read_table(first).to_pylist()


def test_bad_input_reports_line_and_column(run_lake, work_dir):
    src = work_dir / "bad.csv"
    src.write_text("a,b\n1,2\n3,x\n", encoding="utf-8")
    code, _, err = run_lake("parquet", "convert", src, work_dir / "out.parquet", "--schema", "a long, b long")
    assert code == 1
    assert "line 3, column 3" in err
    bad = work_dir / "bad.ndjson"
    bad.write_text('{"a": 1}\n{"a": }\n', encoding="utf-8")
    code, _, err = run_lake("parquet", "convert", bad, work_dir / "out.parquet")
    assert code == 1
    assert "line 2, column 7" in err
    # A malformed --schema is a usage error (exit 2), bad data in the file an error (exit 1).
    code, _, err = run_lake("parquet", "convert", src, work_dir / "out.parquet", "--schema", "a lng")
    assert code == 2 and "unknown type" in err
