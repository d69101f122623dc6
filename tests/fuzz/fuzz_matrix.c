/*
 * fuzz_matrix.c - the matrix reader (rs_csr_read) and the model loader
 * (rs_model_read) on arbitrary bytes: each must accept a valid stream or
 * name an error, never crash, read out of bounds or allocate from a lying
 * header.  A matrix that is accepted must also pass rs_csr_check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *
as_file(const uint8_t *data, size_t size)
{
	FILE *f = tmpfile();

	if (f == NULL)
		return NULL;
	if (size && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return NULL;
	}
	fflush(f);
	lseek(fileno(f), 0, SEEK_SET);
	return f;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_reader *r;
	struct rs_model *m;
	struct rs_csr *c;
	struct rs_error err;
	FILE *f;

	if ((f = as_file(data, size)) == NULL)
		return 0;
	if (rs_reader_open(&r, fileno(f), "fuzz", &err) == 0) {
		if (rs_reader_kind(r) == RS_KIND_MODEL) {
			if (rs_model_read(r, &m, &err) == 0)
				rs_model_free(m);
		} else if (rs_csr_read(r, &c, &err) == 0) {
			if (rs_csr_check(c, "fuzz", &err) != 0)
				abort();	/* accepted a broken matrix */
			rs_csr_free(c);
		}
		rs_reader_free(r);
	}
	fclose(f);
	return 0;
}
