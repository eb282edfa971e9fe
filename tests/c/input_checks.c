/* Input that must be refused from C, before any network traffic (the config points at a port where
 * nothing listens, so a request would answer QGCAL_NETWORK_ERROR instead): arrays where an object is
 * documented, header values that can never be sent, requests too large to build, a huge method name,
 * and no secret in any message. */
#include "harness.h"

#define SECRET "ya29.SECRET-0x5ec7e7"

static void expect_no_secret(qgcal_status got, qgcal_error *err, qgcal_status want, const char *needle) {
  const char *msg = err ? qgcal_error_message(err) : NULL;
  CHECK(msg == NULL || strstr(msg, "SECRET-0x5ec7e7") == NULL, "the secret shows in \"%s\"", msg);
  CHECK(msg == NULL || strstr(msg, "BEGIN PRIVATE KEY") == NULL, "the key shows in \"%s\"", msg);
  expect_error(got, err, want, needle);
}

static void expect_config_refused(const char *json, const char *needle) {
  qgcal_client *client = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_client_new(json, &client, &err);
  CHECK(client == NULL, "client made from %s", json);
  expect_no_secret(st, err, QGCAL_INVALID_ARGUMENT, needle);
}

/* A string of `n` copies of `c`, NUL-terminated. */
static char *repeated(char c, size_t n) {
  char *s = (char *)malloc(n + 1);
  CHECK(s != NULL, "malloc");
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

int main(void) {
  /* Arrays where the header documents an object. */
  expect_config_refused("[null, null, null, null, null, null, null, null, null, null, null]", "object");
  expect_config_refused("{\"token\": [\"at\", \"rt\"]}", "object");
  expect_config_refused("{\"timeouts\": [1000, 2000]}", "object");
  /* The stored token or key file passed as text: named, never quoted. */
  expect_config_refused("{\"token\": \"" SECRET "\"}", "token");
  expect_config_refused("{\"token\": \"{\\\"access_token\\\": \\\"" SECRET "\\\"}\"}", "token");
  expect_config_refused("{\"service_account\": \"{\\\"private_key\\\": \\\"-----BEGIN PRIVATE KEY-----" SECRET
                        "\\\"}\"}",
                        "service_account");
  expect_config_refused("{\"token\": {\"access_token\": \"" SECRET "\", \"expires_at\": \"" SECRET "\"}}",
                        "token.expires_at");
  /* An access token that could never be sent in a header. */
  expect_config_refused("{\"token\": {\"access_token\": \"" SECRET "\\r\\nX-Injected: 1\"}}",
                        "token.access_token");

  qgcal_client *client = NULL;
  const char *config = "{\"client_id\": \"cid\", \"token\": {\"access_token\": \"x\"},"
                       " \"retry\": {\"base_delay_ms\": 1, \"max_delay_ms\": 5},"
                       " \"endpoints\": {\"api_base_url\": \"http://127.0.0.1:9/calendar/v3/\","
                       " \"batch_url\": \"http://127.0.0.1:9/batch/calendar/v3\"}}";
  CHECK(qgcal_client_new(config, &client, NULL) == QGCAL_OK, "client");
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st;

  st = qgcal_call_ex(client, "colors.get", NULL, NULL, "[\"\\\"etag\\\"\"]", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "object");
  err = NULL;
  st = qgcal_sync_ex(client, "events.list", "{\"calendarId\": \"primary\"}", NULL, "[true]", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "object");
  err = NULL;
  st = qgcal_batch_ex(client, "[{\"method\": \"colors.get\"}]", "[5, 2]", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "object");
  err = NULL;
  st = qgcal_batch(client, "[[\"colors.get\", {}, null]]", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "[0]");
  err = NULL;
  st = qgcal_call(client, "colors.get", "[]", NULL, &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "object");
  err = NULL;
  qgcal_consent *consent = NULL;
  char *url = NULL;
  st = qgcal_consent_start_local(client, "[8080]", &consent, &url, &err);
  CHECK(consent == NULL && url == NULL, "a consent was started from an array");
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "object");
  err = NULL;
  char *session = NULL;
  st = qgcal_consent_start_external(client, "[\"http://127.0.0.1:9/cb\"]", &url, &session, &err);
  CHECK(session == NULL && url == NULL, "a consent was started from an array");
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "object");
  err = NULL;
  st = qgcal_consent_complete(client, "[\"cid\", \"state\", \"" SECRET "\", \"http://127.0.0.1:9/cb\", [\"s\"], 1]",
                              "http://127.0.0.1:9/cb?code=c&state=state", &out, &err);
  expect_no_secret(st, err, QGCAL_INVALID_ARGUMENT, "object");
  err = NULL;

  /* Header values that can never be sent: refused at once, not retried as network errors. */
  st = qgcal_call_ex(client, "colors.get", NULL, NULL, "{\"if_match\": \"\\\"e\\\"\\r\\nX-Injected: 1\"}", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "if_match");
  err = NULL;
  st = qgcal_call_ex(client, "colors.get", NULL, NULL, "{\"if_none_match\": \"\\\"e\\\"\\u0000\"}", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "if_none_match");
  err = NULL;

  /* A request too large to build, and a method name of 10 MB: short answers, nothing sent. */
  size_t huge = (size_t)10 << 20;
  char *id = repeated('c', huge);
  size_t params_size = huge + 64;
  char *params = (char *)malloc(params_size);
  CHECK(params != NULL, "malloc");
  snprintf(params, params_size, "{\"calendarId\": \"%s\"}", id);
  st = qgcal_call(client, "calendars.get", params, NULL, &out, &err);
  CHECK(err == NULL || strlen(qgcal_error_message(err)) < 512, "a %zu byte message",
        strlen(qgcal_error_message(err)));
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "calendarId");
  err = NULL;
  memcpy(id + huge - 5, ".list", 5);
  st = qgcal_call(client, id, "{}", NULL, &out, &err);
  CHECK(err == NULL || strlen(qgcal_error_message(err)) < 300, "a %zu byte message",
        strlen(qgcal_error_message(err)));
  expect_error(st, err, QGCAL_UNKNOWN_METHOD, "bytes)");
  err = NULL;
  free(params);
  free(id);

  qgcal_client_free(client);
  return harness_done("input_checks");
}
