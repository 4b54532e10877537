"""Extreme and malformed values, from the log, the data files and the command line, through the real CLI.

Every value lake reads from a Delta log, a Parquet file or its arguments is untrusted. A bad one must end
`lake` with exit code 1 and a one-line message on stderr that names the problem: never a signal (an
arithmetic-overflow trap ends the process with SIGILL/SIGTRAP), never a hang (`run_lake` fails the test
on both). Extreme values that are valid must read back exactly.

The tables are hand-written: a Parquet data file from pyarrow plus `_delta_log/` commits written here,
so each test controls the one value it is about. Deletion vectors are serialized by this file
(RoaringBitmapArray, Z85), independently of lake's own encoder.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
import uuid
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import parse_ndjson

TIMEOUT = 30  # seconds; every case here is milliseconds of work when bounded


# ---------------------------------------------------------------------------------------------------------
# Hand-written tables


def field(name: str, type_: str) -> dict:
    return {"name": name, "type": type_, "nullable": True, "metadata": {}}


def write_log(table: Path, version: int, actions: list[dict]) -> None:
    log = table / "_delta_log"
    log.mkdir(parents=True, exist_ok=True)
    (log / f"{version:020d}.json").write_text("".join(json.dumps(a) + "\n" for a in actions))


def protocol(dv: bool = False) -> dict:
    if dv:
        return {"protocol": {"minReaderVersion": 3, "minWriterVersion": 7,
                             "readerFeatures": ["deletionVectors"], "writerFeatures": ["deletionVectors"]}}
    return {"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}


def metadata(fields: list[dict], partition_columns: list[str] = (), configuration: dict | None = None) -> dict:
    return {"metaData": {
        "id": "00000000-0000-0000-0000-000000000001", "format": {"provider": "parquet", "options": {}},
        "schemaString": json.dumps({"type": "struct", "fields": fields}),
        "partitionColumns": list(partition_columns), "configuration": configuration or {}, "createdTime": 0}}


def add(path: str, size: int, partition_values: dict | None = None, stats: str | None = None,
        dv: dict | None = None, modification_time: int = 0) -> dict:
    a = {"path": path, "partitionValues": partition_values or {}, "size": size,
         "modificationTime": modification_time, "dataChange": True}
    if stats is not None:
        a["stats"] = stats
    if dv is not None:
        a["deletionVector"] = dv
    return {"add": a}


def data_file(table: Path, rel: str, n: int = 10) -> int:
    """Writes an `id long` Parquet file of rows 0..n-1 at `rel`; returns its size."""
    p = table / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": pa.array(range(n), pa.int64())}), p)
    return p.stat().st_size


def partitioned_table(root: Path, type_: str, value: str | None) -> Path:
    """A table `id long, p <type_>` partitioned by p, with one file whose partition value is `value`."""
    t = root / "t"
    size = data_file(t, "part-0.parquet", 3)
    write_log(t, 0, [protocol(), metadata([field("id", "long"), field("p", type_)], ["p"]),
                     add("part-0.parquet", size, {"p": value})])
    return t


def plain_table(root: Path, n: int = 10, stats: str | None = None, size: int | None = None,
                extra_adds: list[dict] = ()) -> Path:
    t = root / "t"
    real = data_file(t, "part-0.parquet", n)
    write_log(t, 0, [protocol(), metadata([field("id", "long")]),
                     add("part-0.parquet", real if size is None else size, stats=stats), *extra_adds])
    return t


def assert_fails(run_lake, *args, mentions: list[str] = (), code: int = 1) -> str:
    """`lake ARGS` exits with `code` (not a signal, not a hang) and a `lake:` message naming each of `mentions`.

    Exit codes as `lake --help` documents them: 1 for bad data in a table or an input file, 2 for a command
    line lake cannot accept (a value outside what its type or the calendar allows), 4 for a version or time
    the table's history does not have."""
    rc, _, err = run_lake(*args, timeout=TIMEOUT)
    assert rc == code, f"expected exit {code}, got {rc}; stderr:\n{err[-2000:]}"
    assert err.startswith("lake: "), f"expected a one-line `lake: ...` message, got:\n{err[-2000:]}"
    for m in mentions:
        assert m.lower() in err.lower(), f"message does not mention {m!r}:\n{err}"
    return err


def read_rows(run_lake, table: Path, *extra) -> list[dict]:
    rc, out, err = run_lake("read", table, "--format", "ndjson", *extra, timeout=TIMEOUT)
    assert rc == 0, err
    return parse_ndjson(out)


# ---------------------------------------------------------------------------------------------------------
# Partition values


BAD_PARTITION_VALUES = [
    ("date", "99999999-01-01"),
    ("date", "-99999999-01-01"),
    ("date", "2024-02-30"),
    ("date", "5881580-07-12"),  # one day past the largest 32-bit date
    ("timestamp", "-300000-01-01 00:00:00"),  # before the first 64-bit microsecond
    ("timestamp", "300000-01-01 00:00:00"),
    ("timestamp", "999999-01-01"),  # a bare date whose midnight overflows microseconds
    ("timestamp", "99999999-01-01 00:00:00"),
    ("timestamp_ntz", "-300000-01-01 00:00:00"),
    ("long", "99999999999999999999"),
    ("long", "-9223372036854775809"),
    ("integer", "2147483648"),
    ("short", "40000"),
    ("byte", "300"),
    ("byte", "-129"),
    ("decimal(10,2)", "1e999999999"),  # must fail at once, not append a billion zeros
    ("decimal(10,2)", "1e-999999999"),
    ("decimal(10,2)", "1e9223372036854775807"),
    ("decimal(10,2)", "1e-9223372036854775808"),
    ("decimal(10,2)", "123456789012345678901234567890123456789012"),
    ("decimal(38,0)", "1" * 39),
    ("decimal(10,2)", "1.005"),
    ("boolean", "maybe"),
    ("double", "1.0.0"),
]


@pytest.mark.parametrize("type_,value", BAD_PARTITION_VALUES, ids=[f"{t}={v}" for t, v in BAD_PARTITION_VALUES])
def test_partition_value_out_of_range_is_an_error(run_lake, work_dir, type_, value):
    t = partitioned_table(work_dir, type_, value)
    assert_fails(run_lake, "read", t, mentions=[value, "partition value"])


GOOD_EXTREME_PARTITION_VALUES = [
    ("date", "-290000-01-01", "-290000-01-01"),
    ("date", "999999-12-31", "999999-12-31"),
    ("timestamp", "-290000-01-01 00:00:00", "-290000-01-01T00:00:00.000000Z"),
    ("timestamp", "290000-12-31 23:59:59.999999", "290000-12-31T23:59:59.999999Z"),
    ("long", "-9223372036854775808", -9223372036854775808),
    ("byte", "-128", -128),
    ("decimal(10,2)", "0e999999999", "0.00"),
    ("decimal(10,2)", "12345.6e3", "12345600.00"),
    ("decimal(38,0)", "9" * 38, "9" * 38),
]


@pytest.mark.parametrize("type_,value,shown", GOOD_EXTREME_PARTITION_VALUES,
                         ids=[f"{t}={v}" for t, v, _ in GOOD_EXTREME_PARTITION_VALUES])
def test_partition_value_at_the_edge_of_its_type_reads_exactly(run_lake, work_dir, type_, value, shown):
    t = partitioned_table(work_dir, type_, value)
    rows = read_rows(run_lake, t)
    assert [r["p"] for r in rows] == [shown] * 3


def test_malformed_escape_in_a_file_path_is_an_error(run_lake, work_dir):
    t = work_dir / "t"
    size = data_file(t, "p=a/part-0.parquet", 3)
    write_log(t, 0, [protocol(), metadata([field("id", "long"), field("p", "string")], ["p"]),
                     add("p=%ZZ/part-0.parquet", size, {"p": "a"})])
    assert_fails(run_lake, "read", t, mentions=["p=%ZZ/part-0.parquet"])


# ---------------------------------------------------------------------------------------------------------
# Sizes, record counts, versions


def test_sizes_that_overflow_their_sum_are_a_corrupt_table(run_lake, work_dir):
    big = 9223372036854775807
    t = work_dir / "t"
    s0 = data_file(t, "a.parquet")
    data_file(t, "b.parquet")
    write_log(t, 0, [protocol(), metadata([field("id", "long")]), add("a.parquet", big), add("b.parquet", s0 + big // 2 + 1)])
    assert_fails(run_lake, "info", t, mentions=["size", "corrupt"])


def test_negative_size_is_a_corrupt_table(run_lake, work_dir):
    t = plain_table(work_dir, size=-1)
    assert_fails(run_lake, "info", t, mentions=["size -1"])


@pytest.mark.parametrize("num_records", [9223372036854775807, -5])
def test_record_counts_that_cannot_be_right_are_a_corrupt_table(run_lake, work_dir, num_records):
    stats = json.dumps({"numRecords": num_records})
    t = plain_table(work_dir, stats=stats, extra_adds=[add("part-0.parquet#2", 1, stats=stats)])
    assert_fails(run_lake, "info", t, mentions=["numRecords", str(num_records)])


ABSURD_STATS = {
    "infinite-min-max": '{"numRecords": 10, "minValues": {"id": 1e999999999}, "maxValues": {"id": -1e999999999}}',
    "nested-100000-deep": '{"numRecords": 10, "minValues": {"id": ' + "[" * 100000 + "]" * 100000 + "}}",
    "huge-numbers": '{"numRecords": 1e999999999, "minValues": {"id": 99999999999999999999999999999}}',
    "100000-digit-string": '{"numRecords": 10, "minValues": {"id": "' + "9" * 100000 + '"}}',
}


@pytest.mark.parametrize("stats", list(ABSURD_STATS.values()), ids=list(ABSURD_STATS))
def test_absurd_stats_never_trap_and_never_drop_rows(run_lake, work_dir, stats):
    # Stats only let a reader skip files; absurd ones must neither crash lake nor lose rows.
    t = plain_table(work_dir, stats=stats)
    assert sorted(r["id"] for r in read_rows(run_lake, t, "--where", "id >= 0")) == list(range(10))
    rc, _, err = run_lake("info", t, timeout=TIMEOUT)
    assert rc in (0, 1), err
    rc, _, err = run_lake("files", t, "--json", timeout=TIMEOUT)
    assert rc == 0, err


def test_commit_at_the_largest_version_is_a_gap_not_a_trap(run_lake, work_dir):
    t = plain_table(work_dir)
    (t / "_delta_log" / f"{9223372036854775807:020d}.json").write_text("")
    for cmd in (["read", t], ["info", t], ["files", t]):
        assert_fails(run_lake, *cmd, mentions=["version 1 is missing"])
    # History lists the commit files that exist, whatever their numbers.
    rc, out, err = run_lake("history", t, "--json", timeout=TIMEOUT)
    assert rc == 0, err
    assert [e["version"] for e in json.loads(out)] == [9223372036854775807, 0]


def test_no_commit_can_follow_a_checkpoint_at_the_largest_version(run_lake, work_dir):
    t = plain_table(work_dir)
    rc, _, err = run_lake("checkpoint", t, timeout=TIMEOUT)
    assert rc == 0, err
    log = t / "_delta_log"
    (log / f"{0:020d}.checkpoint.parquet").rename(log / f"{9223372036854775807:020d}.checkpoint.parquet")
    (log / f"{0:020d}.json").unlink()
    (log / "_last_checkpoint").unlink(missing_ok=True)
    # The checkpoint alone reconstructs version Int64.max ...
    assert sorted(r["id"] for r in read_rows(run_lake, t)) == list(range(10))
    # ... after which no version exists to commit to.
    src = work_dir / "more.parquet"
    pq.write_table(pa.table({"id": pa.array([1], pa.int64())}), src)
    assert_fails(run_lake, "write", t, src, mentions=["9223372036854775807"])


@pytest.mark.parametrize("version", ["9223372036854775807", "-1", "-9223372036854775808", "1"])
def test_version_outside_the_log_is_an_error(run_lake, work_dir, version):
    t = plain_table(work_dir)
    assert_fails(run_lake, "read", t, f"--version={version}", mentions=[f"version {version}"], code=4)


@pytest.mark.parametrize("timestamp", [
    "-9223372036854775808", "99999999-01-01", "999999-01-01", "-300000-01-01T00:00:00Z",
    "300000-01-01T00:00:00Z", "99999999999999999999", "2024-13-01", "tomorrow",
])
def test_timestamp_outside_the_history_or_the_calendar_is_an_error(run_lake, work_dir, timestamp):
    t = plain_table(work_dir)
    # Before the first commit: not found (4); not a time at all, or past the calendar lake reads: usage (2).
    code = 4 if timestamp == "-9223372036854775808" else 2
    assert_fails(run_lake, "read", t, f"--timestamp={timestamp}", mentions=[timestamp], code=code)


def test_timestamp_after_the_history_reads_the_latest_version(run_lake, work_dir):
    t = plain_table(work_dir)
    for ts in ("9223372036854775807", "290000-01-01T00:00:00Z"):
        assert len(read_rows(run_lake, t, f"--timestamp={ts}")) == 10


def test_largest_limit_returns_every_row(run_lake, work_dir):
    t = plain_table(work_dir)
    assert len(read_rows(run_lake, t, "--limit", "9223372036854775807")) == 10
    rc, out, err = run_lake("history", t, "--limit", "9223372036854775807", "--json", timeout=TIMEOUT)
    assert rc == 0, err


# ---------------------------------------------------------------------------------------------------------
# Deletion vectors

Z85_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85(data: bytes) -> str:
    assert len(data) % 4 == 0
    out = []
    for i in range(0, len(data), 4):
        v = int.from_bytes(data[i:i + 4], "big")
        chunk = []
        for _ in range(5):
            chunk.append(Z85_ALPHABET[v % 85])
            v //= 85
        out.extend(reversed(chunk))
    return "".join(out)


def roaring32_arrays(values: list[int]) -> bytes:
    """A 32-bit portable Roaring bitmap of array containers (cookie 12346)."""
    groups: dict[int, list[int]] = {}
    for v in sorted(set(values)):
        groups.setdefault(v >> 16, []).append(v & 0xFFFF)
    keys = sorted(groups)
    out = struct.pack("<II", 12346, len(keys))
    for k in keys:
        out += struct.pack("<HH", k, len(groups[k]) - 1)
    offset = 8 + 8 * len(keys)
    for k in keys:
        out += struct.pack("<I", offset)
        offset += 2 * len(groups[k])
    for k in keys:
        out += b"".join(struct.pack("<H", v) for v in groups[k])
    return out


def roaring32_runs(containers: list[tuple[int, int, list[tuple[int, int]]]]) -> bytes:
    """Run containers: (key, header cardinality, [(start, length - 1), ...]) each (cookie 12347)."""
    n = len(containers)
    out = struct.pack("<I", 12347 | (n - 1) << 16)
    out += bytes([0xFF] * ((n + 7) // 8))  # every container is a run container
    for key, card, _ in containers:
        out += struct.pack("<HH", key, (card - 1) & 0xFFFF)
    body = b"".join(struct.pack("<H", len(runs)) + b"".join(struct.pack("<HH", s, l) for s, l in runs)
                    for _, _, runs in containers)
    if n >= 4:
        offset = len(out) + 4 * n
        for _, _, runs in containers:
            out += struct.pack("<I", offset)
            offset += 2 + 4 * len(runs)
    return out + body


def bitmap_array(bitmaps: list[tuple[int, bytes]], count: int | None = None) -> bytes:
    """Delta's RoaringBitmapArray: magic, count, then (high 32 bits key, 32-bit bitmap) pairs."""
    out = struct.pack("<IQ", 1681511377, len(bitmaps) if count is None else count)
    for key, b in bitmaps:
        out += struct.pack("<I", key) + b
    return out


def inline_dv(bitmap: bytes, cardinality: int, size: int | None = None) -> dict:
    padded = bitmap + b"\0" * (-len(bitmap) % 4)
    return {"storageType": "i", "pathOrInlineDv": z85(padded),
            "sizeInBytes": len(bitmap) if size is None else size, "cardinality": cardinality}


def dv_table(root: Path, dv: dict, rows: int = 10) -> Path:
    t = root / "t"
    size = data_file(t, "part-0.parquet", rows)
    write_log(t, 0, [protocol(dv=True), metadata([field("id", "long")], configuration={"delta.enableDeletionVectors": "true"}),
                     add("part-0.parquet", size, dv=dv)])
    return t


def stored_dv(table: Path, bitmap: bytes, cardinality: int, offset: int = 1, size: int | None = None,
              crc: int | None = None) -> dict:
    """Writes `deletion_vector_<uuid>.bin` (version byte, BE size, bitmap, BE CRC-32) and its `u` descriptor."""
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    blob = b"\x01" + struct.pack(">I", len(bitmap)) + bitmap + struct.pack(">I", zlib.crc32(bitmap) if crc is None else crc)
    table.mkdir(parents=True, exist_ok=True)
    (table / f"deletion_vector_{u}.bin").write_bytes(blob)
    return {"storageType": "u", "pathOrInlineDv": z85(u.bytes), "offset": offset,
            "sizeInBytes": len(bitmap) if size is None else size, "cardinality": cardinality}


def test_valid_inline_and_stored_deletion_vectors_delete_their_rows(run_lake, work_dir):
    # The control case: the encoders above produce DVs lake accepts, so the failures below are about
    # the one field each breaks.
    bitmap = bitmap_array([(0, roaring32_arrays([1, 3, 8]))])
    t = dv_table(work_dir / "inline", inline_dv(bitmap, 3))
    assert sorted(r["id"] for r in read_rows(run_lake, t)) == [0, 2, 4, 5, 6, 7, 9]
    runs = bitmap_array([(0, roaring32_runs([(0, 4, [(2, 3)])]))])  # rows 2..5
    t2 = work_dir / "stored" / "t"
    t2 = dv_table(work_dir / "stored", stored_dv(t2, runs, 4))
    assert sorted(r["id"] for r in read_rows(run_lake, t2)) == [0, 1, 6, 7, 8, 9]


BAD_INLINE_DVS = {
    "cardinality-above-bits": (bitmap_array([(0, roaring32_arrays([1, 3]))]), 5, None),
    "cardinality-below-bits": (bitmap_array([(0, roaring32_arrays([1, 3, 5]))]), 1, None),
    "cardinality-above-file-rows": (bitmap_array([(0, roaring32_arrays([1]))]), 11, None),
    "negative-cardinality": (bitmap_array([(0, roaring32_arrays([1]))]), -1, None),
    "row-past-the-file-end": (bitmap_array([(0, roaring32_arrays([1, 10]))]), 2, None),
    "row-in-a-high-bitmap": (bitmap_array([(1, roaring32_arrays([0]))]), 1, None),
    "key-beyond-int32": (bitmap_array([(0xFFFFFFFF, roaring32_arrays([0]))]), 1, None),
    "huge-bitmap-count": (bitmap_array([(0, roaring32_arrays([1]))], count=2**64 - 1), 1, None),
    "bad-magic": (b"\0\0\0\0" + bitmap_array([(0, roaring32_arrays([1]))])[4:], 1, None),
    "truncated": (bitmap_array([(0, roaring32_arrays([1, 2, 3]))])[:-3], 3, None),
    "negative-size": (bitmap_array([(0, roaring32_arrays([1]))]), 1, -1),
    "size-past-the-data": (bitmap_array([(0, roaring32_arrays([1]))]), 1, 10_000),
    # 65536 full run containers claim 2^32 rows in ~650 KB: must fail before expanding them.
    "run-containers-claiming-2^32-rows": (bitmap_array([(0, roaring32_runs([(k, 65536, [(0, 65535)]) for k in range(65536)]))]), 10, None),
    "run-longer-than-header": (bitmap_array([(0, roaring32_runs([(0, 2, [(0, 5)])]))]), 2, None),
    "overlapping-runs": (bitmap_array([(0, roaring32_runs([(0, 6, [(0, 3), (2, 1)])]))]), 6, None),
    "unsorted-runs": (bitmap_array([(0, roaring32_runs([(0, 3, [(5, 1), (0, 0)])]))]), 3, None),
    "run-past-65535": (bitmap_array([(0, roaring32_runs([(0, 3, [(65534, 2)])]))]), 3, None),
}


@pytest.mark.parametrize("case", list(BAD_INLINE_DVS))
def test_malformed_inline_deletion_vector_is_an_error(run_lake, work_dir, case):
    bitmap, cardinality, size = BAD_INLINE_DVS[case]
    t = dv_table(work_dir, inline_dv(bitmap, cardinality, size))
    assert_fails(run_lake, "read", t, mentions=["deletion vector"])


@pytest.mark.parametrize("path", ["not z85!", "abcd", "0000", "\u00e9\u00e9\u00e9\u00e9\u00e9"])
def test_inline_deletion_vector_that_is_not_z85_is_an_error(run_lake, work_dir, path):
    t = dv_table(work_dir, {"storageType": "i", "pathOrInlineDv": path, "sizeInBytes": 4, "cardinality": 1})
    assert_fails(run_lake, "read", t, mentions=["deletion vector", "z85"])


@pytest.mark.parametrize("path", ["short", "ab/" + "!" * 19 + "~", "#" * 20])
def test_relative_deletion_vector_without_a_z85_uuid_is_an_error(run_lake, work_dir, path):
    t = dv_table(work_dir, {"storageType": "u", "pathOrInlineDv": path, "offset": 1, "sizeInBytes": 4, "cardinality": 1})
    assert_fails(run_lake, "read", t, mentions=["deletion vector"])


@pytest.mark.parametrize("offset,size,crc", [
    (-1, None, None), (2147483647, None, None), (1, 2147483647, None), (1, 3, None), (1, None, 12345),
])
def test_stored_deletion_vector_with_bad_offset_size_or_checksum_is_an_error(run_lake, work_dir, offset, size, crc):
    t = work_dir / "t"
    dv = stored_dv(t, bitmap_array([(0, roaring32_arrays([1]))]), 1, offset=offset, size=size, crc=crc)
    t = dv_table(work_dir, dv)
    rc, _, err = run_lake("read", t, timeout=TIMEOUT)
    assert rc == 1 and err.startswith("lake: "), err


def test_stored_deletion_vector_file_that_is_missing_is_an_error(run_lake, work_dir):
    u = uuid.UUID(int=7)
    t = dv_table(work_dir, {"storageType": "u", "pathOrInlineDv": z85(u.bytes), "offset": 1, "sizeInBytes": 20, "cardinality": 1})
    assert_fails(run_lake, "read", t, mentions=[f"deletion_vector_{u}.bin"])


def test_absolute_deletion_vector_path_that_is_missing_is_an_error(run_lake, work_dir):
    t = dv_table(work_dir, {"storageType": "p", "pathOrInlineDv": "file:///nonexistent/dv.bin", "offset": 1,
                            "sizeInBytes": 20, "cardinality": 1})
    rc, _, err = run_lake("read", t, timeout=TIMEOUT)
    assert rc == 1 and err.startswith("lake: "), err


# ---------------------------------------------------------------------------------------------------------
# Command-line expressions and schemas


def typed_table(run_lake, root: Path) -> Path:
    src = root / "typed.parquet"
    utc = dt.timezone.utc
    pq.write_table(pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "b": pa.array([1, 2, 3], pa.int8()),
        "d": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 2), None], pa.date32()),
        "ts": pa.array([dt.datetime(2024, 1, 1, tzinfo=utc), None, dt.datetime(2024, 1, 3, tzinfo=utc)], pa.timestamp("us", tz="UTC")),
        "tn": pa.array([dt.datetime(2024, 1, 1), None, dt.datetime(2024, 1, 3)], pa.timestamp("us")),
        "x": pa.array([1.5, 2.5, 3.5]),
    }), src)
    t = root / "t"
    rc, _, err = run_lake("write", t, src, timeout=TIMEOUT)
    assert rc == 0, err
    return t


BAD_WHERE = [
    ("id > 1e999999999999", "invalid double literal"),
    ("x > 1.5e400", "invalid double literal"),
    ("id > 99999999999999999999999999999999999999999999", "out of range"),
    ("id > 1.00000000000000000000000000000000000000000000001", "38 digits"),
    ("id > 99999999999999999999L", "out of range"),
    ("b > 300Y", "out of range"),
    ("d = DATE '99999999-01-01'", "invalid DATE literal"),
    ("ts > TIMESTAMP '-300000-01-01 00:00:00'", "invalid TIMESTAMP literal"),
    ("ts > TIMESTAMP '9999999-12-31 23:59:59'", "invalid TIMESTAMP literal"),
    ("CAST('9999999999999999999999' AS long) > 1", "cannot cast"),
    ("CAST('300' AS byte) > 1", "cannot cast"),
    ("CAST('1e999999999' AS decimal(38,2)) > 1", "cannot cast"),
    ("CAST('9999999-12-31' AS date) > d", "cannot cast"),
    ("CAST('999999-12-31 10:00:00' AS timestamp) > ts", "cannot cast"),
    ("CAST(DATE '999999-01-01' AS timestamp) > ts", "cannot cast"),
    ("CAST(DATE '-999999-01-01' AS timestamp_ntz) > tn", "cannot cast"),
    ("ts = DATE '999999-01-01'", "cannot cast"),
    ("tn BETWEEN DATE '-999999-01-01' AND DATE '2024-01-01'", "cannot cast"),
    ("date_trunc('year', DATE '-999999-01-01') > ts", "cannot cast"),
    ("CAST(9223372036854775807 AS timestamp) > ts", "cannot cast"),
    ("CAST(1e300 AS long) > 0", "cannot cast"),
    ("id + 9223372036854775807 > 0", "overflow"),
    ("-(-9223372036854775808) > 0", "overflow"),
    ("abs(-128Y) > 0", "overflow"),
    ("round(9223372036854775807, -1) > 0", "overflow"),
    ("CAST(99999999999999999999999999999999999999 AS decimal(38,0)) * 10 > 0", "overflow"),
    ("id / 0 > 0", "division by zero"),
    # One argument holds at most 128 KiB (Linux MAX_ARG_STRLEN): 10,000 levels is far past the limit.
    ("(" * 10000 + "id > 0" + ")" * 10000, "nests deeper"),
    ("NOT " * 10000 + "id > 0", "nests deeper"),
    ("- " * 10000 + "id > 0", "nests deeper"),
    ("abs(" * 10000 + "id" + ")" * 10000 + " > 0", "nests deeper"),
    (" OR ".join(["id = 1"] * 5000), "deeper than"),
    ("id" + " + id" * 5000 + " > 0", "deeper than"),
]


@pytest.mark.parametrize("where,message", BAD_WHERE, ids=[w[:60] for w, _ in BAD_WHERE])
def test_where_with_extreme_literals_or_nesting_is_an_error(run_lake, work_dir, where, message):
    t = typed_table(run_lake, work_dir)
    # Text that cannot be a predicate is usage (2); a value that fails when evaluated (a cast, overflow,
    # division by zero) is an error (1).
    code = 1 if message in ("cannot cast", "overflow", "division by zero") else 2
    assert_fails(run_lake, "read", t, f"--where={where}", mentions=[message], code=code)


GOOD_WHERE = [
    ("ts > TIMESTAMP '-290000-01-01 00:00:00'", [1, 3]),
    ("d < DATE '5000000-01-01'", [1, 2]),
    ("d > DATE '-5000000-01-01'", [1, 2]),
    ("x < 1e308", [1, 2, 3]),
    ("id > 1e-999999999", [1, 2, 3]),
    ("CAST('1e-999999999' AS decimal(38,2)) = 0", [1, 2, 3]),
    ("id < 99999999999999999999999999999999999999", [1, 2, 3]),
    ("(" * 200 + "id > 1" + ")" * 200, [2, 3]),
    (" OR ".join(f"id = {i}" for i in range(500)), [1, 2, 3]),
]


@pytest.mark.parametrize("where,ids", GOOD_WHERE, ids=[w[:60] for w, _ in GOOD_WHERE])
def test_where_with_extreme_but_valid_values_filters_exactly(run_lake, work_dir, where, ids):
    t = typed_table(run_lake, work_dir)
    assert sorted(r["id"] for r in read_rows(run_lake, t, f"--where={where}")) == ids


BAD_SCHEMAS = [
    ("id long, amount decimal(99999999999,2)", "small integer"),
    ("id long, amount decimal(39,0)", "precision must be 1 to 38"),
    ("id long, amount decimal(10,11)", "precision must be 1 to 38"),
    ("id long, a " + "array<" * 10000 + "int" + ">" * 10000, "nest deeper"),
    ("id long, s " + "struct<a: " * 10000 + "int" + ">" * 10000, "nest deeper"),
]


@pytest.mark.parametrize("schema,message", BAD_SCHEMAS, ids=[s[:50] for s, _ in BAD_SCHEMAS])
def test_create_with_an_impossible_schema_is_an_error(run_lake, work_dir, schema, message):
    assert_fails(run_lake, "create", work_dir / "t", "--schema", schema, mentions=[message], code=2)
    assert not (work_dir / "t" / "_delta_log").exists()


# ---------------------------------------------------------------------------------------------------------
# Data files with values outside the usual range


def civil_date(days: int) -> str:
    """`YYYY-MM-DD` of `days` since 1970-01-01 for any year: whole 400-year cycles (146,097 days) are
    shifted into Python's date range, which the proleptic Gregorian calendar repeats exactly."""
    epoch = dt.date(1970, 1, 1).toordinal()
    cycles, rest = divmod(days + epoch - dt.date(2000, 1, 1).toordinal(), 146_097)
    d = dt.date.fromordinal(dt.date(2000, 1, 1).toordinal() + rest)
    year = d.year + 400 * cycles
    return f"{year:04d}-{d.month:02d}-{d.day:02d}" if 0 <= year <= 9999 else f"{year}-{d.month:02d}-{d.day:02d}"


def civil_timestamp_us(us: int) -> str:
    days, in_day = divmod(us, 86_400_000_000)
    secs, frac = divmod(in_day, 1_000_000)
    return f"{civil_date(days)}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.{frac:06d}Z"


def raw_array(type_: pa.DataType, values: list[int], width: str) -> pa.Array:
    """An array of `type_` over raw integers, bypassing pyarrow's range checks."""
    buf = pa.py_buffer(struct.pack(f"<{len(values)}{width}", *values))
    return pa.Array.from_buffers(type_, len(values), [None, buf])


def test_time_date_and_timestamp_values_at_their_limits_render_without_trapping(run_lake, work_dir):
    days = [-2147483648, 2147483647, 0]
    micros = [-9223372036854775808, 9223372036854775807, 0]
    src = work_dir / "odd.parquet"
    pq.write_table(pa.table({
        "t": raw_array(pa.time64("us"), [-1, 86_400_000_000 * 5, 0], "q"),
        "d": raw_array(pa.date32(), days, "i"),
        "ts": raw_array(pa.timestamp("us", tz="UTC"), micros, "q"),
    }), src)
    rc, out, err = run_lake("parquet", "cat", src, "--format", "ndjson", timeout=TIMEOUT)
    assert rc == 0, err
    rows = parse_ndjson(out)
    assert [r["d"] for r in rows] == [civil_date(d) for d in days]
    assert [r["ts"] for r in rows] == [civil_timestamp_us(u) for u in micros]
    assert rows[2]["t"] == "00:00:00.000000"


@pytest.mark.parametrize("window,expected", [
    ("v=lag(id, 9223372036854775807) over (order by id)", [None] * 5),
    ("v=lead(id, 9223372036854775807) over (order by id)", [None] * 5),
    ("v=sum(id) over (order by id rows between 9223372036854775807 preceding and current row)", [0, 1, 3, 6, 10]),
    ("v=rolling_sum(id, 9223372036854775807) over (order by id)", [0, 1, 3, 6, 10]),
])
def test_window_offsets_and_frames_of_any_size_do_not_overflow(run_lake, work_dir, window, expected):
    src = work_dir / "in.parquet"
    pq.write_table(pa.table({"id": pa.array(range(5), pa.int64())}), src)
    rc, out, err = run_lake("frame", src, "--window", window, "--sort", "id", "--format", "ndjson", timeout=TIMEOUT)
    assert rc == 0, err
    assert [r["v"] for r in parse_ndjson(out)] == expected


def test_negative_window_offset_is_an_error(run_lake, work_dir):
    src = work_dir / "in.parquet"
    pq.write_table(pa.table({"id": pa.array(range(5), pa.int64())}), src)
    assert_fails(run_lake, "frame", src, "--window", "v=lag(id, -9223372036854775808) over (order by id)",
                 mentions=["offset of lag must be zero or more"], code=2)


def test_dates_at_the_ends_of_32_bits_round_trip_through_a_date_partition(run_lake, work_dir):
    days = [-2147483648, 2147483647, 0]
    src = work_dir / "in.parquet"
    pq.write_table(pa.table({"id": pa.array([0, 1, 2], pa.int64()), "d": raw_array(pa.date32(), days, "i")}), src)
    t = work_dir / "t"
    rc, _, err = run_lake("write", t, src, "--partition-by", "d", timeout=TIMEOUT)
    assert rc == 0, err
    rows = sorted(read_rows(run_lake, t), key=lambda r: r["id"])
    assert [r["d"] for r in rows] == [civil_date(d) for d in days]
