"""Malformed files of parquet-testing/bad_data/: a clean error, never a crash or a hang.

If pyarrow reads a file anyway (ARROW-GH-43605.parquet), lake must read it to the same values.
Otherwise `lake parquet cat` exits 1 within the timeout, with a non-empty message on stderr
naming the file. `lake parquet meta` and `schema` on the same files must not crash either.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import corpus_files, parse_ndjson, shared_dir
from lake_values import first_difference, table_to_rows

BAD_FILES = corpus_files("parquet-testing/bad_data")
TIMEOUT = 60


def bad_path(name: str) -> Path:
    return shared_dir() / "corpus" / "parquet-testing" / "bad_data" / name


def pyarrow_read(path: Path):
    try:
        return pq.read_table(path)
    except Exception:
        return None


@pytest.mark.parametrize("name", BAD_FILES, ids=BAD_FILES)
def test_cat_bad_file(name, run_lake):
    path = bad_path(name)
    expected = pyarrow_read(path)
    rc, out, err = run_lake("parquet", "cat", path, "--format", "ndjson", timeout=TIMEOUT)
    if expected is not None:
        assert rc == 0, f"pyarrow reads {name} but lake fails (rc={rc}): {err[-3000:]}"
        rows = parse_ndjson(out)
        diff = first_difference(table_to_rows(expected), rows)
        assert diff is None, f"{name}: {diff}"
        return
    assert rc == 1, f"expected exit code 1 on a malformed file, got {rc}; stderr: {err[-2000:]}"
    assert err.strip(), "exit 1 but no message on stderr"
    assert name in err, f"the error message does not name the file {name}: {err[-2000:]}"


@pytest.mark.parametrize("name", BAD_FILES, ids=BAD_FILES)
@pytest.mark.parametrize("cmd", [["meta", "--json"], ["schema"]], ids=["meta", "schema"])
def test_inspect_bad_file_does_not_crash(name, cmd, run_lake):
    # The footer of some of these files is fine and only the pages are broken, so success
    # is allowed here; a failure must be a clean exit 1 with a message naming the file.
    path = bad_path(name)
    rc, out, err = run_lake("parquet", cmd[0], path, *cmd[1:], timeout=TIMEOUT)
    assert rc in (0, 1), f"unexpected exit code {rc}: {err[-2000:]}"
    if rc == 0:
        assert out.strip(), "exit 0 but nothing printed"
    else:
        assert name in err, f"the error message does not name the file {name}: {err[-2000:]}"
