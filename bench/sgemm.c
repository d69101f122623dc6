/*
 * sgemm.c - the sgemm rate of this machine, for bench/als.sh to set the
 * ALS GFLOP/s against.  Built by the bench script, not the Makefile.
 *
 *   sgemm [threads]
 *
 * Prints "sgemm M N K threads GFLOP/s" for the shape of the ALS batches
 * (256 x 64 by 64 x 64, row-major, ld 64) and for a large square product
 * (1024 x 1024 x 1024), each timed over enough repetitions to take about
 * half a second.  With threads > 1, that many pthreads each run their own
 * single-threaded sgemm (the way rs-als-train uses OpenBLAS) and the
 * rates add up.
 */
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct job {
	int m, n, k, reps;
	float *a, *b, *c;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Processor time of the whole process: on a shared machine the rate per
 * processor-second is the steadier figure. */
static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
run(void *arg)
{
	struct job *j = arg;
	int r;

	for (r = 0; r < j->reps; r++)
		/* C (m x n, ld n) = A (m x k, ld k) * B (k x n, ld n). */
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, j->m,
		    j->n, j->k, 1.0f, j->a, j->k, j->b, j->n, 0.0f, j->c, j->n);
	return NULL;
}

static void
bench(int m, int n, int k, int threads)
{
	struct job j[16];
	pthread_t th[16];
	double t, c, flops = 2.0 * m * n * k;
	int reps = 1, i, e;

	for (i = 0; i < threads; i++) {
		j[i].m = m, j[i].n = n, j[i].k = k;
		j[i].a = malloc(sizeof(float) * m * k);
		j[i].b = malloc(sizeof(float) * k * n);
		j[i].c = malloc(sizeof(float) * m * n);
		for (e = 0; e < m * k; e++)
			j[i].a[e] = (float)(e % 7) * 0.1f;
		for (e = 0; e < k * n; e++)
			j[i].b[e] = (float)(e % 5) * 0.1f;
	}
	/* Calibrate on one thread to about 0.5 s. */
	for (;;) {
		j[0].reps = reps;
		t = now();
		run(&j[0]);
		t = now() - t;
		if (t > 0.1)
			break;
		reps *= 2;
	}
	reps = (int)(reps * 0.5 / t) + 1;
	for (i = 0; i < threads; i++)
		j[i].reps = reps;
	t = now();
	c = cpu();
	for (i = 1; i < threads; i++)
		pthread_create(&th[i], NULL, run, &j[i]);
	run(&j[0]);
	for (i = 1; i < threads; i++)
		pthread_join(th[i], NULL);
	t = now() - t;
	c = cpu() - c;
	printf("sgemm %d %d %d threads %d %.1f GFLOP/s, %.1f GFLOP per cpu-s\n",
	    m, n, k, threads, flops * reps * threads / t / 1e9,
	    flops * reps * threads / c / 1e9);
	for (i = 0; i < threads; i++) {
		free(j[i].a);
		free(j[i].b);
		free(j[i].c);
	}
}

int
main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 1;

	if (threads < 1 || threads > 16)
		threads = 1;
	openblas_set_num_threads(1);
	bench(256, 64, 64, threads);
	bench(1024, 1024, 1024, threads);
	return 0;
}
