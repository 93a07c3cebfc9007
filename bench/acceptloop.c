// SPDX-License-Identifier: GPL-2.0
/*
 * acceptloop SECONDS [WORKERS]: a loopback TCP server whose WORKERS
 * processes (default 4) accept() and close() while as many client
 * processes connect() and close(), for SECONDS; prints the connections
 * and connections per second. Every close passes inet_release(), and none
 * of these sockets is in the bind table: the cost knetmon adds to a server
 * that is not binding anything.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

static void serve(int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0)
			close(fd);
	}
}

static long connect_loop(const struct sockaddr_in *a, double end)
{
	long n = 0;

	while (now() < end) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a))) {
			perror("acceptloop: connect");
			exit(1);
		}
		close(fd);
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2;
	int workers = argc > 2 ? atoi(argv[2]) : 4;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	long *counts = mmap(NULL, sizeof(long) * workers, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t *servers = calloc(workers, sizeof(pid_t));
	pid_t *clients = calloc(workers, sizeof(pid_t));
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1, i;
	long total = 0;
	double t0, end, elapsed;

	if (counts == MAP_FAILED || !servers || !clients || workers < 1 || lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len))
		return 2;
	for (i = 0; i < workers; i++) {
		servers[i] = fork();
		if (servers[i] == 0)
			serve(lfd);
	}
	t0 = now();
	end = t0 + seconds;
	for (i = 0; i < workers; i++) {
		clients[i] = fork();
		if (clients[i] == 0) {
			counts[i] = connect_loop(&a, end);
			_exit(0);
		}
	}
	for (i = 0; i < workers; i++) {
		waitpid(clients[i], NULL, 0);
		total += counts[i];
	}
	elapsed = now() - t0;
	for (i = 0; i < workers; i++) {
		kill(servers[i], SIGKILL);
		waitpid(servers[i], NULL, 0);
	}
	printf("%ld connections %.0f connections/s\n", total, total / elapsed);
	return 0;
}
