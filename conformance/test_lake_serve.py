"""`lake serve` as a subprocess, driven over HTTP with urllib; the tables it writes are read back with
deltalake (an independent Delta reader) and must hold exactly the rows the API acknowledged.

Each test starts `lake serve --port 0 --root TMP`, reads the bound address from the first stdout line, and stops
it with SIGTERM, which must end it with exit code 0.
"""

from __future__ import annotations

import io
import json
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable


class Server:
    def __init__(self, lake_bin: str, root: Path, *extra: str):
        self.root = root
        self.proc = subprocess.Popen(
            [lake_bin, "serve", "--port", "0", "--root", str(root), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on http://"):
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise AssertionError(f"lake serve printed {line!r} first; stderr: {err.decode()[:2000]}")
        self.base = line.strip().removeprefix("listening on ")

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, body bytes) of one request; 4xx/5xx are returned, not raised."""
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, method: str, path: str, doc=None, headers: dict | None = None):
        body = None if doc is None else json.dumps(doc).encode()
        h = {"Content-Type": "application/json", **(headers or {})}
        status, hdrs, data = self.call(method, path, body, h)
        return status, hdrs, (json.loads(data) if data else None)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.stdout.close()
            self.proc.stderr.close()


@pytest.fixture
def server(lake_bin, tmp_path):
    s = Server(lake_bin, tmp_path / "lakehouse")
    yield s
    if s.proc.poll() is None:
        s.stop()


def ndjson(rows) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def delta_rows(path: Path, columns: list[str]) -> list[tuple]:
    t = DeltaTable(str(path)).to_pyarrow_table()
    return sorted(tuple(r[c] for c in columns) for r in t.to_pylist())


def test_serve_prints_its_address_and_stops_cleanly_on_sigterm(lake_bin, tmp_path):
    s = Server(lake_bin, tmp_path / "fresh-root")
    status, _, body = s.json("GET", "/healthz")
    assert status == 200 and body == {"status": "ok"}
    assert (tmp_path / "fresh-root").is_dir()
    assert s.stop() == 0


def test_rows_written_over_http_read_the_same_in_deltalake(server):
    status, _, info = server.json("PUT", "/v1/tables/events", {"schema": "id long not null, region string, amount double", "partitionBy": ["region"]})
    assert status == 201, info
    rows = [{"id": i, "region": "eu" if i % 2 else "us", "amount": i * 1.5} for i in range(50)]
    status, _, m = server.call("POST", "/v1/tables/events/rows", ndjson(rows[:30]), {"Content-Type": "application/x-ndjson"})
    assert status == 200, m
    assert json.loads(m)["version"] == 1
    status, _, m = server.call("POST", "/v1/tables/events/rows", json.dumps(rows[30:]).encode(), {"Content-Type": "application/json"})
    assert status == 200, m
    expected = sorted((r["id"], r["region"], r["amount"]) for r in rows)
    assert delta_rows(server.root / "events", ["id", "region", "amount"]) == expected
    # The server's own read agrees.
    status, hdrs, body = server.call("GET", "/v1/tables/events/rows", headers={"Accept": "application/x-ndjson"})
    assert status == 200 and hdrs["Content-Type"] == "application/x-ndjson"
    got = sorted((r["id"], r["region"], r["amount"]) for r in map(json.loads, body.decode().splitlines()))
    assert got == expected


def test_csv_and_parquet_bodies_and_answers(server):
    assert server.json("PUT", "/v1/tables/t", {"schema": "id long, name string"})[0] == 201
    status, _, m = server.call("POST", "/v1/tables/t/rows", b"id,name\n1,one\n2,two\n", {"Content-Type": "text/csv"})
    assert status == 200, m
    buf = io.BytesIO()
    pq.write_table(pa.table({"id": pa.array([3], pa.int64()), "name": ["three"]}), buf)
    status, _, m = server.call("POST", "/v1/tables/t/rows", buf.getvalue(), {"Content-Type": "application/vnd.apache.parquet"})
    assert status == 200, m
    assert delta_rows(server.root / "t", ["id", "name"]) == [(1, "one"), (2, "two"), (3, "three")]
    status, hdrs, body = server.call("GET", "/v1/tables/t/rows?where=" + urllib.parse.quote("id >= 2"), headers={"Accept": "application/vnd.apache.parquet"})
    assert status == 200 and hdrs["Content-Type"] == "application/vnd.apache.parquet"
    assert sorted(pq.read_table(io.BytesIO(body)).to_pydict()["id"]) == [2, 3]
    status, _, body = server.call("GET", "/v1/tables/t/rows?columns=name", headers={"Accept": "text/csv"})
    assert body.decode().splitlines()[0] == "name"


def test_delete_update_and_time_travel_match_deltalake(server):
    assert server.json("PUT", "/v1/tables/t", {"schema": "id long, v long"})[0] == 201
    server.call("POST", "/v1/tables/t/rows", ndjson([{"id": i, "v": i} for i in range(10)]), {"Content-Type": "application/x-ndjson"})
    status, _, m = server.json("POST", "/v1/tables/t/delete", {"where": "id < 3"})
    assert status == 200 and m["numDeletedRows"] == "3"
    status, _, m = server.json("POST", "/v1/tables/t/update", {"set": {"v": "v * 100"}, "where": "id = 9"})
    assert status == 200 and m["numUpdatedRows"] == "1"
    expected = sorted([(i, i) for i in range(3, 9)] + [(9, 900)])
    assert delta_rows(server.root / "t", ["id", "v"]) == expected
    status, _, body = server.call("GET", "/v1/tables/t/rows?version=1", headers={"Accept": "application/json"})
    assert sorted(r["id"] for r in json.loads(body)) == list(range(10))
    status, _, h = server.json("GET", "/v1/tables/t/history?limit=2")
    assert [e["operation"] for e in h["history"]] == ["UPDATE", "DELETE"]


def test_idempotency_key_retry_is_applied_once(server):
    assert server.json("PUT", "/v1/tables/t", {"schema": "id long"})[0] == 201
    body = ndjson([{"id": 1}, {"id": 2}])
    h = {"Content-Type": "application/x-ndjson", "Idempotency-Key": "dagster-run-17"}
    first = server.call("POST", "/v1/tables/t/rows", body, h)
    retry = server.call("POST", "/v1/tables/t/rows", body, h)
    assert first[0] == retry[0] == 200
    assert retry[2] == first[2]
    assert retry[1].get("Idempotent-Replayed") == "true"
    assert delta_rows(server.root / "t", ["id"]) == [(1,), (2,)]
    assert DeltaTable(str(server.root / "t")).version() == 1


def test_problems_and_token(lake_bin, tmp_path):
    token = tmp_path / "token"
    token.write_text("tok-123\n")
    s = Server(lake_bin, tmp_path / "root", "--token-file", str(token), "--max-body", "1KiB")
    try:
        status, hdrs, p = s.json("GET", "/v1/tables")
        assert status == 401 and hdrs["Content-Type"] == "application/problem+json"
        assert set(p) >= {"type", "title", "status", "detail"} and p["status"] == 401
        auth = {"Authorization": "Bearer tok-123"}
        assert s.json("GET", "/healthz")[0] == 200
        status, _, doc = s.json("GET", "/v1/tables", headers=auth)
        assert status == 200 and doc == {"tables": []}
        assert s.json("PUT", "/v1/tables/" + urllib.parse.quote("../escape", safe=""), {"schema": "id long"}, headers=auth)[0] == 400
        assert not (tmp_path / "escape").exists()
        assert s.json("PUT", "/v1/tables/t", {"schema": "id long"}, headers=auth)[0] == 201
        big = ndjson([{"id": i} for i in range(500)])
        status, _, body = s.call("POST", "/v1/tables/t/rows", big, {"Content-Type": "application/x-ndjson", **auth})
        assert status == 413, body
        status, _, body = s.call("POST", "/v1/tables/t/rows", b"<x/>", {"Content-Type": "application/xml", **auth})
        assert status == 415
        status, _, body = s.call("POST", "/v1/tables/t/rows", b'{"id": "x"}\n', {"Content-Type": "application/x-ndjson", **auth})
        assert status == 422, body
        assert DeltaTable(str(tmp_path / "root" / "t")).version() == 0
        assert s.json("GET", "/healthz")[0] == 200
    finally:
        assert s.stop() == 0


def test_concurrent_keyed_appends_and_their_retries_land_exactly_once(server):
    """Many clients append at once, each batch sent twice with its Idempotency-Key: every batch is in the
    table exactly once (read with deltalake)."""
    from concurrent.futures import ThreadPoolExecutor

    assert server.json("PUT", "/v1/tables/t", {"schema": "batch long, i long"})[0] == 201

    def send(batch: int):
        body = ndjson([{"batch": batch, "i": i} for i in range(5)])
        h = {"Content-Type": "application/x-ndjson", "Idempotency-Key": f"batch-{batch}"}
        a = server.call("POST", "/v1/tables/t/rows", body, h)
        b = server.call("POST", "/v1/tables/t/rows", body, h)
        return a, b

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(24)))
    for a, b in results:
        assert a[0] == 200 and b[0] == 200, (a, b)
        assert a[2] == b[2]
    rows = delta_rows(server.root / "t", ["batch", "i"])
    assert rows == sorted((b, i) for b in range(24) for i in range(5))
    # Reads go on while writers write, and the server still answers.
    assert server.json("GET", "/healthz")[0] == 200


def test_keyed_writes_survive_a_sigkill_and_are_not_repeated_after_restart(lake_bin, tmp_path):
    """A server killed with SIGKILL after some keyed writes; a new server on the same root gets every batch
    retried: each acknowledged batch is there once, and the retries commit nothing new for them."""
    root = tmp_path / "root"
    s = Server(lake_bin, root)
    assert s.json("PUT", "/v1/tables/t", {"schema": "batch long"})[0] == 201
    acknowledged = {}
    for batch in range(6):
        status, _, body = s.call("POST", "/v1/tables/t/rows", ndjson([{"batch": batch}]),
                                 {"Content-Type": "application/x-ndjson", "Idempotency-Key": f"k{batch}"})
        assert status == 200
        acknowledged[batch] = body
    s.proc.kill()
    s.proc.wait(timeout=30)
    s.proc.stdout.close()
    s.proc.stderr.close()
    version_before = DeltaTable(str(root / "t")).version()

    again = Server(lake_bin, root)
    try:
        for batch in range(6):
            status, hdrs, body = again.call("POST", "/v1/tables/t/rows", ndjson([{"batch": batch}]),
                                            {"Content-Type": "application/x-ndjson", "Idempotency-Key": f"k{batch}"})
            assert status == 200
            assert hdrs.get("Idempotent-Replayed") == "true"
            assert body == acknowledged[batch]
        assert DeltaTable(str(root / "t")).version() == version_before
        assert delta_rows(root / "t", ["batch"]) == [(b,) for b in range(6)]
    finally:
        assert again.stop() == 0
