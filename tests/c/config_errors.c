/* Every kind of bad input to qgcal_client_new gets its own status and a message naming the problem. */
#include "harness.h"

static void expect_config_error(const char *json, qgcal_status want, const char *needle) {
  qgcal_client *client = (qgcal_client *)0x1; /* must stay untouched on failure */
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_client_new(json, &client, &err);
  CHECK(client == (qgcal_client *)0x1, "client_out was written on failure for %s", json);
  expect_error(st, err, want, needle);
}

int main(void) {
  /* Not JSON at all, or cut short. */
  expect_config_error("{", QGCAL_INVALID_JSON, "not valid JSON");
  expect_config_error("client_id=abc", QGCAL_INVALID_JSON, "not valid JSON");
  expect_config_error("", QGCAL_INVALID_JSON, "not valid JSON");

  /* JSON of the wrong shape. */
  expect_config_error("[]", QGCAL_INVALID_ARGUMENT, "config");
  expect_config_error("{\"client_idd\": \"x\"}", QGCAL_INVALID_ARGUMENT, "client_idd");
  expect_config_error("{\"endpoints\": {\"tokn_url\": \"https://x\"}}", QGCAL_INVALID_ARGUMENT, "tokn_url");
  expect_config_error("{\"timeouts\": {\"connect_ms\": \"fast\"}}", QGCAL_INVALID_ARGUMENT,
                      "timeouts.connect_ms");
  expect_config_error("{\"timeouts\": {\"request_ms\": 0}}", QGCAL_INVALID_ARGUMENT, "timeouts.request_ms");
  expect_config_error("{\"timeouts\": {\"request_ms\": -5}}", QGCAL_INVALID_ARGUMENT, "timeouts.request_ms");
  expect_config_error("{\"scopes\": \"calendar\"}", QGCAL_INVALID_ARGUMENT, "scopes");
  expect_config_error("{\"scopes\": []}", QGCAL_INVALID_ARGUMENT, "scopes");
  expect_config_error("{\"retry\": {\"max_attempts\": 0}}", QGCAL_INVALID_ARGUMENT, "retry.max_attempts");
  expect_config_error("{\"client_id\": 42}", QGCAL_INVALID_ARGUMENT, "client_id");
  expect_config_error("{\"token\": {\"access_token\": \"\"}}", QGCAL_INVALID_ARGUMENT, "token");
  expect_config_error("{\"token\": {\"access_token\": \"a\", \"expires_in\": 5}}", QGCAL_INVALID_ARGUMENT,
                      "expires_in");

  /* Endpoints must be https unless loopback. */
  expect_config_error("{\"endpoints\": {\"token_url\": \"http://example.com/token\"}}", QGCAL_INVALID_ARGUMENT,
                      "https");
  expect_config_error("{\"endpoints\": {\"token_url\": \"not a url\"}}", QGCAL_INVALID_ARGUMENT,
                      "endpoints.token_url");
  {
    qgcal_client *client = NULL;
    qgcal_error *err = NULL;
    qgcal_status st = qgcal_client_new(
        "{\"endpoints\": {\"token_url\": \"http://127.0.0.1:9/token\", \"api_base_url\": "
        "\"http://localhost:9/calendar/v3\"}}",
        &client, &err);
    CHECK(st == QGCAL_OK, "loopback http endpoints are accepted: %s", err ? qgcal_error_message(err) : "");
    qgcal_client_free(client);
  }

  /* A secret in a bad config is never echoed back. */
  {
    qgcal_client *client = NULL;
    qgcal_error *err = NULL;
    qgcal_status st = qgcal_client_new(
        "{\"client_id\": \"id\", \"client_secret\": \"TOPSECRET-1234\", \"tokn\": 1}", &client, &err);
    CHECK(st == QGCAL_INVALID_ARGUMENT, "status");
    CHECK(strstr(qgcal_error_message(err), "TOPSECRET") == NULL, "secret leaked: %s", qgcal_error_message(err));
    qgcal_error_free(err);
  }

  /* NULL arguments. */
  {
    qgcal_client *client = NULL;
    qgcal_error *err = NULL;
    qgcal_status st = qgcal_client_new(NULL, &client, &err);
    expect_error(st, err, QGCAL_NULL_ARGUMENT, "config_json");
    err = NULL;
    st = qgcal_client_new("{}", NULL, &err);
    expect_error(st, err, QGCAL_NULL_ARGUMENT, "client_out");
    /* error_out may be NULL: the status alone still tells. */
    CHECK(qgcal_client_new(NULL, &client, NULL) == QGCAL_NULL_ARGUMENT, "NULL error_out");
    CHECK(qgcal_client_new("{", &client, NULL) == QGCAL_INVALID_JSON, "NULL error_out");
  }

  /* Invalid UTF-8. */
  {
    qgcal_client *client = NULL;
    qgcal_error *err = NULL;
    qgcal_status st = qgcal_client_new("{\"client_id\": \"\xff\xfe\"}", &client, &err);
    expect_error(st, err, QGCAL_INVALID_UTF8, "UTF-8");
  }

  return harness_done("config_errors");
}
