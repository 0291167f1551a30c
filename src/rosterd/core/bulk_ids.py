"""Ids for many new rows at once: time-ordered UUIDs and increasing ULIDs.

`uuid.UUID` and python-ulid build an object per id through their validating constructors,
which costs more than the rest of a bulk import's work for that row; these make the same
values as text, from one read of the system's randomness per batch.
"""

from __future__ import annotations

import base64
import os
import time
from datetime import datetime
from typing import Final

# The RFC 4122 variant (binary 10) in the high bits of byte 8.
_VARIANT: Final = bytes((b & 0x3F) | 0x80 for b in range(256))


# UUIDv7 (RFC 9562 5.7): 48 bits of Unix milliseconds, the version, 12 bits of the fraction of the
# millisecond (the RFC's method 3, so that later calls make greater ids), the variant, 62 random
# bits.
_TAIL_BYTES: Final = 8
_NS_PER_MS: Final = 1_000_000
_SUB_MS_STEPS: Final = 4096
_VERSION_7: Final = 0x7000


def new_time_ordered_uuids(count: int) -> list[str]:
    """`count` version 7 UUIDs of this moment in canonical text, in increasing order.

    Keys that follow one another go to the right-hand end of an index, whose pages are in the
    cache, instead of each to a random page of it: a bulk import's new users (their `id` index,
    and their audit events' by target) cost a page read and write per user with random ones once
    the index outgrows the cache. They are valid RFC 4122/9562 UUIDs, as the APIs' ids are.
    """
    millis, nanos = divmod(time.time_ns(), _NS_PER_MS)
    head = f"{millis:012x}{_VERSION_7 | nanos * _SUB_MS_STEPS // _NS_PER_MS:04x}"
    raw = bytearray(os.urandom(_TAIL_BYTES * count))
    raw[0::_TAIL_BYTES] = raw[0::_TAIL_BYTES].translate(_VARIANT)
    digits = raw.hex()
    prefix = f"{head[:8]}-{head[8:12]}-{head[12:]}-"
    return sorted(
        f"{prefix}{t[:4]}-{t[4:]}" for t in (digits[i : i + 16] for i in range(0, len(digits), 16))
    )


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
