"""`lake changes` (reading the change data feed) against delta-rs's `DeltaTable.load_cdf`.

Each scenario builds a table through deltalake with `delta.enableChangeDataFeed=true` and a random history of
appends, deletes, updates, merges, overwrites and a compaction (delta-rs writes `cdc` files for delete, update
and merge; appends and overwrites are whole-file adds and removes; compaction changes no rows), then requires
`lake changes --format ndjson` to give, for several version ranges, the same multiset of rows as `load_cdf`:
the data columns, `_change_type` and `_commit_version`.

`_commit_timestamp` is compared against each oracle's own notion: lake reports the commit time its time
travel uses (the in-commit timestamp, else the commit file's modification time, made strictly increasing, as
Spark's feed does), delta-rs reports `commitInfo.timestamp`; so lake's is checked against the commit files'
modification times computed here, and delta-rs's against the commitInfo it wrote.

Then the errors: a range including a version written before the feed was enabled fails in both (lake with exit
code 2 and a message naming the version); a start past the latest version fails in both; an end past the latest
reads up to the latest in both; a start after the end fails in both.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import parse_ndjson
from lake_values import table_to_rows

CDF = {"delta.enableChangeDataFeed": "true"}
META = ("_change_type", "_commit_version", "_commit_timestamp")


def random_history(rng: random.Random, path: Path, partitioned: bool) -> int:
    """Writes 6-10 commits through deltalake on a CDF table; returns the latest version."""
    next_id = 0

    def batch(n: int, ids: list[int] | None = None) -> pa.Table:
        nonlocal next_id
        if ids is None:
            ids = list(range(next_id, next_id + n))
            next_id += n
        return pa.table({
            "id": pa.array(ids, pa.int64()),
            "x": pa.array([rng.choice([None, *range(10)]) for _ in ids], pa.int64()),
            "p": pa.array([rng.choice(["a", "b", "c"]) for _ in ids], pa.string()),
        })

    part = ["p"] if partitioned else None
    write_deltalake(str(path), batch(rng.randint(5, 20)), partition_by=part, configuration=CDF)
    for _ in range(rng.randint(5, 9)):
        op = rng.choice(["append", "append", "delete", "update", "merge", "merge", "overwrite", "compact"])
        t = DeltaTable(str(path))
        if op == "append":
            write_deltalake(str(path), batch(rng.randint(1, 10)), mode="append", partition_by=part)
        elif op == "delete":
            t.delete(rng.choice(["x < 3", "x IS NULL", f"id % 3 = {rng.randint(0, 2)}", "p = 'b'"]))
        elif op == "update":
            t.update(updates={"x": f"{rng.randint(10, 99)}"}, predicate=rng.choice(["x > 5", "x IS NULL", "p = 'a'"]))
        elif op == "merge":
            # Some existing ids (updated), some new ones (inserted).
            old = rng.sample(range(max(next_id, 1)), k=min(next_id, rng.randint(1, 5)))
            fresh = list(range(next_id, next_id + rng.randint(0, 4)))
            next_id += len(fresh)
            source = batch(0, ids=old + fresh)
            t.merge(source, predicate="t.id = s.id", source_alias="s", target_alias="t") \
                .when_matched_update_all().when_not_matched_insert_all().execute()
        elif op == "overwrite":
            write_deltalake(str(path), batch(rng.randint(3, 12)), mode="overwrite", partition_by=part)
        else:
            t.optimize.compact()
    return DeltaTable(str(path)).version()


def rs_changes(path: Path, start: int, end: int | None = None) -> pa.Table:
    kw = {"starting_version": start}
    if end is not None:
        kw["ending_version"] = end
    return pa.table(DeltaTable(str(path)).load_cdf(**kw).read_all())


def lake_changes(run_lake, path: Path, *args) -> list[dict]:
    rc, out, err = run_lake("changes", path, *args, "--format", "ndjson")
    assert rc == 0, f"lake changes {' '.join(map(str, args))} failed ({rc}): {err}"
    return parse_ndjson(out)


def keyed(rows: list[dict]) -> Counter:
    """The rows without `_commit_timestamp`, as a multiset."""
    return Counter(json.dumps({k: v for k, v in r.items() if k != "_commit_timestamp"}, sort_keys=True) for r in rows)


def rs_rows(t: pa.Table) -> list[dict]:
    rows = table_to_rows(t.select([n for n in t.schema.names if n != "_commit_timestamp"]))
    for r in rows:
        r["_commit_version"] = int(r["_commit_version"])
    return rows


def mtime_commit_times(path: Path) -> dict[int, int]:
    """Each commit's time as lake's time travel defines it for a table without in-commit timestamps: the commit
    file's modification time in ms, made strictly increasing."""
    log = path / "_delta_log"
    times, previous = {}, None
    for name in sorted(n for n in os.listdir(log) if n.endswith(".json") and len(n) == 25):
        ms = os.stat(log / name).st_mtime_ns // 1_000_000
        if previous is not None and ms <= previous:
            ms = previous + 1
        times[int(name[:20])] = previous = ms
    return times


def commit_info_times(path: Path) -> dict[int, int]:
    out = {}
    for name in sorted(n for n in os.listdir(path / "_delta_log") if n.endswith(".json") and len(n) == 25):
        for line in (path / "_delta_log" / name).read_text().splitlines():
            a = json.loads(line)
            if "commitInfo" in a:
                out[int(name[:20])] = a["commitInfo"]["timestamp"]
    return out


def iso_ms(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000 + 0.5)


@pytest.mark.parametrize("partitioned", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_random_history_changes_match_load_cdf(run_lake, work_dir, seed, partitioned):
    rng = random.Random(seed * 2 + partitioned)
    path = work_dir / "t"
    latest = random_history(rng, path, partitioned)
    mid = rng.randint(0, latest)
    ranges = [(0, None), (0, latest), (mid, None), (rng.randint(0, mid), mid), (latest, latest)]
    for start, end in ranges:
        expected = rs_rows(rs_changes(path, start, end))
        args = ["--from", start] + (["--to", end] if end is not None else [])
        got = lake_changes(run_lake, path, *args)
        assert keyed(got) == keyed(expected), f"range {start}..{end}: lake and load_cdf differ"
        # Commit order: versions never go down.
        versions = [r["_commit_version"] for r in got]
        assert versions == sorted(versions)
        assert all(set(r) == {"id", "x", "p", *META} for r in got)


def test_commit_timestamps_follow_each_oracles_notion(run_lake, work_dir):
    path = work_dir / "t"
    latest = random_history(random.Random(99), path, partitioned=False)
    got = lake_changes(run_lake, path, "--from", 0)
    want = mtime_commit_times(path)
    assert got, "the history changed rows"
    for r in got:
        assert iso_ms(r["_commit_timestamp"]) == want[r["_commit_version"]], r
    infos = commit_info_times(path)
    rs = rs_changes(path, 0).to_pylist()
    for r in rs:
        ts = r["_commit_timestamp"]
        ms = int(ts.replace(tzinfo=dt.timezone.utc).timestamp() * 1000 + 0.5) if ts.tzinfo is None else int(ts.timestamp() * 1000 + 0.5)
        assert ms == infos[int(r["_commit_version"])]
    assert latest >= 1


def test_timestamp_bounds_select_the_commits_between(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": [1, 2]}), configuration=CDF)
    for i in range(3):
        write_deltalake(str(path), pa.table({"id": [10 + i]}), mode="append")
    times = mtime_commit_times(path)
    # From the time of version 1 to the time of version 2: exactly versions 1 and 2.
    got = lake_changes(run_lake, path, "--from-timestamp", times[1], "--to-timestamp", times[2])
    assert sorted((r["id"], r["_commit_version"]) for r in got) == [(10, 1), (11, 2)]
    # ISO 8601 works too: one ms after version 2 starts at version 3.
    iso = dt.datetime.fromtimestamp((times[2] + 1) / 1000, tz=dt.timezone.utc).isoformat().replace("+00:00", "Z")
    got = lake_changes(run_lake, path, "--from-timestamp", iso)
    assert sorted((r["id"], r["_commit_version"]) for r in got) == [(12, 3)]


def test_range_before_the_feed_was_enabled_fails_naming_the_version(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": [1, 2, 3]}))  # v0: no change data
    DeltaTable(str(path)).alter.set_table_properties(CDF)  # v1 turns it on
    write_deltalake(str(path), pa.table({"id": [4]}), mode="append")  # v2
    DeltaTable(str(path)).delete("id = 2")  # v3
    with pytest.raises(Exception, match="version: 0"):
        rs_changes(path, 0)
    rc, out, err = run_lake("changes", path, "--from", 0, "--format", "ndjson")
    assert rc in (1, 2), err
    assert out == ""
    assert "version 0" in err and "change data was not recorded" in err
    # The commit that turned the feed on starts the readable range, in both.
    expected = rs_rows(rs_changes(path, 1))
    got = lake_changes(run_lake, path, "--from", 1)
    assert keyed(got) == keyed(expected)
    assert sorted((r["id"], r["_change_type"]) for r in got) == [(2, "delete"), (4, "insert")]


def test_a_commit_turning_the_feed_off_ends_the_readable_range(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": [1]}), configuration=CDF)
    write_deltalake(str(path), pa.table({"id": [2]}), mode="append")
    DeltaTable(str(path)).alter.set_table_properties({"delta.enableChangeDataFeed": "false"})  # v2
    write_deltalake(str(path), pa.table({"id": [3]}), mode="append")
    with pytest.raises(Exception):
        rs_changes(path, 0)
    rc, _, err = run_lake("changes", path, "--from", 0)
    assert rc in (1, 2) and "version 2" in err, err
    assert sorted(r["id"] for r in lake_changes(run_lake, path, "--from", 0, "--to", 1)) == [1, 2]


def test_out_of_range_bounds_behave_as_load_cdf(run_lake, work_dir):
    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": [1]}), configuration=CDF)
    write_deltalake(str(path), pa.table({"id": [2]}), mode="append")
    # A start past the latest version: an error in both (lake: not found, exit 4).
    with pytest.raises(Exception):
        rs_changes(path, 5)
    rc, _, err = run_lake("changes", path, "--from", 5)
    assert rc == 4 and "latest version is 1" in err, err
    # An end past the latest reads up to the latest in both.
    assert keyed(lake_changes(run_lake, path, "--from", 0, "--to", 9)) == keyed(rs_rows(rs_changes(path, 0, 9)))
    # A start after the end: an error in both (lake: a bad request, exit 2).
    with pytest.raises(Exception):
        rs_changes(path, 1, 0)
    rc, _, err = run_lake("changes", path, "--from", 1, "--to", 0)
    assert rc == 2 and "starts at version 1" in err, err


def test_columns_and_export_formats(run_lake, work_dir):
    import pyarrow.parquet as pq

    path = work_dir / "t"
    write_deltalake(str(path), pa.table({"id": [1, 2], "x": ["a", "b"]}), configuration=CDF)
    DeltaTable(str(path)).update(updates={"x": "'z'"}, predicate="id = 2")
    got = lake_changes(run_lake, path, "--from", 1, "--columns", "x")
    assert sorted((r["x"], r["_change_type"]) for r in got) == [("b", "update_preimage"), ("z", "update_postimage")]
    assert all(set(r) == {"x", *META} for r in got)
    out = work_dir / "c.parquet"
    rc, _, err = run_lake("changes", path, "--from", 0, "--format", "parquet", "--output", out)
    assert rc == 0, err
    t = pq.read_table(out)
    assert t.schema.names == ["id", "x", *META]
    assert t.schema.field("_commit_version").type == pa.int64()
    assert t.schema.field("_commit_timestamp").type == pa.timestamp("us", tz="UTC")
    assert Counter(t.column("_change_type").to_pylist()) == Counter({"insert": 2, "update_preimage": 1, "update_postimage": 1})
    rc, _, err = run_lake("changes", path, "--from", 0, "--columns", "nope")
    assert rc == 2 and "nope" in err


def test_golden_get_changes_table_has_no_change_data(run_lake, shared):
    """The golden `deltalog-getChanges` table (Spark-written, one `cdc` action) never enabled the feed: both
    readers refuse it, naming version 0."""
    path = shared / "corpus" / "delta-golden" / "deltalog-getChanges"
    with pytest.raises(Exception, match="0"):
        rs_changes(path, 0)
    rc, _, err = run_lake("changes", path, "--from", 0)
    assert rc in (1, 2) and "version 0" in err, err


# Spark-written CDF tables from delta-rs's test data (crates/test/tests/data/): partitioned and not, change files
# with deletion vectors, in-commit timestamps, a log cleaned up behind a checkpoint. They are not in the corpus
# yet; copy them to shared/corpus/delta-rs/<name> to run these.
DELTA_RS_CDF_TABLES = ["cdf-table", "cdf-table-non-partitioned", "cdf-table-with-cdc-and-dvs", "simple_table_with_cdc",
                       "cdc_ict_table", "checkpoint-cdf-table"]


def _normalized_rs_rows(t: pa.Table) -> Counter:
    out = Counter()
    for r in t.to_pylist():
        row = {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in r.items() if k != "_commit_timestamp"}
        row["_commit_version"] = int(row["_commit_version"])
        out[json.dumps(row, sort_keys=True)] += 1
    return out


@pytest.mark.parametrize("name", DELTA_RS_CDF_TABLES)
def test_delta_rs_spark_written_cdf_tables_read_as_load_cdf(run_lake, shared, name):
    path = shared / "corpus" / "delta-rs" / name
    if not path.is_dir():
        pytest.skip(f"{path} is missing: copy delta-rs's crates/test/tests/data/{name} there")
    latest = DeltaTable(str(path)).version()
    compared = 0
    for start in range(latest + 1):
        try:
            expected = _normalized_rs_rows(rs_changes(path, start))
        except Exception:
            expected = None  # commits cleaned up behind a checkpoint: lake must refuse too
        rc, out, err = run_lake("changes", path, "--from", start, "--format", "ndjson")
        if expected is None:
            assert rc == 4 and f"version {start}" in err, err
            continue
        assert rc == 0, err
        got = Counter(json.dumps({k: v for k, v in r.items() if k != "_commit_timestamp"}, sort_keys=True) for r in parse_ndjson(out))
        assert got == expected, f"from version {start}"
        compared += 1
    assert compared > 0
