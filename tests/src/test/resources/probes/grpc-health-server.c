/*
 * A minimal gRPC health server for berth's probe ITs: answers every
 * grpc.health.v1.Health/Check call with a fixed status, over cleartext HTTP/2.
 * The request (service name) is not decoded; nothing else of gRPC is served.
 *
 * usage: grpc-health-server PORT SERVING|NOT_SERVING
 *
 * Per connection: send an empty SETTINGS frame (the server preface), read the
 * client preface and frames, ACK the client's SETTINGS and PINGs, and when a
 * client stream ends (END_STREAM on HEADERS or DATA) answer it with
 * HEADERS(:status 200, content-type application/grpc), DATA(HealthCheckResponse)
 * and trailers (grpc-status 0). Then read until the client closes.
 * Built static by the test (gcc -static), so it runs in the busybox image.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int frame(int fd, unsigned char type, unsigned char flags, unsigned sid,
                 const unsigned char *payload, size_t len) {
  unsigned char h[9] = {(unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len,
                        type, flags,
                        (unsigned char)((sid >> 24) & 0x7f), (unsigned char)(sid >> 16),
                        (unsigned char)(sid >> 8), (unsigned char)sid};
  if (write_all(fd, h, 9) < 0) return -1;
  return len == 0 ? 0 : write_all(fd, payload, len);
}

static int answer(int fd, unsigned sid, unsigned char status) {
  /* HPACK: indexed :status 200 (static 8); content-type (static 31) literal, not indexed */
  static const unsigned char headers[] = {0x88, 0x0f, 0x10, 16, 'a', 'p', 'p', 'l', 'i', 'c', 'a',
                                          't',  'i',  'o',  'n', '/', 'g', 'r', 'p', 'c'};
  /* gRPC message: not compressed, length 2, HealthCheckResponse{status (field 1, varint)} */
  unsigned char data[] = {0, 0, 0, 0, 2, 0x08, status};
  /* HPACK: literal, not indexed, new name: grpc-status: 0 */
  static const unsigned char trailers[] = {0x00, 11, 'g', 'r', 'p', 'c', '-', 's', 't', 'a',
                                           't',  'u', 's', 1,   '0'};
  if (frame(fd, 0x1, 0x4, sid, headers, sizeof headers) < 0) return -1;
  if (frame(fd, 0x0, 0x0, sid, data, sizeof data) < 0) return -1;
  return frame(fd, 0x1, 0x5, sid, trailers, sizeof trailers);
}

static void serve(int fd, unsigned char status) {
  unsigned char buf[65536];
  size_t have = 0, off = 24; /* skip the 24-byte client preface */
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (frame(fd, 0x4, 0x0, 0, NULL, 0) < 0) return;
  for (;;) {
    ssize_t r = read(fd, buf + have, sizeof buf - have);
    if (r <= 0) return;
    have += (size_t)r;
    while (have >= off + 9) {
      size_t len = ((size_t)buf[off] << 16) | ((size_t)buf[off + 1] << 8) | buf[off + 2];
      unsigned char type = buf[off + 3], flags = buf[off + 4];
      unsigned sid = ((unsigned)(buf[off + 5] & 0x7f) << 24) | ((unsigned)buf[off + 6] << 16) |
                     ((unsigned)buf[off + 7] << 8) | buf[off + 8];
      if (len > sizeof buf - 9) return; /* bigger than we ever expect: give up */
      if (have < off + 9 + len) break;
      const unsigned char *payload = buf + off + 9;
      if (type == 0x4 && !(flags & 0x1)) { /* SETTINGS: acknowledge */
        if (frame(fd, 0x4, 0x1, 0, NULL, 0) < 0) return;
      } else if (type == 0x6 && !(flags & 0x1)) { /* PING: pong */
        if (frame(fd, 0x6, 0x1, 0, payload, len) < 0) return;
      } else if ((type == 0x0 || type == 0x1) && (flags & 0x1) && (sid & 1)) {
        if (answer(fd, sid, status) < 0) return; /* a client stream ended: answer it */
      }
      off += 9 + len;
    }
    if (off > 0 && off == have) { /* all consumed: reuse the buffer */
      have = 0;
      off = 0;
    } else if (off > sizeof buf / 2) {
      memmove(buf, buf + off, have - off);
      have -= off;
      off = 0;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[2], "SERVING") && strcmp(argv[2], "NOT_SERVING"))) {
    fprintf(stderr, "usage: %s PORT SERVING|NOT_SERVING\n", argv[0]);
    return 2;
  }
  unsigned char status = strcmp(argv[2], "SERVING") == 0 ? 1 : 2;
  signal(SIGPIPE, SIG_IGN);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(argv[1]));
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 16) < 0) {
    perror("grpc-health-server: bind/listen");
    return 1;
  }
  fprintf(stderr, "grpc-health-server: %s on :%s\n", argv[2], argv[1]);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    serve(c, status);
    close(c);
  }
}
