#!/usr/bin/env python3
# mkmatrix.py - test-only: writes a raw (uncompressed) rs matrix stream
# (kind "matrix", tables rows/cols/entries as lib/csr.h describes) from a
# CSV of "row,col,value" lines, so rs-eval can be tested without
# rs-interactions.  A line "row,," makes a row without entries.  Not a
# tool: no error handling beyond what the fixtures need.
#
#   python3 mkmatrix.py in.csv out.rsm
import csv
import struct
import sys

MAGIC = b"\x89RST\r\n\x1a\n"
T_U32, T_F32, T_ID = 3, 7, 11
KIND_MATRIX = 5


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def s16(s):
    b = s.encode()
    return struct.pack("<H", len(b)) + b


def table_desc(name, nrows, cols):
    d = s16(name) + struct.pack("<QH", nrows, len(cols))
    for cname, typ in cols:
        d += struct.pack("<BI", typ, 1) + s16(cname)
    return d


def table_body(recs):
    blocks = b""
    if recs:
        data = b"".join(recs)
        blocks = struct.pack("<II", len(recs), len(data)) + data
    return blocks + struct.pack("<IIQI", 0, 0, len(recs), crc32c(blocks))


def write_matrix(triples, empty_rows, path):
    rows = {}
    for r, c, v in triples:
        rows.setdefault(r, {})[c] = v
    for r in empty_rows:
        rows.setdefault(r, {})
    col_ids = sorted({c for r in rows.values() for c in r})
    col_index = {c: i for i, c in enumerate(col_ids)}
    row_recs, entry_recs = [], []
    for r in sorted(rows):
        row_recs.append(struct.pack("<QI", r, len(rows[r])))
        for c in sorted(rows[r]):
            entry_recs.append(struct.pack("<If", col_index[c], rows[r][c]))
    col_recs = [struct.pack("<Q", c) for c in col_ids]
    meta = [("tool", "mkmatrix"), ("row_name", "visitorid"),
            ("col_name", "itemid")]
    body = table_desc("rows", len(row_recs), [("row_id", T_ID),
                                             ("nnz", T_U32)])
    body += table_desc("cols", len(col_recs), [("col_id", T_ID)])
    body += table_desc("entries", len(entry_recs), [("col", T_U32),
                                                    ("value", T_F32)])
    mb = b""
    for k, v in meta:
        vb = v.encode()
        mb += s16(k) + struct.pack("<I", len(vb)) + vb
    total = 28 + len(body) + len(mb) + 4
    h = MAGIC + struct.pack("<HHHHIII", 1, 0, KIND_MATRIX, 0, total, 3,
                            len(meta))
    h += body + mb
    h += struct.pack("<I", crc32c(h))
    with open(path, "wb") as f:
        f.write(h + table_body(row_recs) + table_body(col_recs) +
                table_body(entry_recs))


def main():
    src, dst = sys.argv[1:3]
    triples, empty = [], []
    with open(src, newline="") as f:
        for row in list(csv.reader(f))[1:]:
            if row[1] == "":
                empty.append(int(row[0]))
            else:
                triples.append((int(row[0]), int(row[1]), float(row[2])))
    write_matrix(triples, empty, dst)


if __name__ == "__main__":
    main()
