/* qgcal_list_each against the emulator: every page handed in order as a NUL-terminated JSON array with its
 * length and count, max_items, a callback that stops, a blocking call from inside the callback, and bad
 * arguments. The Rust test passes a config with a valid token in QGCAL_TEST_CONFIG. */
#include "harness.h"

#define EVENTS 7

static qgcal_client *client;

struct seen {
  int pages, items, stop_after;
  int counts[8];
  char summaries[1024];
  qgcal_status inner;
};

/* (no designated initializers: this also compiles as C++) */
static struct seen fresh(int stop_after) {
  struct seen s;
  memset(&s, 0, sizeof s);
  s.stop_after = stop_after;
  s.inner = QGCAL_OK;
  return s;
}

static bool on_page(void *userdata, const char *items_json, size_t len, size_t n) {
  struct seen *s = (struct seen *)userdata;
  CHECK(strlen(items_json) == len, "len %zu is the text's length %zu", len, strlen(items_json));
  CHECK(items_json[0] == '[' && items_json[len - 1] == ']', "a JSON array: %s", items_json);
  CHECK(count_of(items_json, EVENT_KIND) == (int)n, "count %zu matches the items: %s", n, items_json);
  CHECK(count_of(items_json, "nextPageToken") == 0, "no page token reaches the host: %s", items_json);
  if (s->pages < 8) s->counts[s->pages] = (int)n;
  s->pages++;
  s->items += (int)n;
  /* the summaries in order, to check the pages come in order */
  for (const char *p = strstr(items_json, "\"summary\":\"event "); p; p = strstr(p + 1, "\"summary\":\"event ")) {
    size_t at = strlen(s->summaries);
    if (at + 2 < sizeof s->summaries) {
      s->summaries[at] = p[17];
      s->summaries[at + 1] = '\0';
    }
  }
  if (s->inner == QGCAL_OK) {
    /* a blocking call from inside the callback is refused, not deadlocked */
    char *out = NULL;
    qgcal_error *err = NULL;
    s->inner = qgcal_call(client, "colors.get", NULL, NULL, &out, &err);
    qgcal_string_free(out);
    qgcal_error_free(err);
  }
  return s->stop_after == 0 || s->pages < s->stop_after;
}

int main(void) {
  const char *config = getenv("QGCAL_TEST_CONFIG");
  CHECK(config != NULL, "QGCAL_TEST_CONFIG is not set");
  CHECK(qgcal_client_new(config, &client, NULL) == QGCAL_OK, "client");
  char cal[256], params[1024], body[512];

  char *out = ok_call(client, "calendars.insert", NULL, "{\"summary\": \"list each\"}");
  json_str(out, "id", cal, sizeof cal);
  qgcal_string_free(out);
  for (int i = 0; i < EVENTS; i++) {
    snprintf(params, sizeof params, "{\"calendarId\": \"%s\"}", cal);
    snprintf(body, sizeof body,
             "{\"summary\": \"event %d\", \"start\": {\"dateTime\": \"2030-01-%02dT10:00:00Z\"}, "
             "\"end\": {\"dateTime\": \"2030-01-%02dT11:00:00Z\"}}",
             i, i + 1, i + 1);
    qgcal_string_free(ok_call(client, "events.insert", params, body));
  }
  snprintf(params, sizeof params, "{\"calendarId\": \"%s\", \"maxResults\": 3, \"orderBy\": \"startTime\", "
           "\"singleEvents\": true}", cal);
  qgcal_error *err = NULL;

  /* every page: 3 + 3 + 1, in order */
  struct seen all = fresh(0);
  qgcal_status st = qgcal_list_each(client, "events.list", params, 0, on_page, &all, &err);
  CHECK(st == QGCAL_OK, "list_each: %s %s", qgcal_status_name(st), err ? qgcal_error_message(err) : "");
  CHECK(all.pages == 3 && all.counts[0] == 3 && all.counts[1] == 3 && all.counts[2] == 1, "pages %d: %d %d %d",
        all.pages, all.counts[0], all.counts[1], all.counts[2]);
  CHECK(all.items == EVENTS, "%d items", all.items);
  CHECK(strcmp(all.summaries, "0123456") == 0, "in order: %s", all.summaries);
  CHECK(all.inner == QGCAL_REENTRANT_CALL, "a call inside the callback: %s", qgcal_status_name(all.inner));

  /* max_items: the first 4, the second page cut short */
  struct seen four = fresh(0);
  CHECK(qgcal_list_each(client, "events.list", params, 4, on_page, &four, &err) == QGCAL_OK, "list_each, 4");
  CHECK(four.pages == 2 && four.counts[0] == 3 && four.counts[1] == 1, "max 4: %d pages: %d %d", four.pages,
        four.counts[0], four.counts[1]);
  CHECK(strcmp(four.summaries, "0123") == 0, "max 4 in order: %s", four.summaries);

  /* the callback stops after the first page */
  struct seen stop = fresh(1);
  st = qgcal_list_each(client, "events.list", params, 0, on_page, &stop, &err);
  expect_error(st, err, QGCAL_CANCELLED, "stopped");
  err = NULL;
  CHECK(stop.pages == 1, "stopped after %d pages", stop.pages);

  /* an empty calendar: OK, and no empty page reaches the callback */
  out = ok_call(client, "calendars.insert", NULL, "{\"summary\": \"empty\"}");
  char empty[256];
  json_str(out, "id", empty, sizeof empty);
  qgcal_string_free(out);
  snprintf(params, sizeof params, "{\"calendarId\": \"%s\"}", empty);
  struct seen none = fresh(0);
  CHECK(qgcal_list_each(client, "events.list", params, 0, on_page, &none, &err) == QGCAL_OK, "empty");
  CHECK(none.items == 0 && none.pages == 0, "empty: %d items in %d pages", none.items, none.pages);

  /* bad arguments, refused before any request (each call made before its error is read) */
  st = qgcal_list_each(client, "events.list", params, 0, NULL, NULL, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "on_page");
  err = NULL;
  st = qgcal_list_each(NULL, "events.list", params, 0, on_page, &none, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "client");
  err = NULL;
  st = qgcal_list_each(client, "events.get", params, 0, on_page, &none, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "list method");
  err = NULL;
  st = qgcal_list_each(client, "events.nope", NULL, 0, on_page, &none, &err);
  expect_error(st, err, QGCAL_UNKNOWN_METHOD, "events.nope");
  err = NULL;
  st = qgcal_list_each(client, "events.list", "{", 0, on_page, &none, &err);
  expect_error(st, err, QGCAL_INVALID_JSON, "params_json");
  err = NULL;
  CHECK(none.pages == 0, "no page reached the callback for bad arguments");

  /* an HTTP error on the first page */
  st = qgcal_list_each(client, "events.list", "{\"calendarId\": \"no-such-calendar\"}", 0, on_page, &none, &err);
  expect_error(st, err, QGCAL_HTTP_ERROR, "404");

  qgcal_client_free(client);
  return harness_done("list_each");
}
