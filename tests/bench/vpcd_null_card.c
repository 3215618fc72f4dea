/* A do-nothing vpcd card for the latency baseline of `make bench`: it
 * answers the ATR request and every APDU with 9000, with the same socket
 * options as the simulator (TCP_NODELAY, TCP_QUICKACK re-armed after each
 * read). Usage: vpcd-null-card HOST PORT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int rd(int fd, uint8_t *p, size_t n)
{
	int one = 1;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const uint8_t atr[] = { 0x00, 0x04, 0x3B, 0x80, 0x80, 0x01 };
	static const uint8_t ok[] = { 0x00, 0x02, 0x90, 0x00 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint8_t hdr[2], buf[65536];
	int fd, one = 1;

	if (argc != 3)
		return 2;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	for (;;) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if (fd >= 0)
			close(fd);
		usleep(100000);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (rd(fd, hdr, 2) == 0) {
		size_t n = (size_t)hdr[0] << 8 | hdr[1];

		if (rd(fd, buf, n) < 0)
			break;
		if (n == 1 && buf[0] == 4) {
			if (write(fd, atr, sizeof(atr)) != sizeof(atr))
				break;
		} else if (n > 1) {
			if (write(fd, ok, sizeof(ok)) != sizeof(ok))
				break;
		}
	}
	close(fd);
	return 0;
}
