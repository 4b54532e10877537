"""The benchmark registry: one entry per row of the report.

To add an operation, append one `BenchOp` to `OPS`:

- `peer` names the peer engine shown in the report;
- `prepare(ctx)` does the untimed setup in this process (load inputs into memory, clear
  outputs) and returns a zero-argument callable; tools/bench times that callable, best of R;
- `lake(ctx)` gives the arguments after `lake bench` (the harness appends `--repeat R`); lake
  does the operation R times in-process and prints {"op", "seconds" (best of R), "rows", "peak_kib"}
  (peak_kib: lake's own peak resident size, which tools/bench reports as its peak memory).
- `rows(ctx)`, when set, is the row count lake must report (a sanity check of the run).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyarrow.parquet as pq


@dataclass
class Context:
    rows: int
    repeat: int
    inputs: dict[str, Path]  # "orders", "customers"
    out_dir: Path  # scratch space for outputs, emptied per run

    def out(self, name: str) -> Path:
        return self.out_dir / name


@dataclass(frozen=True)
class BenchOp:
    name: str
    peer: str
    prepare: Callable[[Context], Callable[[], object]]
    lake: Callable[[Context], list[str]]
    rows: Callable[[Context], int] | None = None


# --------------------------------------------------------------------------- Parquet


def _pyarrow_write(codec: str):
    def prepare(ctx: Context):
        table = pq.read_table(ctx.inputs["orders"])
        out = ctx.out(f"peer-orders-{codec}.parquet")

        def run():
            pq.write_table(table, out, compression=codec)

        return run

    return prepare


def _lake_write(codec: str):
    return lambda ctx: [
        "parquet-write",
        "--input", str(ctx.inputs["orders"]),
        "--output", str(ctx.out(f"lake-orders-{codec}.parquet")),
        "--compression", codec,
    ]  # fmt: skip


def _pyarrow_read(ctx: Context):
    path = ctx.inputs["orders"]
    return lambda: pq.read_table(path)


# --------------------------------------------------------------------------- DataFrame (in memory)
#
# The in-memory rows of WORKLOAD.md. Each operation has two rows, one per peer, so one run shows lake
# against polars and duckdb side by side. Peers get their input loaded untimed (a polars DataFrame; a
# duckdb table created from the arrow table); only the operation is timed, and duckdb's result is
# materialized as an arrow table. lake loads the Parquet file untimed and times the operation in-process.

FILTER_SQL = "amount > 500 AND status <> 'cancelled'"


def _polars_frame(ctx: Context, name: str = "orders"):
    import polars as pl

    return pl.from_arrow(pq.read_table(ctx.inputs[name]))


def _polars_op(op: str):
    def prepare(ctx: Context):
        import polars as pl

        df = _polars_frame(ctx)
        if op == "filter":
            return lambda: df.filter((pl.col("amount") > 500) & (pl.col("status") != "cancelled"))
        if op == "groupby":
            return lambda: df.group_by("customer_id").agg(
                pl.len().alias("n"),
                pl.col("amount").sum().alias("total"),
                pl.col("amount").mean().alias("mean"),
                pl.col("product_id").n_unique().alias("products"),
            )
        if op == "join":
            customers = _polars_frame(ctx, "customers")
            return lambda: df.join(customers, on="customer_id", how="left")
        if op == "sort":
            return lambda: df.sort(["customer_id", "amount"])
        if op == "window":
            return lambda: df.with_columns(
                pl.col("amount").cum_sum().over("customer_id", order_by="created_at").alias("running_amount")
            )
        raise ValueError(op)

    return prepare


_DUCKDB_SQL = {
    "filter": f"SELECT * FROM orders WHERE {FILTER_SQL}",
    "groupby": "SELECT customer_id, count(*) AS n, sum(amount) AS total, avg(amount) AS mean, "
    "count(DISTINCT product_id) AS products FROM orders GROUP BY customer_id",
    "join": "SELECT o.*, c.segment FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id",
    "sort": "SELECT * FROM orders ORDER BY customer_id, amount",
    "window": "SELECT *, sum(amount) OVER (PARTITION BY customer_id ORDER BY created_at) AS running_amount FROM orders",
}


def _duckdb_op(op: str):
    def prepare(ctx: Context):
        import duckdb

        con = duckdb.connect()
        names = ["orders", "customers"] if op == "join" else ["orders"]
        for name in names:
            table = pq.read_table(ctx.inputs[name])
            con.register(f"{name}_arrow", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
            con.unregister(f"{name}_arrow")
        sql = _DUCKDB_SQL[op]
        return lambda: con.sql(sql).to_arrow_table()

    return prepare


def _lake_frame(op: str):
    def args(ctx: Context) -> list[str]:
        a = [f"frame-{op}", "--input", str(ctx.inputs["orders"])]
        if op == "join":
            a += ["--input2", str(ctx.inputs["customers"])]
        return a

    return args


def _frame_rows(op: str):
    # Row-preserving operations must return every input row; the others are checked by the peers' tests.
    return (lambda ctx: ctx.rows) if op in ("join", "sort", "window") else None


FRAME_OPS: list[BenchOp] = [
    BenchOp(
        name=f"frame-{op} ({peer})",
        peer=peer,
        prepare=(_polars_op if peer == "polars" else _duckdb_op)(op),
        lake=_lake_frame(op),
        rows=_frame_rows(op),
    )
    for op in ("filter", "groupby", "join", "sort", "window")
    for peer in ("polars", "duckdb")
]


OPS: list[BenchOp] = [
    BenchOp(
        name="parquet-write-snappy",
        peer="pyarrow",
        prepare=_pyarrow_write("snappy"),
        lake=_lake_write("snappy"),
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="parquet-write-zstd",
        peer="pyarrow",
        prepare=_pyarrow_write("zstd"),
        lake=_lake_write("zstd"),
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="parquet-read",
        peer="pyarrow",
        prepare=_pyarrow_read,
        lake=lambda ctx: ["parquet-read", "--input", str(ctx.inputs["orders"])],
        rows=lambda ctx: ctx.rows,
    ),
    *FRAME_OPS,
]

REGISTRY: dict[str, BenchOp] = {op.name: op for op in OPS}
assert len(REGISTRY) == len(OPS), "duplicate benchmark names"
