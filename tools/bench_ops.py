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
    lake: str = ""  # the lake binary, for inputs only lake can build (tables with deletion vectors)

    def out(self, name: str) -> Path:
        return self.out_dir / name


@dataclass(frozen=True)
class BenchOp:
    name: str
    peer: str
    prepare: Callable[[Context], Callable[[], object]]
    lake: Callable[[Context], list[str]]
    rows: Callable[[Context], int] | None = None
    # Python source run in a fresh interpreter (argv[1] = scratch dir) whose peak resident memory is the
    # peer's whole-process peak for this operation; None when the row reports no peer memory.
    peer_process: Callable[[Context], str] | None = None


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


# --------------------------------------------------------------------------- Delta tables
#
# The Delta rows of WORKLOAD.md against delta-rs (`deltalake`), in this process. Shared inputs are prepared
# once, untimed, and cached in .bench/ next to the orders file (written to a temporary name, then renamed):
# a table of the orders data written by delta-rs (full and filtered scans), a table with several versions
# (time travel), and a 100,000-file log (100 JSON commits x 1,000 adds with stats) plus a copy with a
# checkpoint written by delta-rs. Both engines read the very same folders. Writes go to a fresh directory per
# run (lake: --output DIR/run-i; delta-rs: one directory per call), so no deletion is timed.

DELTA_FILTER = "amount > 900 AND status = 'completed'"
DELTA_APPENDS = 200
SNAPSHOT_COMMITS = 100
SNAPSHOT_ADDS = 1_000


def _bench_dir(ctx: Context) -> Path:
    return ctx.inputs["orders"].parent


def _build_once(final: Path, build: Callable[[Path], None]) -> Path:
    """`final`, built by `build(tmp)` into a temporary directory and renamed, unless it exists already."""
    import os
    import shutil

    if final.exists():
        return final
    tmp = final.with_name(final.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    build(tmp)
    os.rename(tmp, final)
    return final


def _delta_orders(ctx: Context) -> Path:
    """The orders data as a Delta table written by delta-rs (one commit)."""
    from deltalake import write_deltalake

    return _build_once(
        _bench_dir(ctx) / f"delta-orders-{ctx.rows}",
        lambda tmp: write_deltalake(str(tmp), pq.read_table(ctx.inputs["orders"])),
    )


def _delta_versions(ctx: Context) -> Path:
    """A table with several versions: 0 = the orders data, 1 = delete status = 'cancelled', 2 = append N/10 rows."""
    from deltalake import DeltaTable, write_deltalake

    def build(tmp: Path) -> None:
        table = pq.read_table(ctx.inputs["orders"])
        write_deltalake(str(tmp), table)
        DeltaTable(str(tmp)).delete("status = 'cancelled'")
        write_deltalake(str(tmp), table.slice(0, max(1, ctx.rows // 10)), mode="append")

    return _build_once(_bench_dir(ctx) / f"delta-versions-{ctx.rows}", build)


def _snapshot_rows(commit: int, i: int) -> int:
    return 40_000 + (commit * SNAPSHOT_ADDS + i) % 20_000


SNAPSHOT_TOTAL_ROWS = sum(_snapshot_rows(c, i) for c in range(SNAPSHOT_COMMITS) for i in range(SNAPSHOT_ADDS))


def _write_snapshot_log(root: Path) -> None:
    """100 commit files x 1,000 add actions with orders-like stats (the data files themselves do not exist)."""
    import json
    import random
    import uuid

    rng = random.Random(20240101)
    log = root / "_delta_log"
    log.mkdir(parents=True)
    schema = {
        "type": "struct",
        "fields": [
            {"name": n, "type": t, "nullable": True, "metadata": {}}
            for n, t in [("order_id", "long"), ("customer_id", "long"), ("product_id", "long"),
                         ("amount", "double"), ("status", "string"), ("created_at", "timestamp_ntz")]
        ],
    }  # fmt: skip
    t0 = 1_704_067_200_000
    order_id = 0
    for c in range(SNAPSHOT_COMMITS):
        ts = t0 + c * 60_000
        lines = [{"commitInfo": {"timestamp": ts, "operation": "WRITE", "operationParameters": {"mode": "Append"},
                                 "engineInfo": "tools/bench"}}]  # fmt: skip
        if c == 0:
            lines.append({"protocol": {"minReaderVersion": 3, "minWriterVersion": 7,
                                       "readerFeatures": ["timestampNtz"], "writerFeatures": ["timestampNtz"]}})  # fmt: skip
            lines.append({"metaData": {"id": str(uuid.UUID(int=rng.getrandbits(128))), "name": None, "description": None,
                                       "format": {"provider": "parquet", "options": {}},
                                       "schemaString": json.dumps(schema, separators=(",", ":")),
                                       "partitionColumns": [], "createdTime": ts, "configuration": {}}})  # fmt: skip
        for i in range(SNAPSHOT_ADDS):
            n = _snapshot_rows(c, i)
            lo_ts = ts + rng.randrange(0, 10_000_000)
            hi_ts = lo_ts + rng.randrange(10_000_000, 20_000_000_000)
            stats = {
                "numRecords": n,
                "minValues": {"order_id": order_id, "customer_id": rng.randrange(0, 50), "product_id": rng.randrange(0, 5),
                              "amount": round(1 + rng.random(), 2), "status": "cancelled",
                              "created_at": _ntz(lo_ts)},
                "maxValues": {"order_id": order_id + n - 1, "customer_id": 99_999 - rng.randrange(0, 50),
                              "product_id": 9_999 - rng.randrange(0, 5), "amount": round(999 - rng.random(), 2),
                              "status": "refunded", "created_at": _ntz(hi_ts)},
                "nullCount": {"order_id": 0, "customer_id": 0, "product_id": 0, "amount": 0, "status": 0, "created_at": 0},
            }  # fmt: skip
            order_id += n
            lines.append({"add": {
                "path": f"part-{i:05d}-{uuid.UUID(int=rng.getrandbits(128))}-c000.snappy.parquet",
                "partitionValues": {}, "size": 2_000_000 + rng.randrange(0, 200_000), "modificationTime": ts,
                "dataChange": True, "stats": json.dumps(stats, separators=(",", ":")),
            }})  # fmt: skip
        text = "\n".join(json.dumps(line, separators=(",", ":")) for line in lines) + "\n"
        (log / f"{c:020d}.json").write_text(text)


def _ntz(ms: int) -> str:
    import datetime as dt

    t = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}"


def _snapshot_log(ctx: Context, checkpoint: bool) -> Path:
    """The 100,000-file log; with `checkpoint`, a copy with a checkpoint of its last version by delta-rs."""
    import shutil

    from deltalake import DeltaTable

    json_log = _build_once(_bench_dir(ctx) / "delta-snapshot-json", _write_snapshot_log)
    if not checkpoint:
        return json_log

    def build(tmp: Path) -> None:
        shutil.copytree(json_log, tmp)
        DeltaTable(str(tmp)).create_checkpoint()

    return _build_once(_bench_dir(ctx) / "delta-snapshot-checkpoint", build)


_FILTERED_ROWS: dict[Path, int] = {}


def _filtered_rows(ctx: Context) -> int:
    path = ctx.inputs["orders"]
    if path not in _FILTERED_ROWS:
        import pyarrow.compute as pc

        t = pq.read_table(path, columns=["amount", "status"])
        mask = pc.and_(pc.greater(t["amount"], 900), pc.equal(t["status"], "completed"))
        _FILTERED_ROWS[path] = int(pc.sum(mask).as_py() or 0)
    return _FILTERED_ROWS[path]


def _fresh_dirs(ctx: Context, name: str):
    """A callable giving a new, not yet existing directory under the run's output directory per call."""
    count = [0]

    def nxt() -> str:
        count[0] += 1
        return str(ctx.out(f"{name}-{count[0]}"))

    return nxt


def _deltars_write(ctx: Context):
    from deltalake import write_deltalake

    table = pq.read_table(ctx.inputs["orders"])
    nxt = _fresh_dirs(ctx, "peer-delta-write")
    return lambda: write_deltalake(nxt(), table)


def _deltars_write_file(ctx: Context):
    from deltalake import write_deltalake

    src = ctx.inputs["orders"]
    nxt = _fresh_dirs(ctx, "peer-delta-write-file")
    return lambda: write_deltalake(nxt(), pq.read_table(src))


def _deltars_write_file_process(ctx: Context) -> str:
    return (
        "import sys, pyarrow.parquet as pq\n"
        "from deltalake import write_deltalake\n"
        f"write_deltalake(sys.argv[1] + '/t', pq.read_table({str(ctx.inputs['orders'])!r}))\n"
    )


def _merge_source(ctx: Context) -> Path:
    """WORKLOAD.md's upsert source: N/10 rows, half with existing order_ids (amount changed), half new."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def build(tmp: Path) -> None:
        orders = pq.read_table(ctx.inputs["orders"])
        half = max(1, ctx.rows // 20)
        matching = orders.take(pa.array(range(0, ctx.rows, max(1, ctx.rows // half)))[:half])
        matching = matching.set_column(matching.schema.get_field_index("amount"), "amount", pc.add(matching["amount"], 1.0))
        new = orders.slice(0, half)
        new = new.set_column(0, "order_id", pa.array(range(ctx.rows, ctx.rows + half), pa.int64()))
        tmp.mkdir(parents=True)
        pq.write_table(pa.concat_tables([matching, new]), tmp / "source.parquet")

    return _build_once(_bench_dir(ctx) / f"merge-source-{ctx.rows}", build) / "source.parquet"


def _table_copies(ctx: Context, name: str, src: Path | None = None):
    """A callable giving a fresh copy of a table (default: the delta-rs orders table) per call; the copies are
    made untimed."""
    import shutil

    src = src or _delta_orders(ctx)
    copies = []
    for i in range(ctx.repeat):
        dst = ctx.out(f"{name}-{i}")
        shutil.copytree(src, dst)
        copies.append(str(dst))
    return lambda: copies.pop(0)


def _deltars_merge(ctx: Context):
    from deltalake import DeltaTable

    source = pq.read_table(_merge_source(ctx))
    nxt = _table_copies(ctx, "peer-merge")

    def run():
        (DeltaTable(nxt()).merge(source, "target.order_id = source.order_id", source_alias="source", target_alias="target")
         .when_matched_update_all().when_not_matched_insert_all().execute())

    return run


def _deltars_merge_process(ctx: Context) -> str:
    return (
        "import sys, shutil, pyarrow.parquet as pq\n"
        "from deltalake import DeltaTable\n"
        f"shutil.copytree({str(_delta_orders(ctx))!r}, sys.argv[1] + '/t')\n"
        f"s = pq.read_table({str(_merge_source(ctx))!r})\n"
        "(DeltaTable(sys.argv[1] + '/t').merge(s, 'target.order_id = source.order_id', source_alias='source', target_alias='target')"
        ".when_matched_update_all().when_not_matched_insert_all().execute())\n"
    )


def _deltars_delete(ctx: Context):
    from deltalake import DeltaTable

    nxt = _table_copies(ctx, "peer-delete")
    return lambda: DeltaTable(nxt()).delete("status = 'cancelled'")


def _deltars_delete_process(ctx: Context) -> str:
    return (
        "import sys, shutil\n"
        "from deltalake import DeltaTable\n"
        f"shutil.copytree({str(_delta_orders(ctx))!r}, sys.argv[1] + '/t')\n"
        "DeltaTable(sys.argv[1] + '/t').delete(\"status = 'cancelled'\")\n"
    )


def _delta_orders_appended(ctx: Context) -> Path:
    """The orders data as the table of the appends row: 200 delta-rs appends of N/200 rows, 200 small files."""
    from deltalake import write_deltalake

    def build(tmp: Path) -> None:
        table = pq.read_table(ctx.inputs["orders"])
        per = max(1, -(-table.num_rows // DELTA_APPENDS))
        for s in range(0, table.num_rows, per):
            write_deltalake(str(tmp), table.slice(s, per), mode="append")

    return _build_once(_bench_dir(ctx) / f"delta-orders-appended-{ctx.rows}", build)


def _appended_files(ctx: Context) -> int:
    """Files of the appended table: every one is small, so both compactions remove them all."""
    from deltalake import DeltaTable

    return len(DeltaTable(str(_delta_orders_appended(ctx))).file_uris())


# Both compact to lake's default target size (Delta's 256 MiB); delta-rs's own default is 100 MiB.
OPTIMIZE_TARGET = 256 << 20


def _deltars_optimize(ctx: Context):
    from deltalake import DeltaTable

    nxt = _table_copies(ctx, "peer-optimize", _delta_orders_appended(ctx))
    return lambda: DeltaTable(nxt()).optimize.compact(target_size=OPTIMIZE_TARGET)


def _deltars_optimize_process(ctx: Context) -> str:
    return (
        "import sys, shutil\n"
        "from deltalake import DeltaTable\n"
        f"shutil.copytree({str(_delta_orders_appended(ctx))!r}, sys.argv[1] + '/t')\n"
        f"DeltaTable(sys.argv[1] + '/t').optimize.compact(target_size={OPTIMIZE_TARGET})\n"
    )


# The Z-order row: both engines cluster the 200-file table by (customer_id, product_id) into 64 MiB files.
ZORDER_COLUMNS = ["customer_id", "product_id"]
ZORDER_TARGET = 64 << 20


def _deltars_zorder(ctx: Context):
    from deltalake import DeltaTable

    nxt = _table_copies(ctx, "peer-zorder", _delta_orders_appended(ctx))
    return lambda: DeltaTable(nxt()).optimize.z_order(ZORDER_COLUMNS, target_size=ZORDER_TARGET)


def _deltars_zorder_process(ctx: Context) -> str:
    return (
        "import sys, shutil\n"
        "from deltalake import DeltaTable\n"
        f"shutil.copytree({str(_delta_orders_appended(ctx))!r}, sys.argv[1] + '/t')\n"
        f"DeltaTable(sys.argv[1] + '/t').optimize.z_order({ZORDER_COLUMNS!r}, target_size={ZORDER_TARGET})\n"
    )


def _delta_orders_compacted(ctx: Context) -> Path:
    """The 200-file table after delta-rs compacted it: 200 removed files for a vacuum to delete."""
    import shutil

    from deltalake import DeltaTable

    def build(tmp: Path) -> None:
        shutil.copytree(_delta_orders_appended(ctx), tmp)
        DeltaTable(str(tmp)).optimize.compact(target_size=OPTIMIZE_TARGET)

    return _build_once(_bench_dir(ctx) / f"delta-orders-compacted-{ctx.rows}", build)


def _vacuumed_files(ctx: Context) -> int:
    """Files the vacuum deletes: the compacted-away ones (every file not in the snapshot)."""
    from deltalake import DeltaTable

    table = _delta_orders_compacted(ctx)
    on_disk = sum(1 for p in table.rglob("*.parquet") if "_delta_log" not in p.parts)
    return on_disk - len(DeltaTable(str(table)).file_uris())


def _deltars_vacuum(ctx: Context):
    from deltalake import DeltaTable

    nxt = _table_copies(ctx, "peer-vacuum", _delta_orders_compacted(ctx))
    return lambda: DeltaTable(nxt()).vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)


def _deltars_vacuum_process(ctx: Context) -> str:
    return (
        "import sys, shutil\n"
        "from deltalake import DeltaTable\n"
        f"shutil.copytree({str(_delta_orders_compacted(ctx))!r}, sys.argv[1] + '/t')\n"
        "DeltaTable(sys.argv[1] + '/t').vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)\n"
    )


# The small upsert of issue 9: 1,000 source rows into the orders table stored as 50 files.
UPSERT_FILES = 50
UPSERT_SOURCE_ROWS = 1_000
# The file whose order_id range the source keys fall in (the middle one).
UPSERT_FILE = UPSERT_FILES // 2
ORDERS_SCHEMA_SQL = "order_id long, customer_id long, product_id long, amount double, status string, created_at timestamp_ntz"


def _upsert_parts(ctx: Context) -> list:
    """The orders rows with order_id doubled, in order, cut into 50 parts: each part (one file) holds a
    contiguous range of even order_ids, which leaves the odd ids inside a file's range free for new keys
    (so a source falls in one file's key range with half its keys new)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    orders = pq.read_table(ctx.inputs["orders"])
    orders = orders.set_column(0, "order_id", pc.multiply(orders["order_id"], pa.scalar(2, pa.int64())))
    per = max(1, -(-orders.num_rows // UPSERT_FILES))
    return [orders.slice(s, per) for s in range(0, orders.num_rows, per)]


def _delta_orders_50(ctx: Context) -> Path:
    """The orders table as 50 files written by delta-rs (50 appends in order_id order)."""
    from deltalake import write_deltalake

    def build(tmp: Path) -> None:
        for part in _upsert_parts(ctx):
            write_deltalake(str(tmp), part, mode="append")

    return _build_once(_bench_dir(ctx) / f"delta-orders50-{ctx.rows}", build)


def _delta_orders_50_dv(ctx: Context) -> Path:
    """The same 50 files' rows in a table lake created with delta.enableDeletionVectors=true (lake create, then
    one lake write per part), so lake's merge marks rows in deletion vectors instead of rewriting the file."""
    import subprocess
    import tempfile

    def lake(*args) -> None:
        p = subprocess.run([ctx.lake, *map(str, args)], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"building the deletion-vector table: `lake {' '.join(map(str, args))}` failed: {p.stderr.strip()[-500:]}")

    def build(tmp: Path) -> None:
        if not ctx.lake:
            raise RuntimeError("building the deletion-vector table needs the lake binary (Context.lake)")
        lake("create", tmp, "--schema", ORDERS_SCHEMA_SQL, "--property", "delta.enableDeletionVectors=true")
        with tempfile.TemporaryDirectory() as parts:
            for i, part in enumerate(_upsert_parts(ctx)):
                f = Path(parts) / f"part-{i}.parquet"
                pq.write_table(part, f)
                lake("write", tmp, f)

    return _build_once(_bench_dir(ctx) / f"delta-orders50-dv-{ctx.rows}", build)


def _upsert_source(ctx: Context) -> Path:
    """1,000 rows whose order_ids fall in the middle file's range: half existing (even ids, amount + 1), half
    new (odd ids between them). Fewer when a file holds fewer than 500 rows (small --rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def build(tmp: Path) -> None:
        parts = _upsert_parts(ctx)
        part = parts[min(UPSERT_FILE, len(parts) - 1)]
        half = min(UPSERT_SOURCE_ROWS // 2, part.num_rows)
        step = max(1, part.num_rows // half)
        rows = part.take(pa.array(range(0, step * half, step), pa.int64()))
        matching = rows.set_column(3, "amount", pc.add(rows["amount"], 1.0))
        new = rows.set_column(0, "order_id", pc.add(rows["order_id"], pa.scalar(1, pa.int64())))
        tmp.mkdir(parents=True)
        pq.write_table(pa.concat_tables([matching, new]), tmp / "source.parquet")

    return _build_once(_bench_dir(ctx) / f"upsert-source-{ctx.rows}", build) / "source.parquet"


def _upsert_source_rows(ctx: Context) -> int:
    return pq.read_metadata(_upsert_source(ctx)).num_rows


def _deltars_small_upsert(ctx: Context):
    import shutil

    from deltalake import DeltaTable

    source = pq.read_table(_upsert_source(ctx))
    src = _delta_orders_50(ctx)
    copies = []
    for i in range(ctx.repeat):
        dst = ctx.out(f"peer-upsert-{i}")
        shutil.copytree(src, dst)
        copies.append(str(dst))

    def run():
        (DeltaTable(copies.pop(0)).merge(source, "target.order_id = source.order_id", source_alias="source", target_alias="target")
         .when_matched_update_all().when_not_matched_insert_all().execute())

    return run


def _deltars_small_upsert_process(ctx: Context) -> str:
    return (
        "import sys, shutil, pyarrow.parquet as pq\n"
        "from deltalake import DeltaTable\n"
        f"shutil.copytree({str(_delta_orders_50(ctx))!r}, sys.argv[1] + '/t')\n"
        f"s = pq.read_table({str(_upsert_source(ctx))!r})\n"
        "(DeltaTable(sys.argv[1] + '/t').merge(s, 'target.order_id = source.order_id', source_alias='source', target_alias='target')"
        ".when_matched_update_all().when_not_matched_insert_all().execute())\n"
    )


def _deltars_appends(ctx: Context):
    from deltalake import write_deltalake

    table = pq.read_table(ctx.inputs["orders"])
    per = max(1, -(-table.num_rows // DELTA_APPENDS))
    slices = [table.slice(s, per) for s in range(0, table.num_rows, per)]
    nxt = _fresh_dirs(ctx, "peer-delta-appends")

    def run():
        path = nxt()
        for s in slices:
            write_deltalake(path, s, mode="append")

    return run


def _deltars_scan(ctx: Context):
    from deltalake import DeltaTable

    path = str(_delta_orders(ctx))
    return lambda: DeltaTable(path).to_pyarrow_table()


def _deltars_scan_filtered(ctx: Context):
    from deltalake import DeltaTable

    path = str(_delta_orders(ctx))
    filters = [("amount", ">", 900.0), ("status", "=", "completed")]
    return lambda: DeltaTable(path).to_pyarrow_table(filters=filters)


def _deltars_time_travel(ctx: Context):
    from deltalake import DeltaTable

    path = str(_delta_versions(ctx))
    return lambda: DeltaTable(path, version=0).to_pyarrow_table()


def _deltars_snapshot(checkpoint: bool):
    def prepare(ctx: Context):
        import pyarrow as pa
        import pyarrow.compute as pc
        from deltalake import DeltaTable

        path = str(_snapshot_log(ctx, checkpoint))

        def run():
            adds = pa.table(DeltaTable(path).get_add_actions(flatten=True))
            files, rows = adds.num_rows, pc.sum(adds["num_records"]).as_py()
            assert (files, rows) == (SNAPSHOT_COMMITS * SNAPSHOT_ADDS, SNAPSHOT_TOTAL_ROWS), (files, rows)
            return files, rows

        return run

    return prepare


# The S3 rows (issue 12): both engines on the same tables in moto's S3 server on 127.0.0.1 (tools/s3_server.py,
# started once per run and stopped at exit). moto serves one request at a time, so these rows compare the clients
# on a slow, serial server, not S3's throughput.
S3_BUCKET = "lake-bench"
_S3_ENV: dict[str, str] = {}


def _s3_env() -> dict[str, str]:
    """Starts the S3 server once; its endpoint and keys go into os.environ, so lake's subprocesses see them."""
    import atexit
    import os
    import shlex
    import subprocess
    import sys

    if _S3_ENV:
        return _S3_ENV
    script = Path(__file__).with_name("s3_server.py")
    out = subprocess.run([sys.executable, str(script), "start", "--bucket", S3_BUCKET], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("export "):
            name, _, value = line[len("export "):].partition("=")
            _S3_ENV[name] = shlex.split(value)[0]
    os.environ.update(_S3_ENV)
    pid = _S3_ENV["LAKE_S3_SERVER_PID"]
    atexit.register(lambda: subprocess.run([sys.executable, str(script), "stop", pid], check=False))
    return _S3_ENV


def _s3_options() -> dict[str, str]:
    env = _s3_env()
    return {
        "AWS_ENDPOINT_URL": env["AWS_ENDPOINT_URL"], "AWS_ALLOW_HTTP": "true", "AWS_REGION": env["AWS_REGION"],
        "AWS_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"],
        "conditional_put": "etag",
    }


_S3_TABLES: dict[int, str] = {}


def _s3_orders(ctx: Context) -> str:
    """The delta-rs orders table copied into the S3 server (once per run: moto keeps it in memory)."""
    import boto3

    if ctx.rows not in _S3_TABLES:
        env = _s3_env()
        s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=env["AWS_REGION"])
        local = _delta_orders(ctx)
        prefix = f"orders-{ctx.rows}"
        for f in local.rglob("*"):
            if f.is_file():
                s3.upload_file(str(f), S3_BUCKET, f"{prefix}/{f.relative_to(local)}")
        _S3_TABLES[ctx.rows] = f"s3://{S3_BUCKET}/{prefix}"
    return _S3_TABLES[ctx.rows]


def _deltars_s3_scan(ctx: Context):
    from deltalake import DeltaTable

    uri, opts = _s3_orders(ctx), _s3_options()
    return lambda: DeltaTable(uri, storage_options=opts).to_pyarrow_table()


def _deltars_s3_scan_columns(ctx: Context):
    from deltalake import DeltaTable

    uri, opts = _s3_orders(ctx), _s3_options()
    return lambda: DeltaTable(uri, storage_options=opts).to_pyarrow_table(columns=["customer_id", "amount"], filters=[("amount", ">", 900.0)])


def _s3_filtered_rows(ctx: Context) -> int:
    import pyarrow.compute as pc

    amount = pq.read_table(ctx.inputs["orders"], columns=["amount"])["amount"]
    return int(pc.sum(pc.greater(amount, 900.0)).as_py() or 0)


def _deltars_s3_write(ctx: Context):
    import uuid

    from deltalake import write_deltalake

    table, opts = pq.read_table(ctx.inputs["orders"]), _s3_options()
    return lambda: write_deltalake(f"s3://{S3_BUCKET}/peer-write-{uuid.uuid4().hex}", table, storage_options=opts)


DELTA_OPS: list[BenchOp] = [
    BenchOp(
        name="delta-write",
        peer="delta-rs",
        prepare=_deltars_write,
        lake=lambda ctx: ["delta-write", "--input", str(ctx.inputs["orders"]), "--output", str(ctx.out("lake-delta-write"))],
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="delta-write-file",
        peer="delta-rs",
        prepare=_deltars_write_file,
        lake=lambda ctx: ["delta-write-file", "--input", str(ctx.inputs["orders"]), "--output", str(ctx.out("lake-delta-write-file"))],
        rows=lambda ctx: ctx.rows,
        peer_process=_deltars_write_file_process,
    ),
    BenchOp(
        name="delta-merge",
        peer="delta-rs",
        prepare=_deltars_merge,
        lake=lambda ctx: ["delta-merge", "--input", str(_delta_orders(ctx)), "--input2", str(_merge_source(ctx)),
                          "--output", str(ctx.out("lake-delta-merge"))],
        peer_process=_deltars_merge_process,
    ),
    BenchOp(
        name="delta-delete",
        peer="delta-rs",
        prepare=_deltars_delete,
        lake=lambda ctx: ["delta-delete", "--input", str(_delta_orders(ctx)), "--output", str(ctx.out("lake-delta-delete"))],
        peer_process=_deltars_delete_process,
    ),
    BenchOp(
        name="delta-optimize",
        peer="delta-rs",
        prepare=_deltars_optimize,
        lake=lambda ctx: ["delta-optimize", "--input", str(_delta_orders_appended(ctx)), "--output", str(ctx.out("lake-delta-optimize"))],
        rows=_appended_files,
        peer_process=_deltars_optimize_process,
    ),
    BenchOp(
        name="delta-zorder",
        peer="delta-rs",
        prepare=_deltars_zorder,
        lake=lambda ctx: ["delta-zorder", "--input", str(_delta_orders_appended(ctx)), "--output", str(ctx.out("lake-delta-zorder"))],
        rows=_appended_files,
        peer_process=_deltars_zorder_process,
    ),
    BenchOp(
        name="delta-vacuum",
        peer="delta-rs",
        prepare=_deltars_vacuum,
        lake=lambda ctx: ["delta-vacuum", "--input", str(_delta_orders_compacted(ctx)), "--output", str(ctx.out("lake-delta-vacuum"))],
        rows=_vacuumed_files,
        peer_process=_deltars_vacuum_process,
    ),
    BenchOp(
        name="delta-upsert-small",
        peer="delta-rs",
        prepare=_deltars_small_upsert,
        lake=lambda ctx: ["delta-merge", "--input", str(_delta_orders_50(ctx)), "--input2", str(_upsert_source(ctx)),
                          "--output", str(ctx.out("lake-upsert-small"))],
        rows=_upsert_source_rows,
        peer_process=_deltars_small_upsert_process,
    ),
    BenchOp(
        # delta-rs cannot write deletion vectors: its row is the same merge on the plain table.
        name="delta-upsert-small-dv",
        peer="delta-rs",
        prepare=_deltars_small_upsert,
        lake=lambda ctx: ["delta-merge", "--input", str(_delta_orders_50_dv(ctx)), "--input2", str(_upsert_source(ctx)),
                          "--output", str(ctx.out("lake-upsert-small-dv"))],
        rows=_upsert_source_rows,
        peer_process=_deltars_small_upsert_process,
    ),
    BenchOp(
        name="delta-scan",
        peer="delta-rs",
        prepare=_deltars_scan,
        lake=lambda ctx: ["delta-scan", "--input", str(_delta_orders(ctx))],
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="delta-scan-filtered",
        peer="delta-rs",
        prepare=_deltars_scan_filtered,
        lake=lambda ctx: ["delta-scan-filtered", "--input", str(_delta_orders(ctx))],
        rows=_filtered_rows,
    ),
    BenchOp(
        name="s3-scan",
        peer="delta-rs",
        prepare=_deltars_s3_scan,
        lake=lambda ctx: ["delta-scan", "--input", _s3_orders(ctx)],
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="s3-scan-filtered",
        peer="delta-rs",
        prepare=_deltars_s3_scan_columns,
        lake=lambda ctx: ["delta-scan-columns", "--input", _s3_orders(ctx)],
        rows=_s3_filtered_rows,
    ),
    BenchOp(
        name="s3-write",
        peer="delta-rs",
        prepare=_deltars_s3_write,
        lake=lambda ctx: ["delta-write", "--input", str(ctx.inputs["orders"]), "--output", f"s3://{S3_BUCKET}/lake-write-{_s3_env() and ctx.rows}"],
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="delta-appends",
        peer="delta-rs",
        prepare=_deltars_appends,
        lake=lambda ctx: ["delta-appends", "--input", str(ctx.inputs["orders"]), "--output", str(ctx.out("lake-delta-appends"))],
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="delta-time-travel",
        peer="delta-rs",
        prepare=_deltars_time_travel,
        lake=lambda ctx: ["delta-time-travel", "--input", str(_delta_versions(ctx))],
        rows=lambda ctx: ctx.rows,
    ),
    BenchOp(
        name="delta-snapshot-json",
        peer="delta-rs",
        prepare=_deltars_snapshot(checkpoint=False),
        lake=lambda ctx: ["delta-snapshot-json", "--input", str(_snapshot_log(ctx, checkpoint=False))],
        rows=lambda ctx: SNAPSHOT_TOTAL_ROWS,
    ),
    BenchOp(
        name="delta-snapshot-checkpoint",
        peer="delta-rs",
        prepare=_deltars_snapshot(checkpoint=True),
        lake=lambda ctx: ["delta-snapshot-checkpoint", "--input", str(_snapshot_log(ctx, checkpoint=True))],
        rows=lambda ctx: SNAPSHOT_TOTAL_ROWS,
    ),
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
    *DELTA_OPS,
]

REGISTRY: dict[str, BenchOp] = {op.name: op for op in OPS}
assert len(REGISTRY) == len(OPS), "duplicate benchmark names"
