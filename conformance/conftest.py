"""Shared fixtures for the conformance suites.

Environment:
  LAKE_BIN     path to the release `lake` binary (required by every test that runs lake;
               a missing binary fails those tests, it never skips them)
  LAKE_SHARED  the shared/ directory beside the checkout (default: <repo>/../shared)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def shared_dir() -> Path:
    return Path(os.environ.get("LAKE_SHARED") or (REPO.parent / "shared")).resolve()


def corpus_files(sub: str) -> list[str]:
    """Sorted file names in shared/corpus/<sub>; raises (a collection error) when absent."""
    d = shared_dir() / "corpus" / sub
    if not d.is_dir():
        raise FileNotFoundError(
            f"conformance corpus directory {d} is missing: set LAKE_SHARED to the shared/ directory"
        )
    names = sorted(p.name for p in d.iterdir() if p.is_file())
    if not names:
        raise FileNotFoundError(f"conformance corpus directory {d} is empty")
    return names


def _lake_bin() -> str:
    b = os.environ.get("LAKE_BIN")
    if not b:
        pytest.fail("LAKE_BIN is not set: point it at the release lake binary (tools/test does)", pytrace=False)
    if not (os.path.isfile(b) and os.access(b, os.X_OK)):
        pytest.fail(f"LAKE_BIN={b} is not an executable file: build it with `swift build -c release --product lake`", pytrace=False)
    return b


def run_lake(*args, timeout: float = 120, input: bytes | None = None) -> tuple[int, str, str]:
    """Run `lake ARGS...`; return (returncode, stdout, stderr).

    Fails the test when lake is killed by a signal (a crash) or runs past `timeout` seconds.
    stdout and stderr must be valid UTF-8.
    """
    cmd = [_lake_bin(), *map(str, args)]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, input=input)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(cmd)}` did not finish within {timeout} s (hang?)", pytrace=False)
    err = p.stderr.decode("utf-8", errors="replace")
    if p.returncode < 0:
        try:
            name = signal.Signals(-p.returncode).name
        except ValueError:
            name = str(-p.returncode)
        pytest.fail(f"`{' '.join(cmd)}` was killed by signal {name}; stderr:\n{err[-4000:]}", pytrace=False)
    try:
        out = p.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        pytest.fail(f"`{' '.join(cmd)}` wrote invalid UTF-8 to stdout: {e}", pytrace=False)
    return p.returncode, out, err


def parse_ndjson(out: str) -> list:
    """One JSON value per line; the output ends with a newline unless empty."""
    if out == "":
        return []
    assert out.endswith("\n"), f"NDJSON output does not end with a newline: ...{out[-200:]!r}"
    rows = []
    for i, line in enumerate(out[:-1].split("\n")):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            pytest.fail(f"NDJSON line {i} is not JSON ({e}): {line[:300]!r}", pytrace=False)
    return rows


@pytest.fixture(scope="session")
def lake_bin() -> str:
    return _lake_bin()


@pytest.fixture(name="run_lake")
def run_lake_fixture(lake_bin):
    """The `run_lake(*args, timeout=120)` helper, after checking LAKE_BIN."""
    return run_lake


@pytest.fixture(scope="session")
def shared() -> Path:
    d = shared_dir()
    if not d.is_dir():
        pytest.fail(f"LAKE_SHARED directory {d} is missing", pytrace=False)
    return d


@pytest.fixture(scope="session")
def parquet_testing(shared) -> Path:
    return shared / "corpus" / "parquet-testing"


@pytest.fixture
def work_dir(tmp_path) -> Path:
    """A fresh temporary directory for one test."""
    return tmp_path


DUCKDB_DELTA_PY = REPO / ".venv-duckdb-delta" / "bin" / "python"


def duckdb_delta_table(path: Path, out: Path):
    """Every row of the Delta table at `path` as DuckDB's delta extension reads it (`delta_scan`), as a
    pyarrow table; raises RuntimeError with DuckDB's message when it cannot read the table.

    The extension runs in its own venv (conformance/duckdb_delta/), made by tools/test; a missing venv
    fails the calling test, it never skips it.
    """
    import pyarrow.parquet as pq

    assert DUCKDB_DELTA_PY.exists(), f"{DUCKDB_DELTA_PY} is missing: run tools/test once (it creates it)"
    script = HERE / "duckdb_delta" / "scan.py"
    proc = subprocess.run([str(DUCKDB_DELTA_PY), str(script), str(path), str(out)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        # DuckDB's exception line, else delta-kernel's panic message (a backtrace follows it).
        lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        for marker in ("_duckdb.", "panicked"):
            found = [line for line in lines if marker in line]
            if found:
                raise RuntimeError(found[-1].strip())
        raise RuntimeError(lines[-1])
    return pq.read_table(out)
