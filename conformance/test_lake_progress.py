"""Progress of long commands: drawn on a terminal, never in pipes, off with --quiet.

`lake optimize`, `lake vacuum` and `lake maintain` get stderr on a pseudo-terminal (Python's pty) or on a
pipe. On the terminal the progress line shows files and bytes done of the total and is erased at the end
(the results on stdout are unchanged); on a pipe, and with --quiet or --json, stderr stays empty.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from conftest import _lake_bin


def table(path, files: int = 30) -> None:
    for i in range(files):
        write_deltalake(str(path), pa.table({"id": list(range(i * 100, i * 100 + 100)), "g": [i % 3] * 100}), mode="append")


def run_on_terminal(*args) -> tuple[int, str, bytes]:
    """Runs lake with stderr on a pseudo-terminal; returns (exit code, stdout, everything written to the terminal)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([_lake_bin(), *map(str, args)], stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read().decode()
    proc.wait(timeout=120)
    os.close(leader)
    return proc.returncode, out, seen


def run_on_pipe(*args) -> tuple[int, str, str]:
    p = subprocess.run([_lake_bin(), *map(str, args)], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("command", [["optimize"], ["optimize", "--zorder", "id,g"], ["maintain"]])
def test_progress_is_drawn_on_a_terminal_and_erased(tmp_path, command):
    path = tmp_path / "t"
    table(path)
    code, out, seen = run_on_terminal(command[0], path, *command[1:])
    assert code == 0, seen.decode(errors="replace")
    text = seen.decode(errors="replace")
    lines = re.findall(r"(\d+)/(\d+) files, ([\d.]+ (?:B|KiB|MiB))/([\d.]+ (?:B|KiB|MiB))", text)
    assert lines, f"no progress line on the terminal: {text!r}"
    done, total = int(lines[-1][0]), int(lines[-1][1])
    assert done == total == 30, lines[-1]
    assert text.endswith("\r\x1b[2K"), "the progress line is erased at the end"
    assert "30" in out  # the summary still goes to stdout


def test_vacuum_progress_counts_the_deleted_files(tmp_path):
    path = tmp_path / "t"
    table(path)
    assert run_on_pipe("optimize", path)[0] == 0
    code, out, seen = run_on_terminal("vacuum", path, "--retain", "0h", "--force")
    assert code == 0
    found = re.findall(r"(\d+)/(\d+) files", seen.decode(errors="replace"))
    assert found and found[-1] == ("30", "30"), found


@pytest.mark.parametrize("flag", ["--quiet", "--json"])
def test_quiet_and_json_draw_nothing(tmp_path, flag):
    path = tmp_path / "t"
    table(path)
    code, out, seen = run_on_terminal("optimize", path, flag)
    assert code == 0
    assert seen == b"", seen
    if flag == "--quiet":
        assert out == ""
    else:
        assert json.loads(out)["numFilesRemoved"] == "30"


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(tmp_path):
    path = tmp_path / "t"
    table(path)
    code, out, err = run_on_pipe("optimize", path)
    assert code == 0 and err == ""
    assert "numFilesRemoved" in out
    shutil.rmtree(path)
