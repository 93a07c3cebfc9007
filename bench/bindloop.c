// SPDX-License-Identifier: GPL-2.0
/*
 * bindloop SECONDS [PROCS] [FAMILY]: PROCS processes (default 1) each run
 * socket() + bind(port 0) + close() for SECONDS; prints the total number of
 * binds and binds per second. The unit of knetmon's bind overhead.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long loop(double seconds, int family)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *a = family == AF_INET6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4;
	socklen_t len = family == AF_INET6 ? sizeof(a6) : sizeof(a4);
	double end = now() + seconds;
	long n = 0;

	while (now() < end) {
		int i;

		/* check the clock every 64 binds, not every bind */
		for (i = 0; i < 64; i++) {
			int fd = socket(family, SOCK_DGRAM, 0);

			if (fd < 0 || bind(fd, a, len)) {
				perror("bindloop");
				exit(1);
			}
			close(fd);
			n++;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2;
	int procs = argc > 2 ? atoi(argv[2]) : 1;
	int family = argc > 3 && !strcmp(argv[3], "6") ? AF_INET6 : AF_INET;
	long *counts = mmap(NULL, sizeof(long) * procs, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long total = 0;
	double t0 = now();
	int i;

	if (counts == MAP_FAILED || procs < 1)
		return 2;
	for (i = 0; i < procs; i++) {
		if (fork() == 0) {
			counts[i] = loop(seconds, family);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	for (i = 0; i < procs; i++)
		total += counts[i];
	printf("%ld binds %.0f binds/s\n", total, total / (now() - t0));
	return 0;
}
