/*
 * fuzz_csv.c - libFuzzer target for the CSV to records conversion
 * (load.h): the bytes are read as each kind in turn and by their header,
 * inline and with parser threads and a tiny chunk size (so the chunk
 * cutter and the ordered hand-over are fuzzed too).  Any result is fine;
 * a crash, a sanitizer report or records that do not walk their block
 * are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "records.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
	unsigned kind;
};

static int
on_block(void *ctx, const struct rs_load_block *b, struct rs_error *err)
{
	const struct walk *w = ctx;
	const unsigned char *recs = b->recs;
	size_t len = b->len;
	uint32_t nrec = b->nrec;
	struct rs_prop p;
	size_t off = 0;
	uint32_t i;

	(void)err;
	for (i = 0; i < nrec; i++) {
		switch (w->kind) {
		case RS_KIND_EVENTS:
			off += RS_EVENT_WIDTH;
			break;
		case RS_KIND_TREE:
			off += RS_TREE_WIDTH;
			break;
		default:
			if (len - off < RS_PROP_FIXED)
				abort();
			off += rs_prop_decode(recs + off, &p);
			break;
		}
		if (off > len)
			abort();
	}
	if (off != len)
		abort();
	return 0;
}

static void
on_bad(void *ctx, const char *name, uint64_t line, const char *why)
{
	(void)ctx;
	(void)name;
	if (line == 0 || why[0] == '\0')
		abort();
}

static void
run(const uint8_t *data, size_t size, unsigned kind, unsigned threads,
    size_t chunk)
{
	struct rs_load_opts o;
	struct rs_load *l;
	struct rs_error err;
	struct walk w;
	struct rs_load_sink sink = { on_block, on_bad, &w, NULL };

	rs_load_opts_init(&o);
	o.kind = kind;
	o.threads = threads;
	o.chunk = chunk;
	if (rs_load_open_mem(&l, data, size, "fuzz.csv", &o, &err) < 0)
		return;
	w.kind = rs_load_kind(l);
	(void)rs_load_run(l, &sink, &err);
	rs_load_free(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, 0, 0, 4096);
	run(data, size, RS_KIND_EVENTS, 1, 0);
	run(data, size, RS_KIND_PROPS, 0, 16);
	run(data, size, RS_KIND_TREE, 2, 8);
	return 0;
}
