"""Decode Variant binaries (the `metadata` and `value` of a Delta `variant` column) to Python values.

Written from the Variant binary encoding spec (parquet-format VariantEncoding.md), independently of
lake, so a test can compare the binaries lake reads with what another engine renders as JSON (DuckDB's
`variant::JSON`). Objects become dicts, arrays lists, integers ints, floating values floats, decimals
`decimal.Decimal`, strings str, binary bytes; dates, times and timestamps stay tagged tuples so a
caller decides their text.
"""

from __future__ import annotations

import decimal
import struct
from typing import Any


def _uint(b: bytes, pos: int, size: int) -> int:
    if pos + size > len(b):
        raise ValueError(f"variant: {size}-byte integer at {pos} runs past {len(b)} bytes")
    return int.from_bytes(b[pos:pos + size], "little")


def dictionary(metadata: bytes) -> list[str]:
    """The field-name dictionary of a Variant metadata binary."""
    if not metadata:
        raise ValueError("variant: empty metadata")
    header = metadata[0]
    if header & 0x0F != 1:
        raise ValueError(f"variant: metadata version {header & 0x0F}, expected 1")
    size = ((header >> 6) & 0x03) + 1
    count = _uint(metadata, 1, size)
    offsets = [_uint(metadata, 1 + size * (i + 1), size) for i in range(count + 1)]
    base = 1 + size * (count + 2)
    return [metadata[base + offsets[i]:base + offsets[i + 1]].decode("utf-8") for i in range(count)]


def decode(metadata: bytes, value: bytes) -> Any:
    """The Python value of one variant."""
    return _value(dictionary(metadata), value, 0)


def _value(names: list[str], b: bytes, pos: int) -> Any:
    header = b[pos]
    basic, head = header & 0x03, header >> 2
    if basic == 1:  # short string
        return b[pos + 1:pos + 1 + head].decode("utf-8")
    if basic == 2:  # object
        offset_size, id_size, large = (head & 0x03) + 1, ((head >> 2) & 0x03) + 1, (head >> 4) & 1
        count_size = 4 if large else 1
        n = _uint(b, pos + 1, count_size)
        ids_at = pos + 1 + count_size
        offsets_at = ids_at + n * id_size
        values_at = offsets_at + (n + 1) * offset_size
        out = {}
        for i in range(n):
            key = names[_uint(b, ids_at + i * id_size, id_size)]
            out[key] = _value(names, b, values_at + _uint(b, offsets_at + i * offset_size, offset_size))
        return out
    if basic == 3:  # array
        offset_size, large = (head & 0x03) + 1, (head >> 2) & 1
        count_size = 4 if large else 1
        n = _uint(b, pos + 1, count_size)
        offsets_at = pos + 1 + count_size
        values_at = offsets_at + (n + 1) * offset_size
        return [_value(names, b, values_at + _uint(b, offsets_at + i * offset_size, offset_size)) for i in range(n)]
    return _primitive(head, b, pos + 1)


def _primitive(type_id: int, b: bytes, p: int) -> Any:
    def signed(size: int) -> int:
        return int.from_bytes(b[p:p + size], "little", signed=True)

    if type_id == 0:
        return None
    if type_id in (1, 2):
        return type_id == 1
    if type_id in (3, 4, 5, 6):
        return signed({3: 1, 4: 2, 5: 4, 6: 8}[type_id])
    if type_id == 7:
        return struct.unpack_from("<d", b, p)[0]
    if type_id in (8, 9, 10):
        scale = b[p]
        unscaled = int.from_bytes(b[p + 1:p + 1 + {8: 4, 9: 8, 10: 16}[type_id]], "little", signed=True)
        return decimal.Decimal(unscaled).scaleb(-scale)
    if type_id == 11:
        return ("date", signed(4))
    if type_id in (12, 13, 17, 18, 19):
        return ({12: "timestamp_us", 13: "timestamp_ntz_us", 17: "time_us", 18: "timestamp_ns", 19: "timestamp_ntz_ns"}[type_id], signed(8))
    if type_id == 14:
        return struct.unpack_from("<f", b, p)[0]
    if type_id in (15, 16):
        n = _uint(b, p, 4)
        raw = b[p + 4:p + 4 + n]
        return raw.decode("utf-8") if type_id == 16 else bytes(raw)
    if type_id == 20:
        return ("uuid", b[p:p + 16].hex())
    raise ValueError(f"variant: unknown primitive type {type_id}")
