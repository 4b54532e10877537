"""Data skipping against DuckDB: `lake read --where P --explain` must keep every file that holds a row
matching P, and must skip files where the stats allow it.

Tables get many small files (one `lake write` append per file) with a column of every stats type: long past
2^53, int, short, byte, double with NaN and -0.0/+0.0, float, decimal(38,18), decimal(10,2), date, timestamp,
timestamp_ntz, strings longer than 32 characters with non-ASCII text, boolean, nulls; plus a table
partitioned by a string (with null partitions) and an int. For each generated predicate (every operator,
the literal on both sides, BETWEEN, IN, NOT, AND/OR), DuckDB reads each data file by path with
`read_parquet` and applies the same predicate; the files it finds rows in must all be in the plan's `files`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

TWO53 = 2**53
EPOCH_TS = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
LONG_PREFIX = "x" * 30  # with the file number, the first 32 characters differ per file; the rest is cut from stats


def explain(run_lake, table: Path, where: str | None) -> dict:
    args = ["read", str(table), "--explain"]
    if where is not None:
        args.append(f"--where={where}")
    code, out, err = run_lake(*args)
    assert code == 0, f"lake read --explain --where {where!r} failed ({code}): {err}"
    return json.loads(out)


def lake_count(run_lake, table: Path, where: str) -> int:
    code, out, err = run_lake("read", str(table), f"--where={where}", "--format", "ndjson")
    assert code == 0, f"lake read --where {where!r} failed ({code}): {err}"
    return 0 if out == "" else out.count("\n")


class Oracle:
    """DuckDB over the table's data files, each read by path."""

    def __init__(self, table: Path, files: list[str]):
        self.table = table
        self.paths = {str(table / unquote(f)): f for f in files}
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        listing = ", ".join("'" + p.replace("'", "''") + "'" for p in self.paths)
        self.con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet([{listing}], filename = true)")

    def matches(self, where: str) -> dict[str, int]:
        """Matching row counts per file (log paths), for files with at least one."""
        rows = self.con.execute(f"SELECT filename, count(*) FROM t WHERE {where} GROUP BY filename").fetchall()
        return {self.paths[name]: n for name, n in rows}


def check_predicates(run_lake, table: Path, predicates: list[tuple[str, str, str]], count_every: int = 4) -> dict[str, int]:
    """Checks each (column, lake predicate, duckdb predicate); returns per column how many plans skipped a file."""
    full = explain(run_lake, table, None)
    oracle = Oracle(table, full["files"])
    assert len(full["files"]) == full["filesTotal"] >= 10
    skipped: dict[str, int] = {}
    failures = []
    for k, (column, lake_p, duck_p) in enumerate(predicates):
        plan = explain(run_lake, table, lake_p)
        kept = set(plan["files"])
        assert plan["filesTotal"] == full["filesTotal"]
        assert plan["filesTotal"] - plan["filesPrunedByPartition"] - plan["filesSkippedByStats"] == len(kept)
        hits = oracle.matches(duck_p)
        missing = sorted(set(hits) - kept)
        if missing:
            failures.append(f"{lake_p!r} skipped {len(missing)} file(s) with matching rows, e.g. {missing[0]} ({hits[missing[0]]} rows)")
        if len(kept) < plan["filesTotal"]:
            skipped[column] = skipped.get(column, 0) + 1
        if k % count_every == 0:
            # The whole read agrees with DuckDB too (skipping plus the residual filter).
            n = lake_count(run_lake, table, lake_p)
            if n != sum(hits.values()):
                failures.append(f"{lake_p!r}: lake returns {n} rows, DuckDB {sum(hits.values())}")
    assert not failures, "\n".join(failures[:20])
    return skipped


def comparisons(column: str, literals: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str, str]]:
    """Every operator with the literal on both sides, NOT, BETWEEN, IN, NOT IN, for (lake, duckdb) literals."""
    out = []
    for lake_l, duck_l in literals:
        for op in ["=", "<>", "<", "<=", ">", ">="]:
            out.append((column, f"{column} {op} {lake_l}", f"{column} {op} {duck_l}"))
        op = rng.choice(["=", "<", ">=", "<>"])
        out.append((column, f"{lake_l} {op} {column}", f"{duck_l} {op} {column}"))
        op = rng.choice(["<", "<=", ">", "="])
        out.append((column, f"NOT ({column} {op} {lake_l})", f"NOT ({column} {op} {duck_l})"))
    pairs = list(zip(literals, literals[1:]))
    for (la, da), (lb, db) in pairs:
        out.append((column, f"{column} BETWEEN {la} AND {lb}", f"{column} BETWEEN {da} AND {db}"))
        out.append((column, f"{column} NOT BETWEEN {la} AND {lb}", f"{column} NOT BETWEEN {da} AND {db}"))
        out.append((column, f"{column} IN ({la}, {lb})", f"{column} IN ({da}, {db})"))
        out.append((column, f"{column} NOT IN ({la}, {lb})", f"{column} NOT IN ({da}, {db})"))
    out.append((column, f"{column} IS NULL", f"{column} IS NULL"))
    out.append((column, f"{column} IS NOT NULL", f"{column} IS NOT NULL"))
    return out


# ---------------------------------------------------------------------------------------------- all types

N_FILES = 24
ROWS = 12


def typed_rows(k: int, rng: random.Random) -> dict[str, list]:
    """File k's columns: each column's values sit in a band that moves with k, so stats separate files."""

    def maybe(v, p=0.1):
        return None if rng.random() < p else v

    rows = {c: [] for c in ["l", "i", "s", "b", "d", "f", "dec38", "dec10", "dt", "ts", "tsn", "str", "name", "bo"]}
    for r in range(ROWS):
        rows["l"].append(maybe(TWO53 + k * 10 + rng.randrange(10)))
        rows["i"].append(maybe(k * 100 - 1000 + rng.randrange(100)))
        rows["s"].append(maybe(k * 10 + rng.randrange(10)))
        rows["b"].append(maybe(-100 + k * 8 + rng.randrange(8)))
        d = k * 1.5 + rng.randrange(12) * 0.125
        if k % 5 == 0 and r == 3:
            d = float("nan")
        if k % 7 == 0 and r == 4:
            d = -0.0
        if k % 7 == 0 and r == 5:
            d = 0.0
        rows["d"].append(maybe(d))
        rows["f"].append(maybe(k * 0.5 + rng.randrange(4) * 0.125))
        rows["dec38"].append(maybe(Decimal(f"{12345678901234567890 + k}.{rng.randrange(10**18):018d}")))
        rows["dec10"].append(maybe(Decimal(f"{k * 10}.{rng.randrange(100):02d}")))
        rows["dt"].append(maybe(dt.date(2024, 1, 1) + dt.timedelta(days=k * 3 + rng.randrange(3))))
        micros = k * 3_600_000_000 + rng.randrange(3_600_000_000)
        rows["ts"].append(maybe(EPOCH_TS + dt.timedelta(microseconds=micros)))
        rows["tsn"].append(maybe(dt.datetime(2024, 1, 1) + dt.timedelta(microseconds=micros + 7)))
        rows["str"].append(maybe(f"{LONG_PREFIX}{k:02d}" + rng.choice(["é", "ü", "z", "a", "😀", "\u00ff"]) * (1 + rng.randrange(5))))
        rows["name"].append(maybe(f"n{k:02d}-" + rng.choice(["a", "b", "é"])))
        rows["bo"].append(maybe(rng.random() < 0.5))
    if k == 3:
        rows["i"] = [None] * ROWS  # an all-null column in one file
    return rows


SCHEMA = pa.schema([
    ("l", pa.int64()), ("i", pa.int32()), ("s", pa.int16()), ("b", pa.int8()), ("d", pa.float64()),
    ("f", pa.float32()), ("dec38", pa.decimal128(38, 18)), ("dec10", pa.decimal128(10, 2)), ("dt", pa.date32()),
    ("ts", pa.timestamp("us", tz="UTC")), ("tsn", pa.timestamp("us")), ("str", pa.string()), ("name", pa.string()),
    ("bo", pa.bool_()),
])


@pytest.fixture(scope="module")
def typed_table(tmp_path_factory, lake_bin):
    from conftest import run_lake

    base = tmp_path_factory.mktemp("skipping")
    table = base / "typed"
    rng = random.Random(8)
    data = []
    for k in range(N_FILES):
        cols = typed_rows(k, rng)
        data.append(cols)
        src = base / f"in-{k}.parquet"
        pq.write_table(pa.table(cols, schema=SCHEMA), src)
        code, _, err = run_lake("write", str(table), str(src))
        assert code == 0, err
    return table, data


def values(data, column):
    return [v for cols in data for v in cols[column] if v is not None]


def int_literals(vals, rng, extra=()):
    picks = sorted(set(rng.sample(vals, 4)) | {min(vals), max(vals), min(vals) - 1, max(vals) + 1, *extra})
    return [(str(v), str(v)) for v in picks]


def test_long_int_short_byte_columns(run_lake, typed_table):
    table, data = typed_table
    rng = random.Random(1)
    preds = []
    longs = values(data, "l")
    preds += comparisons("l", int_literals(longs, rng, extra=(TWO53 + 1, TWO53 + 2)), rng)
    # Decimal literals against a long column compare exactly, never through double.
    preds += [("l", f"l = {TWO53 + 1}.5", f"l = {TWO53 + 1}.5"), ("l", f"l < {TWO53 + 11}.5", f"l < {TWO53 + 11}.5")]
    for c in ["i", "s", "b"]:
        preds += comparisons(c, int_literals(values(data, c), rng), rng)
    skipped = check_predicates(run_lake, table, preds)
    for c in ["l", "i", "s", "b"]:
        assert skipped.get(c, 0) > 0, f"no predicate on {c} skipped a file"


def test_double_and_float_columns(run_lake, typed_table):
    table, data = typed_table
    rng = random.Random(2)
    ds = sorted(v for v in values(data, "d") if v == v)
    lits = [(f"{v}D", f"{v}::DOUBLE") for v in sorted(set(rng.sample(ds, 4)) | {ds[0], ds[-1], 0.0, -0.0, 100.0})]
    lits += [("CAST('NaN' AS DOUBLE)", "'NaN'::DOUBLE"), ("1.25", "1.25")]
    preds = comparisons("d", lits, rng)
    fs = sorted(values(data, "f"))
    flits = [(f"CAST({v} AS FLOAT)", f"{v}::FLOAT") for v in sorted(set(rng.sample(fs, 3)) | {fs[0], fs[-1]})]
    preds += comparisons("f", flits + [("2.5", "2.5")], rng)
    skipped = check_predicates(run_lake, table, preds)
    assert skipped.get("d", 0) > 0 and skipped.get("f", 0) > 0


def test_decimal_columns(run_lake, typed_table):
    table, data = typed_table
    rng = random.Random(3)
    d38 = sorted(values(data, "dec38"))
    lits = [(str(v), str(v)) for v in sorted(set(rng.sample(d38, 3)) | {d38[0], d38[-1]})]
    lits.append((f"{12345678901234567890 + 5}.5", f"{12345678901234567890 + 5}.5"))
    preds = comparisons("dec38", lits, rng)
    d10 = sorted(values(data, "dec10"))
    lits10 = [(str(v), str(v)) for v in sorted(set(rng.sample(d10, 3)) | {d10[0], d10[-1]})]
    # A literal at a finer scale than the column, and one with trailing zeros.
    lits10 += [(f"{d10[5]}5", f"{d10[5]}5"), (f"{d10[7]}000", f"{d10[7]}000"), ("50", "50")]
    preds += comparisons("dec10", lits10, rng)
    skipped = check_predicates(run_lake, table, preds)
    assert skipped.get("dec38", 0) > 0 and skipped.get("dec10", 0) > 0


def test_date_and_timestamp_columns(run_lake, typed_table):
    table, data = typed_table
    rng = random.Random(4)
    dates = sorted(values(data, "dt"))
    dlits = []
    for v in sorted(set(rng.sample(dates, 3)) | {dates[0], dates[-1]}):
        dlits.append((f"DATE '{v}'", f"DATE '{v}'"))
        dlits.append((f"'{v}'", f"DATE '{v}'"))
    preds = comparisons("dt", dlits, rng)
    ts = sorted(values(data, "ts"))
    tlits = []
    # Exact row values (their millisecond-truncated stats must not lose them) and values between them.
    for v in sorted(set(rng.sample(ts, 4)) | {ts[0], ts[-1]}):
        text = v.strftime("%Y-%m-%d %H:%M:%S.%f")
        tlits.append((f"TIMESTAMP '{text}'", f"TIMESTAMPTZ '{text}+00'"))
        tlits.append((f"'{text}'", f"TIMESTAMPTZ '{text}+00'"))
    preds += comparisons("ts", tlits, rng)
    tsn = sorted(values(data, "tsn"))
    nlits = []
    for v in sorted(set(rng.sample(tsn, 4)) | {tsn[0], tsn[-1]}):
        text = v.strftime("%Y-%m-%d %H:%M:%S.%f")
        nlits.append((f"TIMESTAMP_NTZ '{text}'", f"TIMESTAMP '{text}'"))
        nlits.append((f"'{text}'", f"TIMESTAMP '{text}'"))
    preds += comparisons("tsn", nlits, rng)
    skipped = check_predicates(run_lake, table, preds)
    for c in ["dt", "ts", "tsn"]:
        assert skipped.get(c, 0) > 0, f"no predicate on {c} skipped a file"


def test_string_and_boolean_columns(run_lake, typed_table):
    table, data = typed_table
    rng = random.Random(5)
    strs = sorted(values(data, "str"), key=lambda s: s.encode())
    picks = sorted(set(rng.sample(strs, 5)) | {strs[0], strs[-1], LONG_PREFIX + "05", LONG_PREFIX + "05\U0010ffff", LONG_PREFIX + "99"},
                   key=lambda s: s.encode())
    preds = comparisons("str", [(f"'{v}'", f"'{v}'") for v in picks], rng)
    names = sorted(values(data, "name"), key=lambda s: s.encode())
    npicks = sorted(set(rng.sample(names, 4)) | {"n05-é", "n99", "é"}, key=lambda s: s.encode())
    preds += comparisons("name", [(f"'{v}'", f"'{v}'") for v in npicks], rng)
    preds += [("bo", "bo", "bo"), ("bo", "NOT bo", "NOT bo"), ("bo", "bo = TRUE", "bo = TRUE"), ("bo", "bo IS NULL", "bo IS NULL"),
              ("bo", "bo <=> FALSE", "bo IS NOT DISTINCT FROM FALSE")]
    skipped = check_predicates(run_lake, table, preds)
    assert skipped.get("str", 0) > 0 and skipped.get("name", 0) > 0


def test_and_or_not_combinations(run_lake, typed_table):
    table, data = typed_table
    rng = random.Random(6)
    atoms = []
    for c in ["l", "i", "s", "dec10", "name"]:
        atoms += [(lp, dp) for _, lp, dp in comparisons(c, int_literals(values(data, c), rng) if c in ("l", "i", "s") else
                                                       [(f"'{v}'", f"'{v}'") if c == "name" else (str(v), str(v))
                                                        for v in rng.sample(values(data, c), 3)], rng)]
    atoms += [("d > 10.5D", "d > 10.5::DOUBLE"), ("dt < '2024-01-20'", "dt < DATE '2024-01-20'"), ("i IS NULL", "i IS NULL")]
    preds = []
    for _ in range(120):
        (a, da), (b, db) = rng.sample(atoms, 2)
        shape = rng.randrange(5)
        if shape == 0:
            preds.append(("and", f"({a}) AND ({b})", f"({da}) AND ({db})"))
        elif shape == 1:
            preds.append(("or", f"({a}) OR ({b})", f"({da}) OR ({db})"))
        elif shape == 2:
            preds.append(("not", f"NOT (({a}) AND ({b}))", f"NOT (({da}) AND ({db}))"))
        elif shape == 3:
            preds.append(("not", f"NOT (({a}) OR ({b}))", f"NOT (({da}) OR ({db}))"))
        else:
            (c, dc) = rng.choice(atoms)
            preds.append(("or", f"(({a}) AND ({b})) OR NOT ({c})", f"(({da}) AND ({db})) OR NOT ({dc})"))
    skipped = check_predicates(run_lake, table, preds, count_every=6)
    assert skipped.get("and", 0) > 0 and skipped.get("or", 0) > 0 and skipped.get("not", 0) > 0


def test_selective_predicates_skip_almost_everything(run_lake, typed_table):
    table, data = typed_table
    file5 = data[5]
    long5 = next(v for v in file5["l"] if v is not None)
    name5 = next(v for v in file5["name"] if v is not None)
    for where in [f"l = {long5}", f"{long5} = l", f"name = '{name5}'", f"s BETWEEN 50 AND 59", "dt = '2024-01-16'"]:
        plan = explain(run_lake, table, where)
        assert plan["filesSkippedByStats"] >= N_FILES - 2, f"{where}: skipped only {plan['filesSkippedByStats']} of {N_FILES}"


# ---------------------------------------------------------------------------------------------- partitions

@pytest.fixture(scope="module")
def partitioned_table(tmp_path_factory, lake_bin):
    from conftest import run_lake

    base = tmp_path_factory.mktemp("skipping-partitioned")
    table = base / "parted"
    rng = random.Random(9)
    schema = pa.schema([("region", pa.string()), ("bucket", pa.int32()), ("v", pa.int64()), ("day", pa.date32())])
    regions = ["eu", "us", "apac", None]
    for k in range(16):
        region = regions[k % 4]
        bucket = None if k % 5 == 4 else k % 3
        n = 8
        cols = {
            "region": [region] * n,
            "bucket": [bucket] * n,
            "v": [TWO53 + k * 100 + rng.randrange(100) for _ in range(n)],
            "day": [dt.date(2024, 3, 1) + dt.timedelta(days=k) for _ in range(n)],
        }
        src = base / f"in-{k}.parquet"
        pq.write_table(pa.table(cols, schema=schema), src)
        args = ["write", str(table), str(src)]
        if k == 0:
            args += ["--partition-by", "region,bucket"]
        code, _, err = run_lake(*args)
        assert code == 0, err
    return table


def test_partition_pruning_against_duckdb(run_lake, partitioned_table):
    rng = random.Random(7)
    region_lits = [("'eu'", "'eu'"), ("'us'", "'us'"), ("'apac'", "'apac'"), ("'zz'", "'zz'")]
    preds = comparisons("region", region_lits, rng)
    preds += comparisons("bucket", [("0", "0"), ("1", "1"), ("2", "2"), ("'1'", "1")], rng)
    preds += [
        ("region", "region = 'eu' AND bucket = 1", "region = 'eu' AND bucket = 1"),
        ("region", "region IS NULL OR bucket IS NULL", "region IS NULL OR bucket IS NULL"),
        ("region", "NOT (region = 'eu')", "NOT (region = 'eu')"),
        ("mixed", f"region = 'us' OR v < {TWO53 + 150}", f"region = 'us' OR v < {TWO53 + 150}"),
        ("mixed", f"region = 'us' AND v >= {TWO53 + 1200}", f"region = 'us' AND v >= {TWO53 + 1200}"),
        ("mixed", "bucket = 2 AND day = '2024-03-06'", "bucket = 2 AND day = DATE '2024-03-06'"),
        ("mixed", f"NOT (region <> 'apac' OR v > {TWO53 + 1000})", f"NOT (region <> 'apac' OR v > {TWO53 + 1000})"),
    ]
    # The files DuckDB reads have no partition columns; give it the values from the hive-style directories.
    skipped = check_partitioned(run_lake, partitioned_table, preds)
    assert skipped.get("region", 0) > 0 and skipped.get("bucket", 0) > 0 and skipped.get("mixed", 0) > 0


def check_partitioned(run_lake, table: Path, predicates) -> dict[str, int]:
    full = explain(run_lake, table, None)
    con = duckdb.connect()
    # Each file's partition values from the log (null partitions included), joined to its rows.
    log = {}
    for line in "".join(p.read_text() for p in sorted((table / "_delta_log").glob("*.json"))).splitlines():
        a = json.loads(line).get("add")
        if a:
            log[a["path"]] = a["partitionValues"]
    parts = []
    for f in full["files"]:
        pv = log[f]
        region = pv.get("region")
        bucket = pv.get("bucket")
        path = str(table / unquote(f)).replace("'", "''")
        r = "NULL" if region in (None, "") else "'" + region + "'"
        b = "NULL" if bucket in (None, "") else str(int(bucket))
        parts.append(f"SELECT '{f}' AS lake_path, {r}::VARCHAR AS region, {b}::INTEGER AS bucket, v, day FROM read_parquet('{path}')")
    con.execute("CREATE VIEW t AS " + " UNION ALL ".join(parts))
    skipped: dict[str, int] = {}
    failures = []
    for column, lake_p, duck_p in predicates:
        plan = explain(run_lake, table, lake_p)
        kept = set(plan["files"])
        hits = dict(con.execute(f"SELECT lake_path, count(*) FROM t WHERE {duck_p} GROUP BY lake_path").fetchall())
        missing = sorted(set(hits) - kept)
        if missing:
            failures.append(f"{lake_p!r} dropped {missing[0]} holding {hits[missing[0]]} matching rows")
        n = lake_count(run_lake, table, lake_p)
        if n != sum(hits.values()):
            failures.append(f"{lake_p!r}: lake returns {n} rows, DuckDB {sum(hits.values())}")
        if len(kept) < plan["filesTotal"]:
            skipped[column] = skipped.get(column, 0) + 1
    assert not failures, "\n".join(failures[:20])
    return skipped
