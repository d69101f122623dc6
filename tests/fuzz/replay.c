/*
 * replay.c - runs a fuzz target over every file of corpus directories
 * (or single files), the way zstd's regression_driver.c does, so the
 * targets are exercised by `make check` without a fuzzing engine.  A crash
 * or sanitizer report fails the run; the inputs themselves may be invalid.
 *
 *   fuzz_stream-replay tests/fuzz/corpus/stream [...]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	unsigned char *buf;
	size_t n;
	long len;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len > 0 ? (size_t)len : 1);
	n = fread(buf, 1, len > 0 ? (size_t)len : 0, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct dirent *e;
	struct stat st;
	int i, runs = 0, bad = 0;
	DIR *d;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]);
			runs++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			perror(argv[i]);
			return 1;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    e->d_name);
			bad |= run_file(path);
			runs++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", runs);
	return bad;
}
