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

static inline int harness_done(const char *name) {
  printf("%s: %d checks passed\n", name, harness_checks);
  return 0;
}

#endif
