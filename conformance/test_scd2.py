"""`lake scd2` against a small reference implementation of SCD Type 2 written here.

Random batches (new keys, changes in tracked and untracked columns, nulls, repeated batches, close-missing,
update-untracked, late arrivals, duplicate keys) are loaded one after another; after every batch the table,
read through deltalake, must hold exactly the reference's rows, and a batch the reference rejects must fail in
lake with the table's version unchanged. A second suite races an SCD2 load against appends: no row is lost.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

BASE_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z
DAY_US = 86_400_000_000


class Rejected(Exception):
    pass


def reference_load(state, batch, eff, close_missing, update_untracked):
    """Applies one SCD2 batch to `state` (a list of dicts); raises Rejected when lake must refuse it."""
    keys = [r["id"] for r in batch]
    if any(k is None for k in keys) or len(set(keys)) != len(keys):
        raise Rejected("null or duplicate key")
    new = [dict(r) for r in state]
    for src in batch:
        current = [r for r in new if r["id"] == src["id"] and r["is_current"]]
        if not current:
            new.append({**src, "is_current": True, "valid_from": eff, "valid_to": None})
            continue
        changed = [r for r in current if r["a"] != src["a"]]  # None == None: no change (null-safe)
        for r in changed:
            if eff < r["valid_from"]:
                raise Rejected("late arrival")
        for r in current:
            if r in changed:
                r["is_current"], r["valid_to"] = False, eff
            elif update_untracked:
                r["b"] = src["b"]
        if changed:
            new.append({**src, "is_current": True, "valid_from": eff, "valid_to": None})
    if close_missing:
        present = set(keys)
        for r in new:
            if r["is_current"] and r["id"] not in present:
                r["is_current"], r["valid_to"] = False, eff
    return new


def as_counter(rows):
    return Counter(json.dumps([r["id"], r["a"], r["b"], r["is_current"], r["valid_from"], r["valid_to"]]) for r in rows)


def table_rows(path: Path):
    t = DeltaTable(str(path)).to_pyarrow_table()
    out = []
    for r in t.to_pylist():
        def us(v):
            if v is None:
                return None
            return int(v.timestamp() * 1_000_000) if v.tzinfo else int(v.replace(tzinfo=__import__("datetime").timezone.utc).timestamp() * 1_000_000)
        out.append({"id": r["id"], "a": r["a"], "b": r["b"], "is_current": r["is_current"],
                    "valid_from": us(r["valid_from"]), "valid_to": us(r["valid_to"])})
    return out


def write_batch(path: Path, batch):
    pq.write_table(pa.table({
        "id": pa.array([r["id"] for r in batch], pa.int64()),
        "a": pa.array([r["a"] for r in batch], pa.int64()),
        "b": pa.array([r["b"] for r in batch], pa.string()),
    }), path)


def random_batch(rng: random.Random, state):
    n = rng.randint(1, 8)
    ids = rng.sample(range(12), n)
    if rng.random() < 0.08:
        ids.append(ids[0])  # duplicate key
    current = {r["id"]: r for r in state if r["is_current"]}
    batch = []
    for i in ids:
        old = current.get(i)
        if old is not None and rng.random() < 0.5:
            a = old["a"]  # unchanged tracked column
        else:
            a = rng.choice([None, 1, 2, 3])
        batch.append({"id": i, "a": a, "b": rng.choice([None, "x", "y", "z"])})
    return batch


@pytest.mark.parametrize("seed", range(8))
def test_random_scd2_batches_match_the_reference(run_lake, work_dir, seed):
    rng = random.Random(9100 + seed)
    table = work_dir / "dim"
    state = []
    version = -1
    eff = BASE_US
    last_batch = None
    for step in range(9):
        roll = rng.random()
        if last_batch is not None and roll < 0.15:
            batch = last_batch  # the same batch again, at the same time: changes nothing
        else:
            batch = random_batch(rng, state)
            eff += rng.choice([DAY_US, DAY_US, -2 * DAY_US if step > 2 else DAY_US])  # now and then a late batch
        close_missing = rng.random() < 0.2
        update_untracked = rng.random() < 0.3
        src = work_dir / f"batch{step}.parquet"
        write_batch(src, batch)
        args = ["scd2", table, src, "--keys", "id", "--track", "a", "--effective-at", str(eff // 1000), "--json"]
        if close_missing:
            args.append("--close-missing")
        if update_untracked:
            args.append("--update-untracked")
        context = f"step {step}: batch {batch} at {eff} close_missing={close_missing} update_untracked={update_untracked}"
        try:
            expected = reference_load(state, batch, eff, close_missing, update_untracked)
        except Rejected as why:
            rc, out, err = run_lake(*args)
            assert rc != 0, f"{context}: the reference rejects it ({why}) but lake accepted it"
            assert rc in (1, 2), (rc, err)
            if version >= 0:
                assert DeltaTable(str(table)).version() == version, context
            continue
        before = as_counter(table_rows(table)) if version >= 0 else Counter()
        rc, out, err = run_lake(*args)
        assert rc == 0, f"{context}: {err}"
        metrics = json.loads(out)
        state = expected
        if version >= 0 and as_counter(expected) == before:
            assert metrics["version"] == version, f"{context}: nothing changed but lake committed"
        version = DeltaTable(str(table)).version()
        assert as_counter(table_rows(table)) == as_counter(expected), context
        last_batch = batch


def test_first_load_creates_the_history_columns(run_lake, work_dir):
    src = work_dir / "s.parquet"
    write_batch(src, [{"id": 1, "a": 5, "b": "x"}])
    rc, out, err = run_lake("scd2", work_dir / "dim", src, "--keys", "id", "--effective-at", "2024-01-01T00:00:00Z")
    assert rc == 0, err
    names = [f.name for f in pa.schema(DeltaTable(str(work_dir / "dim")).schema().to_arrow())]
    assert names == ["id", "a", "b", "is_current", "valid_from", "valid_to"]
    rows = table_rows(work_dir / "dim")
    assert rows == [{"id": 1, "a": 5, "b": "x", "is_current": True, "valid_from": BASE_US, "valid_to": None}]


def test_scd2_racing_appends_loses_no_row(run_lake, work_dir):
    """Appends of closed history rows while SCD2 loads run: every appended row and every load's effect stays."""
    table = work_dir / "dim"
    first = work_dir / "first.parquet"
    write_batch(first, [{"id": i, "a": 0, "b": "x"} for i in range(20)])
    rc, _, err = run_lake("scd2", table, first, "--keys", "id", "--effective-at", str(BASE_US // 1000))
    assert rc == 0, err
    schema = pa.schema(DeltaTable(str(table)).schema().to_arrow())
    appended = []
    errors = []

    def appender():
        try:
            append_all()
        except Exception as e:  # surfaces in the main thread's assertions
            errors.append(e)

    def append_all():
        for k in range(6):
            rows = pa.table({"id": pa.array([1000 + k], pa.int64()), "a": pa.array([k], pa.int64()), "b": pa.array(["h"], pa.string()),
                             "is_current": pa.array([False]), "valid_from": pa.array([BASE_US], pa.timestamp("us", tz="UTC")),
                             "valid_to": pa.array([BASE_US + 1], pa.timestamp("us", tz="UTC"))}).cast(schema)
            # lake's append is blind, so it commits beside the loads (delta-rs's append conflicts with rewrites).
            part = work_dir / f"append{k}.parquet"
            pq.write_table(rows, part)
            rc, _, err = run_lake("write", table, part)
            if rc != 0:
                raise AssertionError(f"append {k} failed: {err}")
            appended.append(1000 + k)

    loads = []
    for j in range(3):
        src = work_dir / f"load{j}.parquet"
        write_batch(src, [{"id": i, "a": j + 1, "b": "x"} for i in range(20)])
        loads.append(src)
    t = threading.Thread(target=appender)
    t.start()
    results = []
    for j, src in enumerate(loads):
        results.append(run_lake("scd2", table, src, "--keys", "id", "--track", "a", "--effective-at", str((BASE_US + (j + 1) * DAY_US) // 1000)))
    t.join()
    assert not errors, errors
    assert len(appended) == 6
    ok = [r for r in results if r[0] == 0]
    for rc, out, err in results:
        assert rc in (0, 3), err  # a conflict is allowed, never a crash or a lost row
    rows = table_rows(table)
    assert {r["id"] for r in rows} >= set(appended), "an appended row was lost"
    current = [r for r in rows if r["is_current"] and r["id"] < 1000]
    assert len(current) == 20 and len({r["id"] for r in current}) == 20, "each key has exactly one current row"
    history = [r for r in rows if r["id"] < 1000]
    assert len(history) == 20 * (1 + len(ok)), "each successful load closed and added one version per key"
