/* Version, status names, frees and accessors with NULL. */
#include "harness.h"

int main(void) {
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", QORUS_GCAL_VERSION_MAJOR, QORUS_GCAL_VERSION_MINOR,
           QORUS_GCAL_VERSION_PATCH);
  CHECK(strcmp(qgcal_version(), want) == 0, "version %s, macros say %s", qgcal_version(), want);
  CHECK(strcmp(qgcal_version(), QORUS_GCAL_VERSION) == 0, "QORUS_GCAL_VERSION %s", QORUS_GCAL_VERSION);

  CHECK(QGCAL_OK == 0, "QGCAL_OK must be 0");
  CHECK(strcmp(qgcal_status_name(QGCAL_OK), "QGCAL_OK") == 0, "name of OK");
  CHECK(strcmp(qgcal_status_name(QGCAL_CONSENT_REQUIRED), "QGCAL_CONSENT_REQUIRED") == 0, "name");
  CHECK(strcmp(qgcal_status_name(-5), "QGCAL_UNKNOWN_STATUS") == 0, "negative status");
  CHECK(strcmp(qgcal_status_name(9999), "QGCAL_UNKNOWN_STATUS") == 0, "large status");

  /* Every status is distinct. */
  int statuses[] = {QGCAL_OK, QGCAL_NULL_ARGUMENT, QGCAL_INVALID_UTF8, QGCAL_INVALID_JSON,
                    QGCAL_INVALID_ARGUMENT, QGCAL_UNKNOWN_METHOD, QGCAL_CONSENT_REQUIRED,
                    QGCAL_CONSENT_DENIED, QGCAL_AUTH_FAILED, QGCAL_HTTP_ERROR, QGCAL_NETWORK_ERROR,
                    QGCAL_TIMEOUT, QGCAL_CANCELLED, QGCAL_PRECONDITION_FAILED, QGCAL_NOT_MODIFIED,
                    QGCAL_SYNC_TOKEN_EXPIRED, QGCAL_REENTRANT_CALL, QGCAL_FORKED, QGCAL_SHUT_DOWN,
                    QGCAL_PANIC, QGCAL_INSUFFICIENT_SCOPE, QGCAL_INTERNAL, QGCAL_OUTCOME_UNKNOWN};
  size_t n = sizeof statuses / sizeof statuses[0];
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      CHECK(statuses[i] != statuses[j], "statuses %zu and %zu share a value", i, j);

  /* Frees and accessors accept NULL. */
  qgcal_client_free(NULL);
  qgcal_error_free(NULL);
  qgcal_string_free(NULL);
  CHECK(qgcal_error_status(NULL) == QGCAL_NULL_ARGUMENT, "status of NULL error");
  CHECK(qgcal_error_message(NULL) == NULL, "message of NULL error");
  CHECK(qgcal_error_http_status(NULL) == 0, "http status of NULL error");
  CHECK(qgcal_error_reason(NULL) == NULL, "reason of NULL error");

  /* A config error has no HTTP status and no reason. */
  qgcal_client *client = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_client_new("{\"bogus\": 1}", &client, &err);
  CHECK(st == QGCAL_INVALID_ARGUMENT, "status %s", qgcal_status_name(st));
  CHECK(qgcal_error_http_status(err) == 0, "http status");
  CHECK(qgcal_error_reason(err) == NULL, "reason");
  CHECK(client == NULL, "client_out written on failure");
  qgcal_error_free(err);

  /* A good config makes a client. */
  client = NULL;
  err = NULL;
  st = qgcal_client_new("{}", &client, &err);
  CHECK(st == QGCAL_OK && client != NULL && err == NULL, "empty config: %s", err ? qgcal_error_message(err) : "");
  qgcal_client_free(client);

  return harness_done("basics");
}
