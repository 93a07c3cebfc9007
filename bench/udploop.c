// SPDX-License-Identifier: GPL-2.0
/*
 * udploop SECONDS [PEERS]: one UDP socket sends 1-byte datagrams over
 * loopback to PEERS (default 8) receivers in turn, for SECONDS; prints the
 * datagrams and datagrams per second. Nothing reads them: a full receiver
 * drops, the send still succeeds. Every send passes udp_sendmsg(): the
 * cost knetmon's UDP flow probe adds to a sender, listened to or not.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2;
	int peers = argc > 2 ? atoi(argv[2]) : 8;
	struct sockaddr_in *to = calloc(peers > 0 ? peers : 1, sizeof(*to));
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;
	double t0, end;
	long n = 0;

	if (!to || fd < 0 || peers < 1)
		return 2;
	for (i = 0; i < peers; i++) {
		socklen_t len = sizeof(to[i]);
		int r = socket(AF_INET, SOCK_DGRAM, 0);

		to[i].sin_family = AF_INET;
		to[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (r < 0 || bind(r, (struct sockaddr *)&to[i], sizeof(to[i])) ||
		    getsockname(r, (struct sockaddr *)&to[i], &len))
			return 2;
	}
	t0 = now();
	end = t0 + seconds;
	while (now() < end) {
		for (i = 0; i < 64; i++, n++)
			if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to[n % peers],
				   sizeof(to[0])) != 1) {
				perror("udploop: sendto");
				return 1;
			}
	}
	printf("%ld datagrams %.0f datagrams/s\n", n, n / (now() - t0));
	return 0;
}
