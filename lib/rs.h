/*
 * rs.h - the public interface of librs, the library behind the rs tools.
 *
 * Global rules (stated once, as jq's jv.h does):
 *  - Fallible functions return 0 (or a count) on success and a negative
 *    RS_E* code on failure, and fill the caller's struct rs_error if one is
 *    given.  The library never prints and never exits.
 *  - Functions borrow their pointer arguments; a function that takes or
 *    gives ownership says so in its name (_take, _detach) or its comment.
 *  - Objects are opaque with create/free pairs; every _free accepts NULL.
 *  - External ids (visitor, item, category, property) are uint64_t as
 *    the user gave them; dense indices never leak into output.
 */
#ifndef RS_H
#define RS_H

/*
 * The modules the tools use.  The library's own building blocks (CRC-32C,
 * the libcsv wrapper, dense algebra and OpenBLAS, huge-page allocation,
 * input sniffing, number tokens, the random generator, top-K selection)
 * are private to lib/: its modules and their unit tests include
 * crc32c.h, csvin.h, dense.h, hugemem.h, input.h, numtok.h, rng.h and
 * topk.h directly.
 */

#include "error.h"
#include "bytes.h"
#include "stream.h"
#include "outfile.h"
#include "records.h"
#include "textout.h"
#include "numfmt.h"
#include "idmap.h"
#include "rstime.h"
#include "csr.h"
#include "als.h"
#include "space.h"
#include "model.h"
#include "interact.h"
#include "tree.h"
#include "eda.h"
#include "load.h"
#include "klist.h"
#include "items.h"
#include "synth.h"
#include "requests.h"
#include "itemknn.h"
#include "avail.h"
#include "catline.h"
#include "replay.h"
#include "engine.h"
#include "session.h"
#include "eventlog.h"
#include "release.h"
#include "replayout.h"
#include "recsin.h"
#include "metrics.h"
#include "mlflow.h"

#endif
