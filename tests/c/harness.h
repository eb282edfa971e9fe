/* Tiny assertion helpers shared by the C harness programs. Each program prints one line per check and
 * exits non-zero on the first failure. */
#ifndef QGCAL_TEST_HARNESS_H
#define QGCAL_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qorus_gcal.h"

static int harness_checks = 0;

#define CHECK(cond, ...)                                                        \
  do {                                                                          \
    harness_checks++;                                                           \
    if (!(cond)) {                                                              \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);           \
      fprintf(stderr, __VA_ARGS__);                                             \
      fprintf(stderr, "\n");                                                    \
      exit(1);                                                                  \
    }                                                                           \
  } while (0)

/* Asserts a call failed with `want`, that its error carries that status and a message containing
 * `needle`, then frees the error. */
static inline void expect_error(qgcal_status got, qgcal_error *err, qgcal_status want, const char *needle) {
  CHECK(got == want, "status %s, want %s (message: %s)", qgcal_status_name(got), qgcal_status_name(want),
        err ? qgcal_error_message(err) : "(no error)");
  CHECK(err != NULL, "no error object for status %s", qgcal_status_name(want));
  CHECK(qgcal_error_status(err) == want, "error object status %s", qgcal_status_name(qgcal_error_status(err)));
  const char *msg = qgcal_error_message(err);
  CHECK(msg != NULL && strstr(msg, needle) != NULL, "message \"%s\" lacks \"%s\"", msg ? msg : "(null)",
        needle);
  qgcal_error_free(err);
}

/* Copies the first `"key":"value"` string of a compact JSON text. */
static inline void json_str(const char *json, const char *key, char *dst, size_t size) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *at = strstr(json, pattern);
  CHECK(at != NULL, "no %s in %s", key, json);
  at += strlen(pattern);
  size_t len = strcspn(at, "\"");
  CHECK(len < size, "value too long");
  memcpy(dst, at, len);
  dst[len] = '\0';
}

/* A call that must succeed; answers its result (free it with qgcal_string_free). Not inline: inlined,
 * gcc 12 takes the result for a pointer into the caller's frame (-Wdangling-pointer). */
__attribute__((unused, noinline)) static char *ok_call(qgcal_client *client, const char *method, const char *params, const char *body) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_call(client, method, params, body, &out, &err);
  CHECK(st == QGCAL_OK, "%s %s: %s %s", method, params, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
  return out;
}

/* How many times `needle` occurs in `text`. */
static inline int count_of(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

/* An event item, not the list's own "calendar#events" kind. */
#define EVENT_KIND "\"kind\":\"calendar#event\""

static inline int harness_done(const char *name) {
  printf("%s: %d checks passed\n", name, harness_checks);
  return 0;
}

#endif
