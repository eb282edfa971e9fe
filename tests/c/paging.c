/* Paging and sync through the C ABI against the emulator: qgcal_pager_*, qgcal_list_all and
 * qgcal_sync / qgcal_sync_ex, each answer's shape and items checked. The Rust test passes a config with
 * a valid token in QGCAL_TEST_CONFIG. */
#include "harness.h"

#define EVENTS 7

static qgcal_client *client;

int main(void) {
  const char *config = getenv("QGCAL_TEST_CONFIG");
  CHECK(config != NULL, "QGCAL_TEST_CONFIG is not set");
  CHECK(qgcal_client_new(config, &client, NULL) == QGCAL_OK, "client");
  char cal[256], params[1024], body[512], first_id[256], last_id[256], token[512];

  char *out = ok_call(client, "calendars.insert", NULL, "{\"summary\": \"paging\"}");
  json_str(out, "id", cal, sizeof cal);
  qgcal_string_free(out);
  for (int i = 0; i < EVENTS; i++) {
    snprintf(params, sizeof params, "{\"calendarId\": \"%s\"}", cal);
    snprintf(body, sizeof body,
             "{\"summary\": \"event %d\", \"start\": {\"dateTime\": \"2030-01-%02dT10:00:00Z\"}, "
             "\"end\": {\"dateTime\": \"2030-01-%02dT11:00:00Z\"}}",
             i, i + 1, i + 1);
    out = ok_call(client, "events.insert", params, body);
    json_str(out, "id", i == 0 ? first_id : last_id, sizeof first_id);
    qgcal_string_free(out);
  }

  /* The pager: 3 + 3 + 1 items, `more` until the last page, which carries the sync token; then empty. */
  snprintf(params, sizeof params, "{\"calendarId\": \"%s\", \"maxResults\": 3}", cal);
  qgcal_pager *pager = NULL;
  qgcal_error *err = NULL;
  CHECK(qgcal_pager_new(client, "events.list", params, &pager, &err) == QGCAL_OK, "pager_new");
  int want_items[] = {3, 3, 1, 0};
  int seen = 0;
  for (int page = 0; page < 4; page++) {
    out = NULL;
    qgcal_status st = qgcal_pager_next(pager, &out, &err);
    CHECK(st == QGCAL_OK, "page %d: %s %s", page, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
    CHECK(strncmp(out, "{\"items\":[", 10) == 0, "page %d starts with its items: %s", page, out);
    CHECK(count_of(out, EVENT_KIND) == want_items[page], "page %d: %d events, want %d: %s", page,
          count_of(out, EVENT_KIND), want_items[page], out);
    seen += count_of(out, EVENT_KIND);
    int more = page < 2;
    CHECK(strstr(out, more ? "\"more\":true" : "\"more\":false") != NULL, "page %d more: %s", page, out);
    CHECK((strstr(out, "\"next_sync_token\":\"") != NULL) == (page == 2), "page %d sync token: %s", page, out);
    CHECK(count_of(out, "nextPageToken") == 0, "page %d hands no page token to the host: %s", page, out);
    qgcal_string_free(out);
  }
  CHECK(seen == EVENTS, "the pager saw %d events, want %d", seen, EVENTS);
  qgcal_pager_free(pager);

  /* list_all: every item as one array, or the first max_items. */
  out = NULL;
  CHECK(qgcal_list_all(client, "events.list", params, 0, &out, &err) == QGCAL_OK, "list_all");
  CHECK(out[0] == '[' && count_of(out, EVENT_KIND) == EVENTS, "list_all: %s", out);
  CHECK(strstr(out, first_id) != NULL && strstr(out, last_id) != NULL, "list_all holds the first and last");
  qgcal_string_free(out);
  CHECK(qgcal_list_all(client, "events.list", params, 5, &out, &err) == QGCAL_OK, "list_all, 5");
  CHECK(out[0] == '[' && count_of(out, EVENT_KIND) == 5, "list_all with max_items 5: %s", out);
  qgcal_string_free(out);

  /* A full sync, then an incremental one that sees one change and one deletion. */
  CHECK(qgcal_sync(client, "events.list", params, NULL, &out, &err) == QGCAL_OK, "full sync");
  CHECK(count_of(out, EVENT_KIND) == EVENTS, "full sync: %s", out);
  CHECK(strstr(out, "\"full_resync\":false") != NULL, "full sync flag: %s", out);
  json_str(out, "next_sync_token", token, sizeof token);
  qgcal_string_free(out);

  snprintf(params, sizeof params, "{\"calendarId\": \"%s\", \"eventId\": \"%s\"}", cal, first_id);
  qgcal_string_free(ok_call(client, "events.patch", params, "{\"summary\": \"changed\"}"));
  snprintf(params, sizeof params, "{\"calendarId\": \"%s\", \"eventId\": \"%s\"}", cal, last_id);
  qgcal_string_free(ok_call(client, "events.delete", params, NULL));

  snprintf(params, sizeof params, "{\"calendarId\": \"%s\", \"maxResults\": 3}", cal);
  CHECK(qgcal_sync_ex(client, "events.list", params, token, "{\"full_resync_on_expiry\": true}", &out, &err) ==
            QGCAL_OK,
        "incremental sync");
  CHECK(count_of(out, EVENT_KIND) == 2, "incremental sync sees 2 items: %s", out);
  CHECK(strstr(out, "\"summary\":\"changed\"") != NULL, "the change: %s", out);
  CHECK(strstr(out, "\"status\":\"cancelled\"") != NULL && strstr(out, last_id) != NULL, "the deletion: %s", out);
  CHECK(strstr(out, "\"next_sync_token\":\"") != NULL, "a new sync token: %s", out);
  qgcal_string_free(out);

  qgcal_client_free(client);
  return harness_done("paging");
}
