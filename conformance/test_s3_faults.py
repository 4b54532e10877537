"""lake on an S3 server that fails requests at random (tools/s3_server.py's fault injection: 503 SlowDown,
500, connections reset before or after the request was carried out, truncated bodies).

Concurrent `lake write` processes appending to one table through the faulty server all complete (the client
retries), the log has each commit exactly once with contiguous versions, and the table reads back (by lake and,
once the faults stop, by deltalake) with every row exactly once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from conftest import REPO, _lake_bin, parse_ndjson
from lake_values import table_to_rows


@pytest.fixture
def faulty_server(tmp_path):
    """A moto server of its own (so faults hit no other test), as (environment, endpoint, bucket)."""
    script = REPO / "tools" / "s3_server.py"
    out = subprocess.run([sys.executable, str(script), "start", "--bucket", "faults", "--verify-signatures", "--log", str(tmp_path / "moto.log")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    env = dict(os.environ)
    for line in out.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    try:
        yield env
    finally:
        subprocess.run([sys.executable, str(script), "stop", env["LAKE_S3_SERVER_PID"]], timeout=60)


def set_fault_rate(env: dict, rate: float) -> None:
    req = urllib.request.Request(f"{env['AWS_ENDPOINT_URL']}/__lake_faults__?rate={rate}", method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def injected_faults(env: dict) -> dict:
    return json.loads(urllib.request.urlopen(f"{env['AWS_ENDPOINT_URL']}/__lake_faults__", timeout=10).read())["injected"]


def run(env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([_lake_bin(), *map(str, args)], capture_output=True, env=env, timeout=600)


def test_concurrent_appends_through_random_faults_commit_each_once(faulty_server, work_dir):
    env = faulty_server
    table = f"s3://faults/{uuid.uuid4().hex}/tbl"
    pq.write_table(pa.table({"id": pa.array([0], pa.int64()), "writer": pa.array(["seed"])}), work_dir / "seed.parquet")
    p = run(env, "write", table, work_dir / "seed.parquet")
    assert p.returncode == 0, p.stderr.decode()
    writers, commits = 3, 4
    procs = []
    for w in range(writers):
        files = []
        for i in range(commits):
            ids = [(w + 1) * 1_000_000 + i * 100 + r for r in range(5)]
            f = work_dir / f"w{w}-{i}.parquet"
            pq.write_table(pa.table({"id": pa.array(ids, pa.int64()), "writer": pa.array([f"w{w}"] * 5)}), f)
            files.append(f'"{f}"')
        procs.append(subprocess.Popen(["bash", "-c", f'for f in {" ".join(files)}; do "{_lake_bin()}" write "{table}" "$f" || exit 1; done'],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
    set_fault_rate(env, 0.15)
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err.decode(errors="replace")[-3000:]
        p = run(env, "read", table, "--format", "ndjson")
        assert p.returncode == 0, p.stderr.decode()
        faulty_read = parse_ndjson(p.stdout.decode())
    finally:
        set_fault_rate(env, 0)
    injected = injected_faults(env)
    # The writers really went through faults of every kind (a few dozen at this rate).
    assert set(injected) >= {"503", "500", "reset", "applied"}, injected
    total = 1 + writers * commits
    options = {"AWS_ENDPOINT_URL": env["AWS_ENDPOINT_URL"], "AWS_ALLOW_HTTP": "true", "AWS_REGION": env["AWS_REGION"],
               "AWS_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"]}
    dt = DeltaTable(table, storage_options=options)
    assert dt.version() == total - 1
    assert sorted(h["version"] for h in dt.history()) == list(range(total))
    theirs = table_to_rows(dt.to_pyarrow_table())
    assert len(theirs) == 1 + 5 * writers * commits
    assert len({r["id"] for r in theirs}) == len(theirs)  # every commit exactly once
    key = lambda r: r["id"]
    assert sorted(faulty_read, key=key) == sorted(theirs, key=key)
