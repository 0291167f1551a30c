"""Ids for many new rows at once: random UUIDs and increasing ULIDs.

`uuid.uuid4()` and python-ulid build an object per id through their validating constructors,
which costs more than the rest of a bulk import's work for that row; these make the same
values as text, from one read of the system's randomness per batch.
"""

from __future__ import annotations

import base64
import os
from datetime import datetime
from typing import Final

_UUID_BYTES: Final = 16
# Version 4 in the high nibble of byte 6; the RFC 4122 variant (binary 10) in byte 8.
_VERSION_4: Final = bytes((b & 0x0F) | 0x40 for b in range(256))
_VARIANT: Final = bytes((b & 0x3F) | 0x80 for b in range(256))


def new_uuids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs in canonical text, as `str(uuid.uuid4())` writes them."""
    raw = bytearray(os.urandom(_UUID_BYTES * count))
    raw[6::_UUID_BYTES] = raw[6::_UUID_BYTES].translate(_VERSION_4)
    raw[8::_UUID_BYTES] = raw[8::_UUID_BYTES].translate(_VARIANT)
    digits = raw.hex()
    return [
        f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        for h in (digits[i : i + 32] for i in range(0, len(digits), 32))
    ]


# ULIDs are Crockford base32: 10 characters of millisecond timestamp, 16 of randomness (80 bits,
# which base64.b32encode writes as 16 characters too, in another alphabet).
_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_FROM_RFC4648: Final = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD.encode())
_RANDOMNESS_BITS: Final = 80


def new_ulids(when: datetime, count: int) -> list[str]:
    """`count` ULIDs of the millisecond of `when`, increasing in list order: random, then + 1
    each, as python-ulid's monotonic generator makes them within one millisecond."""
    millis = int(when.timestamp() * 1000)
    head = "".join(_CROCKFORD[(millis >> shift) & 31] for shift in range(45, -5, -5))
    start = int.from_bytes(os.urandom(10), "big") % (2**_RANDOMNESS_BITS - count)
    packed = b"".join((start + i).to_bytes(10, "big") for i in range(count))
    tails = base64.b32encode(packed).translate(_FROM_RFC4648).decode()
    return [head + tails[16 * i : 16 * i + 16] for i in range(count)]
