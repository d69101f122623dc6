/*
 * fuzz_stream.c - the stream reader (header, metadata and block decoders)
 * on arbitrary bytes: it must return an error or read to the end, never
 * crash, hang or read out of bounds.  Every record of every block is
 * walked with rs_record_size, as consumers do.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct rs_table_desc *t;
	struct rs_reader *r;
	struct rs_error err;
	struct rs_block b;
	size_t off, sz;
	uint32_t i;
	int rc;
	FILE *f;

	/* The reader wants a descriptor: hand it the bytes via a tmpfile. */
	if ((f = tmpfile()) == NULL)
		return 0;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return 0;
	}
	fflush(f);
	lseek(fileno(f), 0, SEEK_SET);
	if (rs_reader_open(&r, fileno(f), "fuzz", &err) == 0) {
		while ((rc = rs_reader_next(r, &b, &err)) >= 0) {
			if (rc == 0 && rs_reader_done(r))
				break;
			if (rc == 0)
				continue;
			t = rs_reader_table(r, b.table);
			for (i = 0, off = 0; i < b.nrec; i++, off += sz)
				if ((sz = rs_record_size(t, b.data + off,
				    b.len - off)) == 0)
					abort();	/* reader let it pass */
		}
		rs_reader_free(r);
	}
	fclose(f);
	return 0;
}
