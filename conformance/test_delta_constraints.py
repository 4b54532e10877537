"""CHECK constraints and NOT NULL columns between lake and deltalake.

- Constraints deltalake added are enforced by every lake operation that writes rows (write, update, merge):
  each violating operation exits 1 naming the constraint, and the table's version does not move.
- Constraints lake added are honoured by deltalake's writer (it refuses violating rows), and `lake constraint
  add` refuses to add a constraint existing rows break.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake


def table_with_rows(path, ids, amounts):
    write_deltalake(str(path), pa.table({"id": pa.array(ids, pa.int64()), "amount": pa.array(amounts, pa.int64())}))


def write_ndjson(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("operation", ["write", "update", "merge"])
def test_lake_enforces_a_constraint_deltalake_added(run_lake, work_dir, operation):
    t = work_dir / "t"
    table_with_rows(t, [1, 2], [10, 20])
    DeltaTable(str(t)).alter.add_constraint({"non_negative": "amount >= 0"})
    version = DeltaTable(str(t)).version()
    if operation == "write":
        rc, out, err = run_lake("write", t, write_ndjson(work_dir / "in.ndjson", [{"id": 3, "amount": -1}]))
    elif operation == "update":
        rc, out, err = run_lake("update", t, "--set", "amount = amount - 15")
    else:
        src = write_ndjson(work_dir / "src.ndjson", [{"id": 2, "amount": 5}, {"id": 7, "amount": -70}])
        rc, out, err = run_lake("merge", t, src, "--on", "target.id = source.id")
    assert rc == 1, (rc, out, err)
    assert "non_negative" in err and "amount >= 0" in err
    assert DeltaTable(str(t)).version() == version
    assert sorted(DeltaTable(str(t)).to_pyarrow_table().column("amount").to_pylist()) == [10, 20]


def test_deltalake_honours_a_constraint_lake_added(run_lake, work_dir):
    t = work_dir / "t"
    table_with_rows(t, [1, 2], [10, 20])
    rc, out, err = run_lake("constraint", "add", t, "small", "amount < 100")
    assert rc == 0, err
    assert DeltaTable(str(t)).metadata().configuration["delta.constraints.small"] == "amount < 100"
    with pytest.raises(Exception, match="(?i)constraint|invariant|violat|failed validation"):
        write_deltalake(str(t), pa.table({"id": pa.array([3], pa.int64()), "amount": pa.array([500], pa.int64())}), mode="append")
    write_deltalake(str(t), pa.table({"id": pa.array([4], pa.int64()), "amount": pa.array([50], pa.int64())}), mode="append")
    rc, out, err = run_lake("constraint", "list", t, "--json")
    assert rc == 0 and json.loads(out) == {"small": "amount < 100"}
    history = DeltaTable(str(t)).history()
    assert any(h["operation"] == "ADD CONSTRAINT" for h in history)


def test_adding_a_constraint_existing_rows_break_commits_nothing(run_lake, work_dir):
    t = work_dir / "t"
    table_with_rows(t, [1, 2, 3], [10, -20, 30])
    rc, out, err = run_lake("constraint", "add", t, "positive", "amount > 0")
    assert rc == 1, (rc, out, err)
    assert '"id": 2' in err
    assert DeltaTable(str(t)).version() == 0
    assert "delta.constraints.positive" not in DeltaTable(str(t)).metadata().configuration
    rc, _, err = run_lake("constraint", "drop", t, "positive")
    assert rc == 4, err
    rc, out, err = run_lake("constraint", "drop", t, "positive", "--if-exists")
    assert rc == 0 and DeltaTable(str(t)).version() == 0


def test_dropping_a_constraint_lets_deltalake_write_again(run_lake, work_dir):
    t = work_dir / "t"
    table_with_rows(t, [1], [10])
    DeltaTable(str(t)).alter.add_constraint({"small": "amount < 100"})
    rc, out, err = run_lake("constraint", "drop", t, "small")
    assert rc == 0, err
    write_deltalake(str(t), pa.table({"id": pa.array([3], pa.int64()), "amount": pa.array([500], pa.int64())}), mode="append")
    assert sorted(DeltaTable(str(t)).to_pyarrow_table().column("amount").to_pylist()) == [10, 500]
