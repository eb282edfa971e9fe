/* A write whose answer was lost after the server applied it (the emulator drops the connection after
 * calendars.insert) answers QGCAL_OUTCOME_UNKNOWN, never QGCAL_NETWORK_ERROR; a delete whose answer
 * was lost succeeds when its repeat finds the resource gone. */
#include "harness.h"

int main(void) {
  const char *config = getenv("QGCAL_TEST_CONFIG");
  CHECK(config != NULL, "QGCAL_TEST_CONFIG is set by the harness");
  qgcal_client *client = NULL;
  qgcal_error *err = NULL;
  CHECK(qgcal_client_new(config, &client, &err) == QGCAL_OK, "client: %s", err ? qgcal_error_message(err) : "");

  CHECK(QGCAL_OUTCOME_UNKNOWN == 22, "QGCAL_OUTCOME_UNKNOWN is 22");
  CHECK(strcmp(qgcal_status_name(QGCAL_OUTCOME_UNKNOWN), "QGCAL_OUTCOME_UNKNOWN") == 0, "name");

  char *out = NULL;
  qgcal_status st = qgcal_call(client, "calendars.insert", NULL, "{\"summary\": \"lost\"}", &out, &err);
  CHECK(err == NULL || qgcal_error_http_status(err) == 0, "no HTTP answer");
  expect_error(st, err, QGCAL_OUTCOME_UNKNOWN, "may have been applied");
  err = NULL;

  /* It was applied: the calendar is in the list. */
  st = qgcal_call(client, "calendarList.list", NULL, NULL, &out, &err);
  CHECK(st == QGCAL_OK, "list: %s", err ? qgcal_error_message(err) : "");
  CHECK(strstr(out, "\"summary\":\"lost\"") != NULL, "the lost insert happened: %s", out);
  char id[256];
  const char *entry = strstr(out, "\"summary\":\"lost\"");
  /* The entry's id comes before its summary; find the last "id" before it. */
  const char *at = NULL;
  for (const char *p = strstr(out, "\"id\":\""); p && p < entry; p = strstr(p + 1, "\"id\":\""))
    at = p;
  CHECK(at != NULL, "id of the lost calendar in %s", out);
  json_str(at, "id", id, sizeof id);
  qgcal_string_free(out);

  /* The harness scheduled a lost answer for calendars.delete too. */
  char params[512];
  snprintf(params, sizeof params, "{\"calendarId\": \"%s\"}", id);
  st = qgcal_call(client, "calendars.delete", params, NULL, &out, &err);
  CHECK(st == QGCAL_OK, "delete: %s", err ? qgcal_error_message(err) : "");
  CHECK(strcmp(out, "{}") == 0, "empty answer %s", out);
  qgcal_string_free(out);

  qgcal_client_free(client);
  return harness_done("outcome_unknown");
}
