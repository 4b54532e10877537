"""The standard workload's input data (shared/bench/WORKLOAD.md), generated once and cached.

`orders` (N rows) and `customers` (100,000 rows) are drawn from numpy's PCG64 with a fixed
seed and written by pyarrow (snappy) to .bench/orders-<N>.parquet and
.bench/customers.parquet. Files are written to a temporary name and renamed, so an
interrupted run never leaves a truncated cache entry.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20240101
CUSTOMERS = 100_000
PRODUCTS = 10_000
STATUSES = ["pending", "completed", "cancelled", "refunded"]
SEGMENTS = ["a", "b", "c"]
YEAR_START_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00
YEAR_SPAN_US = 366 * 86_400_000_000  # 2024 is a leap year


def orders_table(n: int, seed: int = SEED) -> pa.Table:
    rng = np.random.default_rng(seed)
    customer_id = rng.integers(0, CUSTOMERS, n, dtype=np.int64)
    product_id = rng.integers(0, PRODUCTS, n, dtype=np.int64)
    amount = np.round(rng.uniform(1.0, 1000.0, n), 2)
    status_idx = rng.integers(0, len(STATUSES), n, dtype=np.int32)
    created = rng.integers(YEAR_START_US, YEAR_START_US + YEAR_SPAN_US, n, dtype=np.int64)
    status = pa.array(STATUSES, pa.string()).take(pa.array(status_idx))
    return pa.table(
        {
            "order_id": pa.array(np.arange(n, dtype=np.int64)),
            "customer_id": pa.array(customer_id),
            "product_id": pa.array(product_id),
            "amount": pa.array(amount, pa.float64()),
            "status": status,
            "created_at": pa.array(created).view(pa.timestamp("us")),
        }
    )


def customers_table(seed: int = SEED + 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    seg = rng.integers(0, len(SEGMENTS), CUSTOMERS, dtype=np.int32)
    return pa.table(
        {
            "customer_id": pa.array(np.arange(CUSTOMERS, dtype=np.int64)),
            "segment": pa.array(SEGMENTS, pa.string()).take(pa.array(seg)),
        }
    )


def _write_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="snappy")
    os.replace(tmp, path)


def ensure_data(bench_dir: Path, n: int, log=print) -> dict[str, Path]:
    """Paths of the cached input files, generating the missing ones."""
    bench_dir.mkdir(parents=True, exist_ok=True)
    orders = bench_dir / f"orders-{n}.parquet"
    customers = bench_dir / "customers.parquet"
    if not orders.exists():
        log(f"generating {orders} ({n:,} rows)")
        _write_atomic(orders_table(n), orders)
    if not customers.exists():
        log(f"generating {customers} ({CUSTOMERS:,} rows)")
        _write_atomic(customers_table(), customers)
    return {"orders": orders, "customers": customers}
