"""`lake frame` against duckdb on random data: filter, select, join, group-by, sort, unique, window.

The data is drawn with a fixed seed and written as Parquet by pyarrow: null-heavy columns, a skewed
key (one hot value plus a long tail, and nulls), many duplicates, NaN among the doubles, strings
(including the empty string and non-ASCII text), dates, timestamps and decimals. Every test runs
one pipeline through `lake frame ... --format ndjson` and the same operation as duckdb SQL over the
same Parquet file, converts duckdb's arrow result with lake_values (the NDJSON conventions), and
compares:

- exactly, value by value (ints are ints, decimals carry their scale, NaN is "NaN");
- in order where the operation defines one (filter and select keep input order; sort; unique and
  window keep input order), else as multisets (join, group-by);
- the doubles are quarter multiples of small magnitude, so every sum of them is exact in any
  summation order and sums compare exactly. Only avg, stddev and variance use a relative tolerance
  (1e-9): they divide and, for stddev/variance, accumulate squares whose rounding depends on the
  summation order and algorithm (Welford vs. two-pass), which differ between engines.

duckdb's defaults differ from Spark's (and lake's) in places, so the SQL spells them out: NULLS
FIRST for ascending keys, `sum(bigint)` cast back from HUGEINT to BIGINT, `first(x ORDER BY i)` for
the first row of a group, and n_unique as count(DISTINCT x) plus one when the group has a null.
"""

from __future__ import annotations

import decimal
import math
import re

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import parse_ndjson
from lake_values import format_decimal, table_to_rows, values_equal

SEED = 20260315
N = 3000  # main table
N_LEFT = 600  # join sides (kept small: the hot key makes the join quadratic in its share)
N_RIGHT = 150
STRINGS = ["apple", "Apple", "banana", "cherry", "a_b", "a%b", "", "zeta", "Éclair", "band"]
REL_TOL = 1e-9

# --------------------------------------------------------------------------- data


def _nulls(rng, n, share):
    return rng.random(n) < share


def _skewed_keys(rng, n, tail, hot_share=0.3, null_share=0.15):
    keys = rng.integers(1, tail + 1, n).astype(np.int64)
    keys[rng.random(n) < hot_share] = 0
    return pa.array(keys, pa.int64(), mask=_nulls(rng, n, null_share))


def main_table(n: int = N, seed: int = SEED) -> pa.Table:
    rng = np.random.default_rng(seed)
    d = rng.integers(-200, 201, n).astype(np.float64) / 4.0  # quarter multiples: exact sums
    d[rng.random(n) < 0.05] = np.nan
    s_idx = rng.integers(0, len(STRINGS), n)
    return pa.table(
        {
            "i": pa.array(np.arange(n, dtype=np.int64)),
            "k": _skewed_keys(rng, n, 200),
            "k2": pa.array(rng.integers(0, 3, n), pa.int64(), mask=_nulls(rng, n, 0.1)),
            "a": pa.array(rng.integers(-20, 21, n), pa.int64(), mask=_nulls(rng, n, 0.35)),
            "b": pa.array(rng.integers(1, 10, n), pa.int64(), mask=_nulls(rng, n, 0.25)),
            "d": pa.array(d, pa.float64(), mask=_nulls(rng, n, 0.3)),
            "s": pa.array([STRINGS[j] for j in s_idx], pa.string(), mask=_nulls(rng, n, 0.3)),
            "dt": pa.array(rng.integers(19358, 19358 + 500, n).astype(np.int32), pa.int32(), mask=_nulls(rng, n, 0.25)).cast(pa.date32()),
            "dec": pa.array(
                [decimal.Decimal(int(c)).scaleb(-2) for c in rng.integers(-9999, 10000, n)],
                pa.decimal128(9, 2),
                mask=_nulls(rng, n, 0.3),
            ),
            "ts": pa.array(
                rng.integers(1_672_531_200_000_000, 1_704_067_200_000_000, n), pa.int64(), mask=_nulls(rng, n, 0.2)
            ).cast(pa.timestamp("us")),
        }
    )


def left_table(seed: int = SEED + 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    n = N_LEFT
    return pa.table(
        {
            "i": pa.array(np.arange(n, dtype=np.int64)),
            "k": _skewed_keys(rng, n, 60),
            "k2": pa.array(rng.integers(0, 3, n), pa.int64(), mask=_nulls(rng, n, 0.1)),
            "a": pa.array(rng.integers(-20, 21, n), pa.int64(), mask=_nulls(rng, n, 0.35)),
            "s": pa.array([STRINGS[j] for j in rng.integers(0, len(STRINGS), n)], pa.string(), mask=_nulls(rng, n, 0.3)),
        }
    )


def right_table(seed: int = SEED + 2) -> pa.Table:
    rng = np.random.default_rng(seed)
    n = N_RIGHT
    return pa.table(
        {
            "k": _skewed_keys(rng, n, 80, hot_share=0.2),
            "k2": pa.array(rng.integers(0, 3, n), pa.int64(), mask=_nulls(rng, n, 0.1)),
            "rk": pa.array(np.arange(n, dtype=np.int64) + 1000),
            "rv": pa.array(rng.integers(-100, 100, n).astype(np.float64) / 2.0, pa.float64(), mask=_nulls(rng, n, 0.2)),
            "rs": pa.array([STRINGS[j] for j in rng.integers(0, len(STRINGS), n)], pa.string(), mask=_nulls(rng, n, 0.2)),
        }
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Paths of the three Parquet files and a duckdb connection with views t, l, r over them."""
    d = tmp_path_factory.mktemp("frame")
    paths = {"t": d / "t.parquet", "l": d / "l.parquet", "r": d / "r.parquet"}
    pq.write_table(main_table(), paths["t"], row_group_size=1000)
    pq.write_table(left_table(), paths["l"])
    pq.write_table(right_table(), paths["r"])
    con = duckdb.connect()
    for name, path in paths.items():
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")
    yield paths, con
    con.close()


# --------------------------------------------------------------------------- running and comparing


def lake(run_lake, path, *args) -> list[dict]:
    code, out, err = run_lake("frame", path, *args, "--format", "ndjson")
    assert code == 0, f"lake frame {' '.join(map(str, args))} failed (exit {code}): {err}"
    return parse_ndjson(out)


def duck(con, sql: str) -> list[dict]:
    return table_to_rows(con.sql(sql).to_arrow_table())


def _number(v):
    if isinstance(v, str):
        if v in ("NaN", "Infinity", "-Infinity"):
            return float(v.replace("Infinity", "inf"))
        return float(v)
    return float(v)


def _close(e, a) -> bool:
    if e is None or a is None:
        return e is None and a is None
    x, y = _number(e), _number(a)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-12)


def _canon(v):
    """A sort key under which values equal by `values_equal` sort together (1 and 1.0 alike)."""
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (1, int(v))
    if isinstance(v, (int, float)):
        return (2, decimal.Decimal(repr(v)))
    if isinstance(v, str):
        return (3, v)
    return (4, repr(v))


def compare(expected: list[dict], actual: list[dict], *, ordered: bool, approx: tuple[str, ...] = (), what: str = ""):
    assert len(actual) == len(expected), f"{what}: lake gave {len(actual)} rows, duckdb {len(expected)}"
    if expected and actual:
        assert list(actual[0].keys()) == list(expected[0].keys()), f"{what}: columns {list(actual[0])}, expected {list(expected[0])}"
    if not ordered:
        key = lambda row: tuple(_canon(v) for c, v in row.items() if c not in approx)  # noqa: E731
        expected = sorted(expected, key=key)
        actual = sorted(actual, key=key)
    for n, (e, a) in enumerate(zip(expected, actual)):
        for c in e:
            eq = _close if c in approx else values_equal
            assert eq(e[c], a.get(c)), f"{what}: row {n}, column {c!r}: lake {a.get(c)!r}, duckdb {e[c]!r}\n  lake row   {a}\n  duckdb row {e}"


# --------------------------------------------------------------------------- filter (three-valued logic)

PREDICATES = [
    "a IS NULL",
    "a IS NOT NULL AND b > 5",
    "a > 0 OR b > 5",
    "NOT (a > 0)",
    "NOT (a > 0 AND b < 3)",
    "a IN (1, 2, 3)",
    "a IN (1, 2, NULL)",
    "a NOT IN (1, 2, NULL)",
    "a NOT IN (1, 2)",
    "d BETWEEN -10 AND 10.5",
    "a NOT BETWEEN -5 AND 5",
    "d > 20",
    "d = CAST('NaN' AS double)",
    "d <> 0.25",
    "s LIKE 'a%'",
    "s LIKE '_pple'",
    "s NOT LIKE '%an%'",
    "s LIKE 'a%b'",
    "s ILIKE 'a%'",
    "s = ''",
    "s > 'b'",
    "CASE WHEN a > 5 THEN 'hi' WHEN a IS NULL THEN NULL ELSE 'lo' END = 'lo'",
    "CASE k2 WHEN 0 THEN a WHEN 1 THEN b END > 3",
    "COALESCE(a, b, 0) % 3 = 1",
    "a + b * 2 > 10",
    "a - b < 0 AND d IS NOT NULL",
    "a * b >= 40 OR a / b < -2",
    "dt >= DATE '2023-06-01'",
    "dt BETWEEN DATE '2023-03-01' AND DATE '2023-09-30' OR dt IS NULL",
    "ts < TIMESTAMP '2023-07-01 00:00:00'",
    "dec > 12.50",
    "dec * 2 <= -30",
    "a IS NOT DISTINCT FROM b",
    "a IS DISTINCT FROM b",
    "nullif(a, 0) IS NULL",
    "abs(a) >= 10",
    "length(s) > 5",
    "upper(s) = 'APPLE'",
    "greatest(a, b) > 7",
    "least(a, b) < -5",
    "year(dt) = 2024",
    "month(dt) IN (1, 2)",
    "CAST(a AS double) > d",
]


@pytest.mark.parametrize("predicate", PREDICATES)
def test_filter(run_lake, data, predicate):
    paths, con = data
    expected = duck(con, f"SELECT * FROM t WHERE {predicate} ORDER BY i")
    actual = lake(run_lake, paths["t"], "--where", predicate)
    compare(expected, actual, ordered=True, what=predicate)


def test_filter_not_in_with_null_is_never_true(run_lake, data):
    paths, _ = data
    assert lake(run_lake, paths["t"], "--where", "a NOT IN (1, 2, NULL)") == []


SELECT_LAKE = (
    "i, a + b AS ab, a * b AS prod, a / b AS q, a % b AS m, -a AS neg, coalesce(s, 'none') AS s2, "
    "CASE WHEN d > 0 THEN 'pos' WHEN d <= 0 THEN 'nonpos' ELSE 'other' END AS sign, "
    "dec + dec AS dec2, CAST(a AS double) AS ad, s || '!' AS bang, a > b AS gt, lower(s) AS lo, "
    "round(d) AS rd, abs(dec) AS adec"
)


def test_select_expressions(run_lake, data):
    paths, con = data
    expected = duck(con, f"SELECT {SELECT_LAKE} FROM t ORDER BY i")
    actual = lake(run_lake, paths["t"], "--select", SELECT_LAKE)
    compare(expected, actual, ordered=True, what="select")


# --------------------------------------------------------------------------- joins

def _join_sql(how: str, on: list[tuple[str, str]], left_cols, right_cols) -> str:
    cond = " AND ".join(f"l.{a} = r.{b}" for a, b in on)
    if how in ("semi", "anti"):
        neg = "NOT " if how == "anti" else ""
        return f"SELECT l.* FROM l WHERE {neg}EXISTS (SELECT 1 FROM r WHERE {cond})"
    left_keys = {a: b for a, b in on}
    right_keys = {b for _, b in on}
    items = []
    for c in left_cols:
        if c in left_keys and how in ("right", "full"):
            items.append(f"COALESCE(l.{c}, r.{left_keys[c]}) AS {c}")
        else:
            items.append(f"l.{c} AS {c}")
    for c in right_cols:
        if c in right_keys:
            continue
        items.append(f"r.{c} AS {c + '_right' if c in left_cols else c}")
    kind = {"inner": "INNER", "left": "LEFT", "right": "RIGHT", "full": "FULL OUTER"}[how]
    return f"SELECT {', '.join(items)} FROM l {kind} JOIN r ON {cond}"


JOINS = [(how, "k") for how in ("inner", "left", "right", "full", "semi", "anti")] + [
    ("inner", "k,k2"),
    ("full", "k,k2"),
    ("left", "k2"),
    ("inner", "s=rs"),
    ("anti", "s=rs"),
    ("right", "k=k,k2=k2"),
]


@pytest.mark.parametrize("how,on", JOINS)
def test_join(run_lake, data, how, on):
    paths, con = data
    pairs = []
    for item in on.split(","):
        a, _, b = item.partition("=")
        pairs.append((a, b or a))
    left_cols = left_table().column_names
    right_cols = right_table().column_names
    expected = duck(con, _join_sql(how, pairs, left_cols, right_cols))
    actual = lake(run_lake, paths["l"], "--join", paths["r"], "--on", on, "--how", how)
    assert expected, "the join test data should produce rows"
    compare(expected, actual, ordered=False, what=f"{how} join on {on}")


def test_join_keeps_left_order_for_left_join(run_lake, data):
    """A left join returns the left rows in order (each row's matches together)."""
    paths, _ = data
    actual = lake(run_lake, paths["l"], "--join", paths["r"], "--on", "k", "--how", "left")
    order = [row["i"] for row in actual]
    assert order == sorted(order)


def test_join_with_condition(run_lake, data):
    paths, con = data
    expected = duck(
        con,
        "SELECT l.*, r.k2 AS k2_right, r.rk, r.rv, r.rs FROM l JOIN r ON l.k = r.k AND r.rv > l.a",
    )
    actual = lake(run_lake, paths["l"], "--join", paths["r"], "--on", "k", "--join-condition", "rv > a")
    compare(expected, actual, ordered=False, what="join with residual condition")


# --------------------------------------------------------------------------- group by


AGGS_LAKE = [
    ("count(*) AS n", "count(*) AS n"),
    ("count(a) AS ca", "count(a) AS ca"),
    ("count(DISTINCT a) AS cda", "count(DISTINCT a) AS cda"),
    ("count(DISTINCT s) AS cds", "count(DISTINCT s) AS cds"),
    ("count(DISTINCT d) AS cdd", "count(DISTINCT d) AS cdd"),
    ("sum(a) AS sa", "sum(a)::BIGINT AS sa"),
    ("sum(d) AS sd", "sum(d) AS sd"),
    ("sum(dec) AS sdec", "sum(dec) AS sdec"),
    ("min(a) AS mina", "min(a) AS mina"),
    ("max(a) AS maxa", "max(a) AS maxa"),
    ("min(d) AS mind", "min(d) AS mind"),
    ("max(d) AS maxd", "max(d) AS maxd"),
    ("min(s) AS mins", "min(s) AS mins"),
    ("max(s) AS maxs", "max(s) AS maxs"),
    ("min(dt) AS mindt", "min(dt) AS mindt"),
    ("max(ts) AS maxts", "max(ts) AS maxts"),
    ("min(dec) AS mindec", "min(dec) AS mindec"),
    ("max(dec) AS maxdec", "max(dec) AS maxdec"),
    ("first(a) AS fa", "first(a ORDER BY i) AS fa"),
    ("last(s) AS ls", "last(s ORDER BY i) AS ls"),
    ("n_unique(b) AS nub", "(count(DISTINCT b) + (count(*) > count(b))::BIGINT) AS nub"),
    ("sum(a * b) AS sab", "sum(a * b)::BIGINT AS sab"),
    ("avg(a) AS avga", "avg(a) AS avga"),
    ("avg(d) AS avgd", "avg(d) AS avgd"),
    ("avg(dec) AS avgdec", "sum(dec) AS avgdec, count(dec) AS __count_dec"),
    ("stddev(a) AS sda", "stddev_samp(a) AS sda"),
    ("stddev(d) AS sdd", "stddev_samp(d) AS sdd"),
    ("variance(a) AS vara", "var_samp(a) AS vara"),
    ("variance(d) AS vard", "var_samp(d) AS vard"),
]
APPROX = ("avga", "avgd", "sda", "sdd", "vara", "vard")


def _decimal_avg(rows: list[dict]) -> list[dict]:
    """avg of a decimal(p, s) is decimal(p + 4, s + 4), rounded half up (Spark): duckdb gives a double, so the
    SQL returns sum and count and the exact expected average is computed here."""
    for row in rows:
        total, count = row["avgdec"], row.pop("__count_dec")
        if count == 0:
            row["avgdec"] = None
        else:
            q = (decimal.Decimal(total) / count).quantize(decimal.Decimal("0.000001"), rounding=decimal.ROUND_HALF_UP,
                                                          context=decimal.Context(prec=60))
            row["avgdec"] = format_decimal(q, 6)
    return rows


@pytest.mark.parametrize("keys", ["k", "k2, s", "dt", "d", "dec"])
def test_group_by_every_aggregate(run_lake, data, keys):
    paths, con = data
    lake_aggs = ", ".join(x for x, _ in AGGS_LAKE)
    duck_aggs = ", ".join(y for _, y in AGGS_LAKE)
    expected = _decimal_avg(duck(con, f"SELECT {keys}, {duck_aggs} FROM t GROUP BY {keys}"))
    actual = lake(run_lake, paths["t"], "--group-by", keys, "--agg", lake_aggs)
    assert len(expected) > 3
    compare(expected, actual, ordered=False, approx=APPROX, what=f"group by {keys}")


def test_global_aggregates(run_lake, data):
    paths, con = data
    lake_aggs = ", ".join(x for x, _ in AGGS_LAKE)
    duck_aggs = ", ".join(y for _, y in AGGS_LAKE)
    expected = _decimal_avg(duck(con, f"SELECT {duck_aggs} FROM t"))
    actual = lake(run_lake, paths["t"], "--agg", lake_aggs)
    compare(expected, actual, ordered=True, approx=APPROX, what="global aggregates")


def test_global_aggregates_of_no_rows(run_lake, data):
    paths, con = data
    expected = duck(con, "SELECT count(*) AS n, sum(a)::BIGINT AS s, max(s) AS m FROM t WHERE a > 1000")
    actual = lake(run_lake, paths["t"], "--where", "a > 1000", "--agg", "count(*) AS n, sum(a) AS s, max(s) AS m")
    compare(expected, actual, ordered=True, what="aggregates of no rows")


def test_group_by_expression_then_select_sort_limit(run_lake, data):
    paths, con = data
    expected = duck(
        con,
        "SELECT g, n, total, total * 2 AS doubled FROM ("
        "  SELECT coalesce(k2, -1) AS g, count(*) AS n, sum(a)::BIGINT AS total FROM t WHERE a IS NOT NULL GROUP BY 1"
        ") ORDER BY n DESC NULLS LAST, g ASC NULLS FIRST LIMIT 2",
    )
    actual = lake(
        run_lake, paths["t"], "--where", "a IS NOT NULL",
        "--group-by", "coalesce(k2, -1) AS g", "--agg", "count(*) AS n, sum(a) AS total",
        "--select", "g, n, total, total * 2 AS doubled", "--sort", "n desc, g", "--limit", "2",
    )  # fmt: skip
    compare(expected, actual, ordered=True, what="group-by pipeline")


# --------------------------------------------------------------------------- sort


SORTS = [
    "a",
    "a desc",
    "a desc nulls first, s",
    "s nulls last, d desc",
    "d",
    "d desc nulls first",
    "dt desc, dec",
    "k2, a nulls last, b desc nulls first",
    "ts",
    "a + b desc",
    "dec desc nulls last, s desc",
]


def _spark_order(item: str) -> str:
    """An ORDER BY item with Spark's default null placement made explicit (duckdb's default differs)."""
    text = item.strip()
    if re.search(r"\bnulls\s+(first|last)\s*$", text, re.I):
        return text
    return text + (" NULLS LAST" if re.search(r"\bdesc\s*$", text, re.I) else " NULLS FIRST")


@pytest.mark.parametrize("keys", SORTS)
def test_sort_is_stable_with_nulls_and_nan(run_lake, data, keys):
    """lake sorts stably, so its order equals duckdb's with the row index as the last key."""
    paths, con = data
    order = ", ".join(_spark_order(k) for k in keys.split(",")) + ", i"
    expected = duck(con, f"SELECT * FROM t ORDER BY {order}")
    actual = lake(run_lake, paths["t"], "--sort", keys)
    compare(expected, actual, ordered=True, what=f"sort {keys}")


def test_sort_then_limit(run_lake, data):
    paths, con = data
    expected = duck(con, "SELECT i, a, s FROM t ORDER BY s DESC NULLS LAST, a NULLS FIRST, i LIMIT 25")
    actual = lake(run_lake, paths["t"], "--select", "i, a, s", "--sort", "s desc, a", "--limit", "25")
    compare(expected, actual, ordered=True, what="sort + limit")


# --------------------------------------------------------------------------- unique


@pytest.mark.parametrize("cols", ["k, k2", "d", "s, dt", "dec"])
@pytest.mark.parametrize("keep", ["first", "last"])
def test_unique_keep(run_lake, data, cols, keep):
    paths, con = data
    direction = "ASC" if keep == "first" else "DESC"
    expected = duck(
        con,
        f"SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY {cols} ORDER BY i {direction}) = 1 ORDER BY i",
    )
    actual = lake(run_lake, paths["t"], "--unique", cols.replace(" ", ""), "--keep", keep)
    compare(expected, actual, ordered=True, what=f"unique {cols} keep {keep}")


def test_unique_any_and_distinct(run_lake, data):
    paths, con = data
    expected = duck(con, "SELECT DISTINCT k2, s FROM t")
    actual = lake(run_lake, paths["t"], "--unique", "k2,s", "--keep", "any", "--select", "k2, s")
    # --select runs before --unique; both spellings give the distinct pairs.
    compare(expected, actual, ordered=False, what="unique any")
    actual = lake(run_lake, paths["t"], "--select", "k2, s", "--distinct")
    compare(expected, actual, ordered=False, what="distinct")


# --------------------------------------------------------------------------- window functions

WINDOWS = [
    # (lake function, duckdb expression with `OVER W` for the window, OVER clause, approx)
    ("row_number()", "row_number() OVER W", "partition by k order by a nulls first, i", False),
    ("row_number()", "row_number() OVER W", "order by d desc nulls last, i", False),
    ("rank()", "rank() OVER W", "partition by k order by a desc nulls last", False),
    ("dense_rank()", "dense_rank() OVER W", "partition by k2 order by s nulls first", False),
    ("rank()", "rank() OVER W", "partition by k2 order by d nulls first", False),
    ("percent_rank()", "percent_rank() OVER W", "partition by k order by b nulls first", False),
    ("lag(a)", "lag(a) OVER W", "partition by k order by i", False),
    ("lag(a, 2, -1)", "lag(a, 2, -1) OVER W", "partition by k order by i", False),
    ("lead(s, 1, 'none')", "lead(s, 1, 'none') OVER W", "partition by k2 order by dt nulls first, i", False),
    ("lead(dec, 3)", "lead(dec, 3) OVER W", "partition by k order by i desc", False),
    ("sum(a)", "CAST(sum(a) OVER W AS BIGINT)", "partition by k order by b nulls first", False),
    ("sum(d)", "sum(d) OVER W", "partition by k order by i", False),
    ("sum(a)", "CAST(sum(a) OVER W AS BIGINT)", "partition by k", False),
    ("sum(a)", "CAST(sum(a) OVER W AS BIGINT)", "partition by k2 order by i rows between 2 preceding and current row", False),
    ("count(a)", "count(a) OVER W", "partition by k order by i", False),
    ("count(*)", "count(*) OVER W", "partition by k2 order by dt nulls first", False),
    ("min(d)", "min(d) OVER W", "partition by k2 order by i", False),
    ("max(s)", "max(s) OVER W", "partition by k order by i", False),
    ("avg(a)", "avg(a) OVER W", "partition by k order by i", True),
    ("avg(d)", "avg(d) OVER W", "partition by k2 order by i rows between 4 preceding and current row", True),
]


def _spark_over(over: str) -> str:
    m = re.search(r"\border by (.*?)(\brows between .*)?$", over, re.I)
    if not m:
        return over
    items = ", ".join(_spark_order(x) for x in m.group(1).split(","))
    return over[: m.start(1)] + items + (" " + m.group(2) if m.group(2) else "")


@pytest.mark.parametrize("lake_fn,duck_fn,over,approx", WINDOWS)
def test_window(run_lake, data, lake_fn, duck_fn, over, approx):
    paths, con = data
    window = duck_fn.replace("OVER W", f"OVER ({_spark_over(over)})")
    expected = duck(con, f"SELECT i, {window} AS w FROM t ORDER BY i")
    actual = lake(run_lake, paths["t"], "--window", f"w={lake_fn} over ({over})", "--select", "i, w")
    compare(expected, actual, ordered=True, approx=("w",) if approx else (), what=f"{lake_fn} over ({over})")


def test_several_windows_then_filter_order(run_lake, data):
    """Windows are computed before the group-by and see the rows that pass --where."""
    paths, con = data
    expected = duck(
        con,
        "SELECT k, max(rn) AS top, sum(run)::BIGINT AS total FROM ("
        "  SELECT k, row_number() OVER (PARTITION BY k ORDER BY i) AS rn,"
        "         sum(b) OVER (PARTITION BY k ORDER BY i) AS run FROM t WHERE b > 2"
        ") GROUP BY k",
    )
    actual = lake(
        run_lake, paths["t"], "--where", "b > 2",
        "--window", "rn=row_number() over (partition by k order by i), run=sum(b) over (partition by k order by i)",
        "--group-by", "k", "--agg", "max(rn) AS top, sum(run) AS total",
    )  # fmt: skip
    compare(expected, actual, ordered=False, what="windows + group-by")


# --------------------------------------------------------------------------- inputs and errors


def test_csv_and_ndjson_inputs(run_lake, data, work_dir):
    paths, con = data
    rows = duck(con, "SELECT i, k, a, s FROM t WHERE i < 200 ORDER BY i")
    csv_path = work_dir / "in.csv"
    con.execute(f"COPY (SELECT i, k, a, s FROM t WHERE i < 200 AND s <> '' ORDER BY i) TO '{csv_path}' (HEADER)")
    nd_path = work_dir / "in.ndjson"
    con.execute(f"COPY (SELECT i, k, a, s FROM t WHERE i < 200 ORDER BY i) TO '{nd_path}' (FORMAT json)")
    expected = duck(con, "SELECT k, count(*) AS n, sum(a)::BIGINT AS sa FROM t WHERE i < 200 GROUP BY k")
    actual = lake(run_lake, nd_path, "--group-by", "k", "--agg", "count(*) AS n, sum(a) AS sa")
    compare(expected, actual, ordered=False, what="ndjson input")
    expected = duck(con, "SELECT i, s FROM t WHERE i < 200 AND s <> '' AND a > 0 ORDER BY i")
    actual = lake(run_lake, csv_path, "--where", "a > 0", "--select", "i, s")
    compare(expected, actual, ordered=True, what="csv input")
    assert rows


def test_output_parquet(run_lake, data, work_dir):
    paths, con = data
    out = work_dir / "out.parquet"
    code, stdout, err = run_lake("frame", paths["t"], "--where", "k = 0", "--select", "i, a, dec", "--output", out)
    assert code == 0, err
    assert stdout == ""
    expected = duck(con, "SELECT i, a, dec FROM t WHERE k = 0 ORDER BY i")
    compare(expected, table_to_rows(pq.read_table(out)), ordered=True, what="--output")


@pytest.mark.parametrize(
    "args,needle,exit_code",
    [
        # A request lake cannot make sense of is a usage error (exit 2); one that fails on the data, exit 1.
        (["--where", "nope > 1"], "unknown column `nope`", 2),
        (["--where", "a >"], "^", 2),
        (["--group-by", "k", "--agg", "frobnicate(a)"], "unknown aggregate function", 2),
        (["--window", "w=ntile(4) over (order by i)"], "unknown window function", 2),
        (["--sort", "missing desc"], "unknown column", 2),
        (["--join", "/nonexistent/x.parquet", "--on", "k"], "lake:", 1),
        (["--where", "a / 0 > 1"], "division by zero", 1),
    ],
)
def test_errors_exit_with_a_message(run_lake, data, args, needle, exit_code):
    paths, _ = data
    code, out, err = run_lake("frame", paths["t"], *args)
    assert code == exit_code, f"exit {code}, stderr {err!r}"
    assert err.startswith("lake: "), err
    assert needle in err, err
