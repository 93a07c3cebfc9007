// SPDX-License-Identifier: GPL-2.0
/*
 * listing N RUNS COMMAND...: hold about N TCP sockets (8 listeners and
 * established loopback pairs), then run each COMMAND (through /bin/sh) RUNS
 * times with its output thrown away, and print one line per command:
 *   listing N RUNS MEDIAN_MS LINES COMMAND
 * LINES counts the established and listening TCP sockets the command
 * printed once, so that no tool wins by printing less. For the device
 * benchmark (bench/device.sh), where there is no python to do this.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* About N sockets: 8 listeners, and a connected pair (2 sockets plus the
 * accepted one on the server side) per connection until N are open. */
static int hold_sockets(int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int listeners[8], open = 0, i;
	struct rlimit rl = { n + 64, n + 64 };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	for (i = 0; i < 8; i++) {
		listeners[i] = socket(AF_INET, SOCK_STREAM, 0);
		a.sin_port = 0;
		if (listeners[i] < 0 || bind(listeners[i], (void *)&a, sizeof(a)) ||
		    listen(listeners[i], 4096))
			return -1;
		open++;
	}
	for (i = 0; open + 2 <= n; i++) {
		int l = listeners[i % 8], c = socket(AF_INET, SOCK_STREAM, 0);

		if (c < 0 || getsockname(l, (void *)&a, &len) ||
		    connect(c, (void *)&a, sizeof(a)) || accept(l, NULL, NULL) < 0)
			return -1;
		open += 2;
	}
	return open;
}

static int count_lines(const char *cmd)
{
	char *full, line[1024];
	int n = 0;
	FILE *f;

	if (asprintf(&full, "%s 2>/dev/null", cmd) < 0)
		return -1;
	f = popen(full, "r");
	free(full);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "tcp", 3) &&
		    (strstr(line, "ESTABLISHED") || strstr(line, "LISTEN")))
			n++;
	pclose(f);
	return n;
}

int main(int argc, char **argv)
{
	int n, runs, held, c, r;

	if (argc < 4) {
		fprintf(stderr, "usage: listing N RUNS COMMAND...\n");
		return 2;
	}
	n = atoi(argv[1]);
	runs = atoi(argv[2]);
	held = hold_sockets(n);
	if (held < 0 || runs < 1) {
		perror("listing: sockets");
		return 1;
	}
	for (c = 3; c < argc; c++) {
		double *t = calloc(runs, sizeof(*t));
		char *quiet;

		if (!t || asprintf(&quiet, "%s > /dev/null 2>&1", argv[c]) < 0)
			return 1;
		for (r = 0; r < runs; r++) {
			double t0 = now_ms();

			if (system(quiet)) {
				fprintf(stderr, "listing: %s failed\n", argv[c]);
				return 1;
			}
			t[r] = now_ms() - t0;
		}
		qsort(t, runs, sizeof(*t), cmp_double);
		printf("listing %d %d %.1f %d %s\n", held, runs, t[runs / 2],
		       count_lines(argv[c]), argv[c]);
		fflush(stdout);
		free(quiet);
		free(t);
	}
	return 0;
}
