/*
 * serve_static.c - the ceiling of bench/serve.sh: the same HTTP library
 * with the same settings as rs-serve (epoll, internal thread pool, the
 * same limits), answering every request with one fixed JSON body of the
 * size of a 10-item answer.  Whatever rs-serve adds to this is the cost
 * of recommending.
 *
 *   serve_static PORT THREADS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <microhttpd.h>

static char body[1024];
static struct MHD_Response *resp;

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	(void)cls; (void)url; (void)method; (void)version; (void)upload;
	if (*con_cls == NULL) {	/* headers only: answer on the next call, */
		*con_cls = body;	/* or MHD closes the connection */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(c, 200, resp);
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	sigset_t set;
	int sig, i, n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: serve_static port threads\n");
		return 2;
	}
	n = snprintf(body, sizeof(body), "{\"visitor\":1,\"k\":10,\"release\":"
	    "\"static\",\"items\":[");
	for (i = 0; i < 10; i++)
		n += snprintf(body + n, sizeof(body) - (size_t)n, "%s{\"item\":"
		    "%d,\"rank\":%d,\"score\":0.123456789,\"source\":\"als\"}",
		    i ? "," : "", 100000 + i, i + 1);
	n += snprintf(body + n, sizeof(body) - (size_t)n, "]}\n");
	resp = MHD_create_response_from_buffer((size_t)n, body,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_TURBO, (unsigned short)atoi(argv[1]), NULL, NULL, handle,
	    NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
	    MHD_OPTION_CONNECTION_LIMIT, 1024u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
	if (d == NULL)
		return 1;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(resp);
	return 0;
}
