"""The benchmark registry: one entry per row of the report.

To add an operation, append one `BenchOp` to `OPS`:

- `peer` names the peer engine shown in the report;
- `prepare(ctx)` does the untimed setup in this process (load inputs into memory, clear
  outputs) and returns a zero-argument callable; tools/bench times that callable, best of R;
- `lake(ctx)` gives the arguments after `lake bench` (the harness appends `--repeat R`); lake
  does the operation R times in-process and prints {"op", "seconds" (best of R), "rows"}.
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
]

REGISTRY: dict[str, BenchOp] = {op.name: op for op in OPS}
assert len(REGISTRY) == len(OPS), "duplicate benchmark names"
