/* A minimal HTTP/1.1 GET over loopback, so C tests can play the user's browser. */
#ifndef QGCAL_TEST_HTTP_GET_H
#define QGCAL_TEST_HTTP_GET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* GETs http://127.0.0.1:PORT/path; answers the status (0 on failure) and copies the Location header (if
 * any) into `location`. */
static inline int http_get(const char *url, char *location, size_t location_size) {
  const char *prefix = "http://127.0.0.1:";
  if (strncmp(url, prefix, strlen(prefix)) != 0) return 0;
  const char *port_start = url + strlen(prefix);
  int port = atoi(port_start);
  const char *path = strchr(port_start, '/');
  if (path == NULL) path = "/";
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return 0;
  }
  char request[8192];
  int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n",
                   path, port);
  if (write(fd, request, (size_t)n) != n) {
    close(fd);
    return 0;
  }
  static char answer[65536];
  size_t got = 0;
  ssize_t r;
  while (got < sizeof answer - 1 && (r = read(fd, answer + got, sizeof answer - 1 - got)) > 0) got += (size_t)r;
  answer[got] = '\0';
  close(fd);
  int status = 0;
  if (sscanf(answer, "HTTP/1.%*d %d", &status) != 1) return 0;
  if (location != NULL && location_size > 0) {
    location[0] = '\0';
    const char *loc = strstr(answer, "\r\nlocation: ");
    if (loc == NULL) loc = strstr(answer, "\r\nLocation: ");
    if (loc != NULL) {
      loc += strlen("\r\nlocation: ");
      size_t len = strcspn(loc, "\r\n");
      if (len >= location_size) len = location_size - 1;
      memcpy(location, loc, len);
      location[len] = '\0';
    }
  }
  return status;
}

#endif
