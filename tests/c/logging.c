/* Log callbacks and statistics through the C ABI against the emulator: records and their fields, a
 * client's own callback, a callback that calls back into the library and replaces itself, drop
 * functions run once, bad arguments. The Rust test passes a config with a token in QGCAL_TEST_CONFIG. */
#include <pthread.h>
#include <stdint.h>

#include "harness.h"

typedef struct {
  pthread_mutex_t lock;
  int records;
  int answered_200;
  int bad_records;
  int other_client;
  uint64_t want_client;
  int drops;
} sink;

static sink process_sink = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, 0};
static sink client_sink = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, 0};
static sink replacement_sink = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, 0};
static qgcal_client *client;

static void on_record(void *userdata, const qgcal_log_record *r) {
  sink *s = (sink *)userdata;
  pthread_mutex_lock(&s->lock);
  s->records++;
  int well_formed = r != NULL && r->level >= QGCAL_LOG_ERROR && r->level <= QGCAL_LOG_TRACE && r->target &&
                    strncmp(r->target, "qorus_gcal", 10) == 0 && r->message && r->fields_json &&
                    r->fields_json[0] == '{' && r->timestamp_ms > 1600000000000LL;
  if (!well_formed) s->bad_records++;
  if (well_formed && strstr(r->fields_json, "\"http_status\":200") && strstr(r->fields_json, "\"method\":\""))
    s->answered_200++;
  if (well_formed && s->want_client != 0 && r->client_id != s->want_client) s->other_client++;
  pthread_mutex_unlock(&s->lock);
}

static void on_drop(void *userdata) {
  sink *s = (sink *)userdata;
  pthread_mutex_lock(&s->lock);
  s->drops++;
  pthread_mutex_unlock(&s->lock);
}

/* What a callback may do: read statistics, replace itself. A blocking call is refused. */
static int reentrant_status = -1;
static int stats_inside = -1;
static int replaced_inside = -1;

static void calls_back(void *userdata, const qgcal_log_record *r) {
  on_record(userdata, r);
  if (reentrant_status != -1) return;
  char *out = NULL;
  qgcal_error *err = NULL;
  reentrant_status = qgcal_call(client, "calendarList.list", NULL, NULL, &out, &err);
  qgcal_error_free(err);
  qgcal_string_free(out);
  char *stats = NULL;
  stats_inside = qgcal_stats(false, &stats, NULL);
  qgcal_string_free(stats);
  replaced_inside = qgcal_set_log_callback(QGCAL_LOG_DEBUG, on_record, &replacement_sink, on_drop, NULL);
}

static void call_ok(const char *method, const char *params, const char *body) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_call(client, method, params, body, &out, &err);
  CHECK(st == QGCAL_OK, "%s: %s %s", method, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
  qgcal_string_free(out);
}

static long json_number(const char *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *at = strstr(json, pattern);
  CHECK(at != NULL, "no %s in %s", key, json);
  return strtol(at + strlen(pattern), NULL, 10);
}

int main(void) {
  const char *config = getenv("QGCAL_TEST_CONFIG");
  CHECK(config != NULL, "QGCAL_TEST_CONFIG is not set");
  qgcal_error *err = NULL;

  /* Bad arguments change nothing and run no drop function. */
  qgcal_status st = qgcal_set_log_callback(6, on_record, &process_sink, on_drop, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "QGCAL_LOG_TRACE");
  err = NULL;
  st = qgcal_set_log_callback(-1, on_record, &process_sink, on_drop, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "level");
  err = NULL;
  st = qgcal_client_set_log_callback(NULL, QGCAL_LOG_DEBUG, on_record, &client_sink, on_drop, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "client");
  CHECK(process_sink.drops == 0 && client_sink.drops == 0, "a refused callback was dropped");
  err = NULL;
  st = qgcal_stats(false, NULL, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "stats_json_out");
  char *json = NULL;
  err = NULL;
  st = qgcal_client_stats(NULL, false, &json, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "client");
  CHECK(json == NULL, "output written on failure");
  CHECK(qgcal_client_id(NULL) == 0, "id of NULL");

  /* A NULL callback with a drop function: the drop runs at once. */
  CHECK(qgcal_set_log_callback(QGCAL_LOG_INFO, NULL, &process_sink, on_drop, NULL) == QGCAL_OK, "remove");
  CHECK(process_sink.drops == 1, "drops %d", process_sink.drops);
  process_sink.drops = 0;

  /* The process callback at debug; the client's own at trace. */
  CHECK(qgcal_set_log_callback(QGCAL_LOG_DEBUG, on_record, &process_sink, on_drop, NULL) == QGCAL_OK, "set");
  err = NULL;
  st = qgcal_client_new(config, &client, &err);
  CHECK(st == QGCAL_OK, "client_new: %s", err ? qgcal_error_message(err) : "");
  qgcal_client *other = NULL;
  CHECK(qgcal_client_new(config, &other, NULL) == QGCAL_OK, "second client");
  uint64_t id = qgcal_client_id(client);
  CHECK(id != 0 && id != qgcal_client_id(other), "ids %llu %llu", (unsigned long long)id,
        (unsigned long long)qgcal_client_id(other));
  client_sink.want_client = id;
  CHECK(qgcal_client_set_log_callback(client, QGCAL_LOG_TRACE, on_record, &client_sink, on_drop, NULL) == QGCAL_OK,
        "client callback");

  call_ok("calendarList.list", NULL, NULL);
  call_ok("events.list", "{\"calendarId\":\"primary\",\"maxResults\":5}", NULL);
  char *out = NULL;
  CHECK(qgcal_call(other, "calendarList.list", NULL, NULL, &out, NULL) == QGCAL_OK, "other client's call");
  qgcal_string_free(out);

  CHECK(process_sink.bad_records == 0 && client_sink.bad_records == 0, "malformed records");
  CHECK(process_sink.answered_200 == 3, "process callback saw %d answers", process_sink.answered_200);
  CHECK(client_sink.answered_200 == 2, "client callback saw %d answers", client_sink.answered_200);
  CHECK(client_sink.other_client == 0, "the client callback got %d other records", client_sink.other_client);
  /* Trace adds the headers records: the client's callback got more per request than the process's. */
  CHECK(client_sink.records > 2 * client_sink.answered_200, "client records %d", client_sink.records);

  /* Statistics: the process's and each client's, and a reset. */
  json = NULL;
  CHECK(qgcal_client_stats(client, false, &json, NULL) == QGCAL_OK, "client stats");
  const char *listed = strstr(json, "\"calendarList.list\":{");
  CHECK(listed != NULL && json_number(listed, "requests") == 1 && json_number(listed, "failed") == 0,
        "client stats: %s", json);
  CHECK(json_number(json, "attempts") == 2, "attempts in %s", json);
  CHECK(strstr(json, "\"p99\":") != NULL, "latency in %s", json);
  qgcal_string_free(json);
  json = NULL;
  CHECK(qgcal_client_stats(client, true, &json, NULL) == QGCAL_OK, "client stats, reset");
  qgcal_string_free(json);
  json = NULL;
  CHECK(qgcal_client_stats(client, false, &json, NULL) == QGCAL_OK, "client stats after reset");
  CHECK(json_number(json, "attempts") == 0, "after reset: %s", json);
  qgcal_string_free(json);
  json = NULL;
  CHECK(qgcal_stats(false, &json, NULL) == QGCAL_OK, "process stats");
  CHECK(json_number(json, "attempts") == 3, "process attempts in %s", json);
  CHECK(json_number(json, "live") == 2, "live clients in %s", json);
  CHECK(json_number(json, "delivered") > 0, "delivered in %s", json);
  qgcal_string_free(json);

  /* A callback that calls back into the library, then replaces itself from inside. */
  CHECK(qgcal_set_log_callback(QGCAL_LOG_DEBUG, calls_back, &process_sink, on_drop, NULL) == QGCAL_OK, "set");
  CHECK(process_sink.drops == 1, "the replaced callback was dropped (%d)", process_sink.drops);
  call_ok("calendarList.list", NULL, NULL);
  CHECK(reentrant_status == QGCAL_REENTRANT_CALL, "a blocking call inside the callback: %s",
        qgcal_status_name(reentrant_status));
  CHECK(stats_inside == QGCAL_OK, "stats inside the callback: %s", qgcal_status_name(stats_inside));
  CHECK(replaced_inside == QGCAL_OK, "replacing inside the callback: %s", qgcal_status_name(replaced_inside));
  CHECK(process_sink.drops == 2, "the callback that replaced itself was dropped once (%d)", process_sink.drops);
  call_ok("calendarList.list", NULL, NULL);
  CHECK(replacement_sink.answered_200 >= 1, "the replacement saw %d answers", replacement_sink.answered_200);

  /* Freeing a client drops its callback; removing the process callback drops that one. */
  qgcal_client_free(client);
  CHECK(client_sink.drops == 1, "client callback drops %d", client_sink.drops);
  qgcal_client_free(other);
  CHECK(qgcal_set_log_callback(QGCAL_LOG_OFF, NULL, NULL, NULL, NULL) == QGCAL_OK, "remove");
  CHECK(replacement_sink.drops == 1, "replacement drops %d", replacement_sink.drops);
  CHECK(process_sink.drops == 2, "no second drop of the first callback (%d)", process_sink.drops);

  CHECK(qgcal_shutdown(NULL) == QGCAL_OK, "shutdown");
  return harness_done("logging");
}
