/* Bad calls from C: each answered with its own status and a message naming the problem, before any
 * network traffic (the config points at a port where nothing listens, so a request would fail
 * differently). */
#include "harness.h"

int main(void) {
  qgcal_client *client = NULL;
  const char *config =
      "{\"token\": {\"access_token\": \"x\"}, \"endpoints\": {\"api_base_url\": \"http://127.0.0.1:9/calendar/v3/\"}}";
  CHECK(qgcal_client_new(config, &client, NULL) == QGCAL_OK, "client");
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st;

  st = qgcal_call(client, "events.lisst", "{}", NULL, &out, &err);
  expect_error(st, err, QGCAL_UNKNOWN_METHOD, "events.lisst");
  err = NULL;
  st = qgcal_call(client, "events.list", "{}", NULL, &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "calendarId");
  err = NULL;
  st = qgcal_call(client, "events.list", "{\"calendarId\": \"primary\", \"maxResults\": true}", NULL, &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "maxResults");
  err = NULL;
  st = qgcal_call(client, "events.list", "{\"calendarId\": \"primary\", \"orderBy\": \"size\"}", NULL, &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "orderBy");
  err = NULL;
  st = qgcal_call(client, "events.list", "{\"calendarId\": ", NULL, &out, &err);
  expect_error(st, err, QGCAL_INVALID_JSON, "params_json");
  err = NULL;
  st = qgcal_call(client, "events.insert", "{\"calendarId\": \"primary\"}", "[1,", &out, &err);
  expect_error(st, err, QGCAL_INVALID_JSON, "body_json");
  err = NULL;
  st = qgcal_call(client, NULL, "{}", NULL, &out, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "method");
  err = NULL;
  st = qgcal_call(NULL, "colors.get", NULL, NULL, &out, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "client");
  err = NULL;
  st = qgcal_call(client, "colors.get", NULL, NULL, NULL, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "response_json_out");
  err = NULL;
  st = qgcal_call(client, "events.\xff", NULL, NULL, &out, &err);
  expect_error(st, err, QGCAL_INVALID_UTF8, "method");
  err = NULL;
  st = qgcal_call_ex(client, "colors.get", NULL, NULL, "{\"if_matc\": \"x\"}", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "if_matc");
  err = NULL;
  st = qgcal_list_all(client, "colors.get", NULL, 0, &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "pages");
  err = NULL;
  st = qgcal_sync(client, "events.list", "{\"calendarId\": \"primary\", \"timeMin\": \"2030-01-01T00:00:00Z\"}", "tok",
                  &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "timeMin");
  err = NULL;
  qgcal_pager *pager = NULL;
  st = qgcal_pager_new(client, "events.list", "{}", &pager, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "calendarId");
  err = NULL;
  st = qgcal_pager_next(NULL, &out, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "pager");
  err = NULL;
  qgcal_pager_free(NULL);
  st = qgcal_batch(client, "{\"method\": 1}", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "requests_json");
  err = NULL;
  st = qgcal_batch(client, "[{\"method\": \"colors.get\", \"extra\": 1}]", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "extra");
  err = NULL;
  /* A call of the wrong shape refuses the whole batch, naming where it is. */
  st = qgcal_batch(client, "[{\"method\": \"colors.get\"}, {\"method\": 1}]", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "[1].method");
  err = NULL;
  st = qgcal_batch(client, "[{\"method\": \"colors.get\", \"params\": {]}", &out, &err);
  expect_error(st, err, QGCAL_INVALID_JSON, "requests_json");
  err = NULL;
  st = qgcal_parse_notification("{\"X-Goog-Channel-ID\": \"c\"}", &out, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "x-goog-message-number");
  err = NULL;

  /* A complete notification parses. */
  st = qgcal_parse_notification(
      "{\"X-Goog-Channel-ID\": \"c\", \"X-Goog-Message-Number\": \"2\", \"X-Goog-Resource-ID\": \"r\", "
      "\"X-Goog-Resource-State\": \"exists\", \"X-Goog-Resource-URI\": \"https://x\"}",
      &out, &err);
  CHECK(st == QGCAL_OK && strstr(out, "\"message_number\":2"), "notification %s", out ? out : "");
  qgcal_string_free(out);

  /* The method list names all 38 methods. */
  CHECK(qgcal_methods(&out, NULL) == QGCAL_OK && strstr(out, "\"events.quickAdd\""), "methods");
  qgcal_string_free(out);

  qgcal_client_free(client);
  return harness_done("call_errors");
}
