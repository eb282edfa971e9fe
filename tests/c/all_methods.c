/* Every one of the 38 Calendar v3 methods called through the C ABI against the emulator, each with its
 * effect checked. The Rust test passes a config with a valid token in QGCAL_TEST_CONFIG. */
#include "harness.h"

static qgcal_client *client;
static int methods_called = 0;

/* Calls a method that must succeed; answers its JSON (free with qgcal_string_free). */
static char *ok(const char *method, const char *params, const char *body) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_call(client, method, params, body, &out, &err);
  CHECK(st == QGCAL_OK, "%s %s: %s %s", method, params, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
  methods_called++;
  return out;
}

/* Calls a method and checks its answer contains `needle`. */
static void ok_has(const char *method, const char *params, const char *body, const char *needle) {
  char *out = ok(method, params, body);
  CHECK(strstr(out, needle) != NULL, "%s answered %s, which lacks %s", method, out, needle);
  qgcal_string_free(out);
}

/* Calls a method that must fail with an HTTP status. */
static void fails(const char *method, const char *params, int http_status) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_call(client, method, params, NULL, &out, &err);
  CHECK(st != QGCAL_OK && qgcal_error_http_status(err) == http_status, "%s %s: %s (http %d)", method, params,
        qgcal_status_name(st), qgcal_error_http_status(err));
  qgcal_error_free(err);
}

static void count_occurrences(const char *json, const char *needle, int want) {
  int n = 0;
  for (const char *p = strstr(json, needle); p; p = strstr(p + 1, needle)) n++;
  CHECK(n == want, "%d occurrences of %s, want %d in %s", n, needle, want, json);
}

int main(void) {
  const char *config = getenv("QGCAL_TEST_CONFIG");
  CHECK(config != NULL, "QGCAL_TEST_CONFIG is not set");
  CHECK(qgcal_client_new(config, &client, NULL) == QGCAL_OK, "client");
  char p[1024], b[1024], cal[256], cal2[256], ev[256], rule[256], chan_res[256];

  /* colors, settings */
  ok_has("colors.get", NULL, NULL, "\"event\"");
  ok_has("settings.list", NULL, NULL, "\"timezone\"");
  ok_has("settings.get", "{\"setting\": \"timezone\"}", NULL, "\"value\"");

  /* calendars */
  char *out = ok("calendars.insert", NULL, "{\"summary\": \"C Harness #1\"}");
  json_str(out, "id", cal, sizeof cal);
  qgcal_string_free(out);
  CHECK(strchr(cal, '@') != NULL, "calendar id %s", cal);
  snprintf(p, sizeof p, "{\"calendarId\": \"%s\"}", cal);
  ok_has("calendars.get", p, NULL, "C Harness #1");
  ok_has("calendars.patch", p, "{\"description\": \"patched\"}", "patched");
  ok_has("calendars.update", p, "{\"summary\": \"Updated\"}", "Updated");

  /* calendarList */
  ok_has("calendarList.get", p, NULL, cal);
  ok_has("calendarList.patch", p, "{\"colorId\": \"3\"}", "\"colorId\":\"3\"");
  snprintf(b, sizeof b, "{\"id\": \"%s\", \"colorId\": \"5\"}", cal);
  ok_has("calendarList.update", p, b, "\"colorId\":\"5\"");
  ok_has("calendarList.list", NULL, NULL, cal);
  ok_has("calendarList.delete", p, NULL, "{}");
  fails("calendarList.get", p, 404);
  snprintf(b, sizeof b, "{\"id\": \"%s\"}", cal);
  ok_has("calendarList.insert", NULL, b, cal);

  /* acl */
  out = ok("acl.insert", p, "{\"role\": \"reader\", \"scope\": {\"type\": \"user\", \"value\": \"friend@example.com\"}}");
  json_str(out, "id", rule, sizeof rule);
  qgcal_string_free(out);
  char pr[1024];
  snprintf(pr, sizeof pr, "{\"calendarId\": \"%s\", \"ruleId\": \"%s\"}", cal, rule);
  ok_has("acl.get", pr, NULL, "\"reader\"");
  ok_has("acl.list", p, NULL, "friend@example.com");
  ok_has("acl.patch", pr, "{\"role\": \"writer\"}", "\"writer\"");
  ok_has("acl.update", pr, "{\"role\": \"reader\", \"scope\": {\"type\": \"user\", \"value\": \"friend@example.com\"}}",
         "\"reader\"");
  ok_has("acl.delete", pr, NULL, "{}");
  fails("acl.get", pr, 404);

  /* events */
  const char *pp = "{\"calendarId\": \"primary\"}";
  out = ok("events.insert", pp,
           "{\"summary\": \"Standup\", \"start\": {\"dateTime\": \"2030-03-04T09:00:00Z\"}, "
           "\"end\": {\"dateTime\": \"2030-03-04T09:15:00Z\"}}");
  json_str(out, "id", ev, sizeof ev);
  qgcal_string_free(out);
  char pe[1024];
  snprintf(pe, sizeof pe, "{\"calendarId\": \"primary\", \"eventId\": \"%s\"}", ev);
  ok_has("events.get", pe, NULL, "Standup");
  ok_has("events.list", pp, NULL, ev);
  ok_has("events.patch", pe, "{\"location\": \"Room 7\"}", "Room 7");
  ok_has("events.update", pe,
         "{\"summary\": \"Standup v2\", \"start\": {\"dateTime\": \"2030-03-04T09:00:00Z\"}, "
         "\"end\": {\"dateTime\": \"2030-03-04T09:30:00Z\"}}",
         "Standup v2");
  ok_has("events.import", pp,
         "{\"iCalUID\": \"c-harness-1@example.com\", \"summary\": \"Imported\", \"start\": {\"date\": \"2030-03-05\"}, "
         "\"end\": {\"date\": \"2030-03-06\"}}",
         "c-harness-1@example.com");
  ok_has("events.quickAdd", "{\"calendarId\": \"primary\", \"text\": \"Lunch with Ana\"}", NULL, "Lunch with Ana");
  out = ok("events.insert", pp,
           "{\"summary\": \"Daily\", \"recurrence\": [\"RRULE:FREQ=DAILY;COUNT=3\"], "
           "\"start\": {\"dateTime\": \"2030-03-10T08:00:00\", \"timeZone\": \"Europe/Prague\"}, "
           "\"end\": {\"dateTime\": \"2030-03-10T08:30:00\", \"timeZone\": \"Europe/Prague\"}}");
  char rec[256], prec[1024];
  json_str(out, "id", rec, sizeof rec);
  qgcal_string_free(out);
  snprintf(prec, sizeof prec, "{\"calendarId\": \"primary\", \"eventId\": \"%s\"}", rec);
  out = ok("events.instances", prec, NULL);
  count_occurrences(out, "\"recurringEventId\"", 3);
  qgcal_string_free(out);
  char pm[1024];
  snprintf(pm, sizeof pm, "{\"calendarId\": \"primary\", \"eventId\": \"%s\", \"destination\": \"%s\"}", ev, cal);
  ok_has("events.move", pm, NULL, "Standup v2");
  char pmoved[1024];
  snprintf(pmoved, sizeof pmoved, "{\"calendarId\": \"%s\", \"eventId\": \"%s\"}", cal, ev);
  ok_has("events.get", pmoved, NULL, "Standup v2");
  ok_has("events.delete", pmoved, NULL, "{}");
  out = ok("events.get", pmoved, NULL);
  CHECK(strstr(out, "\"cancelled\"") != NULL, "a deleted event reads as cancelled: %s", out);
  qgcal_string_free(out);

  /* freebusy */
  ok_has("freebusy.query", NULL,
         "{\"timeMin\": \"2030-03-10T00:00:00Z\", \"timeMax\": \"2030-03-13T00:00:00Z\", \"items\": [{\"id\": \"primary\"}]}",
         "\"busy\":[{");

  /* watch and channels */
  const char *hook = "\"type\": \"web_hook\", \"address\": \"https://example.com/hook\"";
  snprintf(b, sizeof b, "{\"id\": \"chan-events\", %s}", hook);
  out = ok("events.watch", pp, b);
  json_str(out, "resourceId", chan_res, sizeof chan_res);
  qgcal_string_free(out);
  snprintf(b, sizeof b, "{\"id\": \"chan-acl\", %s}", hook);
  ok_has("acl.watch", p, b, "resourceId");
  snprintf(b, sizeof b, "{\"id\": \"chan-list\", %s}", hook);
  ok_has("calendarList.watch", NULL, b, "resourceId");
  snprintf(b, sizeof b, "{\"id\": \"chan-settings\", %s}", hook);
  ok_has("settings.watch", NULL, b, "resourceId");
  snprintf(b, sizeof b, "{\"id\": \"chan-events\", \"resourceId\": \"%s\"}", chan_res);
  ok_has("channels.stop", NULL, b, "{}");
  {
    char *o = NULL;
    qgcal_error *e = NULL;
    qgcal_status st = qgcal_call(client, "channels.stop", NULL, b, &o, &e);
    CHECK(st == QGCAL_HTTP_ERROR && qgcal_error_http_status(e) == 404, "a stopped channel is gone");
    qgcal_error_free(e);
  }

  /* clear, transferOwnership, delete */
  ok_has("calendars.clear", pp, NULL, "{}");
  ok_has("events.list", pp, NULL, "\"items\":[]");
  out = ok("calendars.insert", NULL, "{\"summary\": \"To hand over\"}");
  json_str(out, "id", cal2, sizeof cal2);
  qgcal_string_free(out);
  snprintf(b, sizeof b, "{\"calendarId\": \"%s\", \"newDataOwner\": \"friend@example.com\", \"useAdminAccess\": true}",
           cal2);
  ok_has("calendars.transferOwnership", b, NULL, "{}");
  snprintf(b, sizeof b, "{\"calendarId\": \"%s\"}", cal2);
  /* The user handed ownership over and is now a writer. */
  ok_has("calendarList.get", b, NULL, "\"accessRole\":\"writer\"");
  ok_has("calendars.delete", p, NULL, "{}");
  fails("calendars.get", p, 404);

  /* A batch: bodies pass through as given (spacing too), each insert gets its id, and a call with bad
   * parameters is answered in its place without sinking the others. */
  char *results = NULL;
  qgcal_error *batch_err = NULL;
  qgcal_status st = qgcal_batch(
      client,
      "[{\"method\": \"events.insert\", \"params\": {\"calendarId\": \"primary\"},"
      "  \"body\": { \"summary\" : \"batched one\", \"start\": {\"date\": \"2030-03-01\"},"
      "            \"end\": {\"date\": \"2030-03-02\"} }},"
      " {\"method\": \"events.get\", \"params\": {\"calendarId\": \"primary\"}},"
      " {\"method\": \"events.insert\", \"params\": {\"calendarId\": \"primary\"},"
      "  \"body\": {\"summary\": \"batched two\", \"start\": {\"date\": \"2030-03-01\"},"
      "            \"end\": {\"date\": \"2030-03-02\"}}}]",
      &results, &batch_err);
  CHECK(st == QGCAL_OK, "batch: %s %s", qgcal_status_name(st), batch_err ? qgcal_error_message(batch_err) : "");
  CHECK(strncmp(results, "[{\"status\":200,", 15) == 0, "first result %s", results);
  CHECK(strstr(results, "\"summary\":\"batched one\"") && strstr(results, "\"summary\":\"batched two\""),
        "both inserts answered: %s", results);
  CHECK(strstr(results, "\"status\":0}") && strstr(results, "missing required parameter 'eventId'"),
        "the get without an event id is answered in place: %s", results);
  count_occurrences(results, "\"kind\":\"calendar#event\"", 2);
  qgcal_string_free(results);

  /* Every method of the API was used. */
  char *methods = NULL;
  CHECK(qgcal_methods(&methods, NULL) == QGCAL_OK, "methods");
  count_occurrences(methods, "\"http_method\"", 38);
  qgcal_string_free(methods);

  qgcal_client_free(client);
  CHECK(qgcal_shutdown(NULL) == QGCAL_OK, "shutdown");
  printf("all_methods: %d calls\n", methods_called);
  return harness_done("all_methods");
}
