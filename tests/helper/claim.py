#!/usr/bin/env python3
"""claim.py - crafts an rs stream whose header claims other row counts.

    python3 claim.py IN OUT TABLE=NROWS ...

IN is a raw rs stream (zstd -dc a compressed one first), of format 1.0
or 2.0.  OUT is IN with the row count of each table TABLE (0-based)
replaced by NROWS (decimal or 0x hex) and the header's CRC-32C
recomputed, so that readers get past the checksum and must judge the
claims themselves.  The header layout is the one of man/rs-stream.5 (and
lib/stream.h); 2.0 adds a u16 layout after each table's row count.
"""
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def main():
    src, dst = sys.argv[1], sys.argv[2]
    claims = {}
    for a in sys.argv[3:]:
        t, n = a.split('=')
        claims[int(t)] = int(n, 0)
    b = bytearray(open(src, 'rb').read())
    if b[:4] != b'\x89RST':
        sys.exit('claim.py: %s: not a raw rs stream' % src)
    (major,) = struct.unpack_from('<H', b, 8)
    hlen, ntables = struct.unpack_from('<II', b, 16)
    off = 28
    for t in range(ntables):
        (n,) = struct.unpack_from('<H', b, off)
        off += 2 + n
        if t in claims:
            struct.pack_into('<Q', b, off, claims[t])
        off += 8
        if major >= 2:  # the table's layout
            off += 2
        (ncols,) = struct.unpack_from('<H', b, off)
        off += 2
        for _ in range(ncols):
            typ = b[off]
            off += 1 + 4
            (n,) = struct.unpack_from('<H', b, off)
            off += 2 + n
            if typ == 9:    # RS_T_ENUM: its labels
                (nl,) = struct.unpack_from('<H', b, off)
                off += 2
                for _ in range(nl):
                    (n,) = struct.unpack_from('<H', b, off)
                    off += 2 + n
    if claims and max(claims) >= ntables:
        sys.exit('claim.py: %s has %d tables' % (src, ntables))
    struct.pack_into('<I', b, hlen - 4, crc32c(bytes(b[:hlen - 4])))
    open(dst, 'wb').write(bytes(b))


main()
