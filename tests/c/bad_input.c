/* Bad input on every export of qorus_gcal.h: NULL for each pointer, invalid UTF-8, malformed JSON, JSON of
 * the wrong types, unknown methods, missing required parameters and 10 MB strings. Each case runs in a
 * forked child, so a crash or a hang is counted instead of ending the test, and asserts the status AND
 * that the message names the problem (and stays short, and shows no secret of the config).
 *
 * It checks its own completeness: it reads the header (QGCAL_HEADER) and fails when an export, or a
 * pointer, string or JSON parameter of one, has no case of the kinds it needs, so an export added later
 * fails here until it is covered.
 *
 * The client's endpoints point at a loopback port that is bound but never listens: every case is
 * answered before any network traffic, and a request that went out anyway would fail differently. The
 * parent never starts the library's runtime, so every child starts its own. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* The huge strings: 10 MB, and 1 MB under valgrind (it runs some 30 times slower; leaks do not need the size). */
static size_t huge_len = 10u * 1024u * 1024u;
#define MAX_MESSAGE 4096
/* Where an output must stay untouched on failure. */
#define SENTINEL ((char *)0x1)

static const char *const SECRETS[] = {"BADINPUT-secret-0xC0FFEE", "BADINPUT-access-0xBEEF",
                                      "BADINPUT-refresh-0xF00D", NULL};
static char config_json[1024];
static char no_token_config_json[1024];

/* ---- helpers (run in the children) ---- */

static int contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0) return 1;
  return n == 0;
}

/* The message of `err` is there, short, names the problem (`needle`, and `needle2` when given; case does
 * not matter) and shows no secret. */
static void check_message(qgcal_error *err, const char *needle, const char *needle2) {
  const char *msg = qgcal_error_message(err);
  CHECK(msg != NULL && *msg, "no message");
  CHECK(strlen(msg) < MAX_MESSAGE, "a message of %zu bytes: %.200s...", strlen(msg), msg);
  CHECK(contains_ci(msg, needle), "message \"%.300s\" does not name \"%s\"", msg, needle);
  CHECK(needle2 == NULL || contains_ci(msg, needle2), "message \"%.300s\" does not name \"%s\"", msg, needle2);
  for (int i = 0; SECRETS[i]; i++) CHECK(strstr(msg, SECRETS[i]) == NULL, "message shows a secret: %.300s", msg);
}

/* The call failed with `want`, its error says so, and no HTTP answer was involved. */
static void expect(qgcal_status got, qgcal_error *err, qgcal_status want, const char *needle, const char *needle2) {
  CHECK(got == want, "status %s, want %s (message: %.300s)", qgcal_status_name(got), qgcal_status_name(want),
        err ? qgcal_error_message(err) : "(no error)");
  CHECK(err != NULL, "no error object");
  CHECK(qgcal_error_status(err) == want, "error object status %s", qgcal_status_name(qgcal_error_status(err)));
  CHECK(qgcal_error_http_status(err) == 0, "an HTTP status %u for input refused up front",
        (unsigned)qgcal_error_http_status(err));
  check_message(err, needle, needle2);
  qgcal_error_free(err);
}

/* A batch answered the one call in its place, unsent (`"status":0`), with this error kind and message. */
static void expect_in_place(qgcal_status got, qgcal_error *err, char *out, const char *kind, const char *needle) {
  CHECK(got == QGCAL_OK, "batch status %s (%.300s)", qgcal_status_name(got), err ? qgcal_error_message(err) : "");
  size_t len = strlen(out);
  CHECK(len < MAX_MESSAGE, "a result of %zu bytes", len);
  /* One result: `[{...}]` holding `"status":0` (never sent) and the error. */
  CHECK(len > 4 && strncmp(out, "[{", 2) == 0 && strcmp(out + len - 2, "}]") == 0 && strstr(out, "},{") == NULL,
        "not one result: %.300s", out);
  CHECK(strstr(out, "\"status\":0") != NULL, "not answered in place: %.300s", out);
  char want[64];
  snprintf(want, sizeof want, "\"kind\":\"%s\"", kind);
  CHECK(strstr(out, want) != NULL, "result %.300s lacks %s", out, want);
  CHECK(contains_ci(out, needle), "result %.300s does not name %s", out, needle);
  for (int i = 0; SECRETS[i]; i++) CHECK(strstr(out, SECRETS[i]) == NULL, "result shows a secret: %s", out);
  qgcal_string_free(out);
}

static qgcal_client *client_from(const char *json) {
  qgcal_client *client = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_client_new(json, &client, &err);
  CHECK(st == QGCAL_OK, "client: %s", err ? qgcal_error_message(err) : "");
  return client;
}

static qgcal_client *new_client(void) { return client_from(config_json); }

/* `prefix`, then `fill` up to 10 MB, then `suffix`: malloc'd. */
static char *huge(const char *prefix, char fill, const char *suffix) {
  size_t p = strlen(prefix), s = strlen(suffix);
  char *text = (char *)malloc(huge_len + 1);
  CHECK(text != NULL, "malloc");
  memcpy(text, prefix, p);
  memset(text + p, fill, huge_len - p - s);
  memcpy(text + huge_len - s, suffix, s);
  text[huge_len] = '\0';
  return text;
}

static const char *const BAD_UTF8 = "{\"calendarId\": \"\xff\xfe\"}";
static const char *const LIST_PARAMS = "{\"calendarId\": \"primary\"}";
static const char *const GET_PARAMS = "{\"calendarId\": \"primary\", \"eventId\": \"e1\"}";
static const char *const ONE_UNKNOWN = "[{\"method\": \"events.lisst\"}]";

static void start_external(qgcal_client *client, char **session) {
  char *url = NULL;
  qgcal_error *err = NULL;
  CHECK(qgcal_consent_start_external(client, "{\"redirect_uri\": \"https://qorus.example.com/cb\"}", &url,
                                     session, &err) == QGCAL_OK,
        "start_external: %s", err ? qgcal_error_message(err) : "");
  qgcal_string_free(url);
}

static int drops = 0;
static void count_drop(void *userdata) {
  (void)userdata;
  drops++;
}
static void ignore_token(void *userdata, const char *token_json) {
  (void)userdata;
  (void)token_json;
}

/* The call runs first, then its error is read (a function's arguments have no set order). */
#define EXPECT(call, ...)                  \
  do {                                     \
    qgcal_status st_ = (call);             \
    expect(st_, err, __VA_ARGS__);         \
  } while (0)
#define EXPECT_IN_PLACE(call, ...)         \
  do {                                     \
    qgcal_status st_ = (call);             \
    expect_in_place(st_, err, out, __VA_ARGS__); \
  } while (0)

#define CASE(e, k, p) static void case_##e##__##k##__##p(void)
#define DECLS                   \
  qgcal_error *err = NULL;        \
  char *out = SENTINEL;           \
  qgcal_client *c = new_client(); \
  (void)c;                        \
  (void)err;                      \
  (void)out
#define DONE_OUT_UNTOUCHED CHECK(out == SENTINEL, "output written on failure")
#define DONE qgcal_client_free(c)

/* ---- qgcal_batch, qgcal_batch_ex ---- */

CASE(qgcal_batch, null, client) {
  DECLS;
  EXPECT(qgcal_batch(NULL, ONE_UNKNOWN, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE_OUT_UNTOUCHED;
  DONE;
}
CASE(qgcal_batch, null, requests_json) {
  DECLS;
  EXPECT(qgcal_batch(c, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "requests_json", NULL);
  DONE;
}
CASE(qgcal_batch, null, responses_json_out) {
  DECLS;
  EXPECT(qgcal_batch(c, ONE_UNKNOWN, NULL, &err), QGCAL_NULL_ARGUMENT, "responses_json_out", NULL);
  DONE;
}
CASE(qgcal_batch, null, error_out) {
  DECLS;
  CHECK(qgcal_batch(c, "[", &out, NULL) == QGCAL_INVALID_JSON, "status without error_out");
  DONE;
}
CASE(qgcal_batch, utf8, requests_json) {
  DECLS;
  EXPECT(qgcal_batch(c, "[{\"method\": \"\xc3\x28\"}]", &out, &err), QGCAL_INVALID_UTF8, "requests_json",
         "UTF-8");
  DONE;
}
CASE(qgcal_batch, huge, requests_json) {
  DECLS;
  /* A 10 MB calendar id cannot be a request: refused unsent, in its place or as a whole. */
  char *text = huge("[{\"method\": \"events.get\", \"params\": {\"eventId\": \"e\", \"calendarId\": \"", 'c', "\"}}]");
  qgcal_status st = qgcal_batch(c, text, &out, &err);
  if (st == QGCAL_OK)
    expect_in_place(st, err, out, "INVALID_ARGUMENT", "calendarId");
  else
    expect(st, err, QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  free(text);
  DONE;
}
CASE(qgcal_batch, malformed, requests_json) {
  DECLS;
  EXPECT(qgcal_batch(c, "[{\"method\": ", &out, &err), QGCAL_INVALID_JSON, "requests_json", NULL);
  DONE;
}
CASE(qgcal_batch, wrong_type, requests_json) {
  DECLS;
  EXPECT(qgcal_batch(c, "{\"method\": \"colors.get\"}", &out, &err), QGCAL_INVALID_ARGUMENT, "requests_json",
         NULL);
  DONE;
}
CASE(qgcal_batch, wrong_field_type, requests_json) {
  DECLS;
  EXPECT_IN_PLACE(qgcal_batch(c, "[{\"method\": \"colors.get\", \"params\": 5}]", &out, &err), "INVALID_ARGUMENT",
                  "object");
  DONE;
}
CASE(qgcal_batch, unknown_method, requests_json) {
  DECLS;
  qgcal_status st = qgcal_batch(c, ONE_UNKNOWN, &out, &err);
  expect_in_place(st, err, out, "UNKNOWN_METHOD", "events.lisst");
  DONE;
}
CASE(qgcal_batch, missing_required, requests_json) {
  DECLS;
  qgcal_status st = qgcal_batch(c, "[{\"method\": \"events.get\", \"params\": {\"calendarId\": \"primary\"}}]", &out, &err);
  expect_in_place(st, err, out, "INVALID_ARGUMENT", "eventId");
  DONE;
}

CASE(qgcal_batch_ex, null, client) {
  DECLS;
  EXPECT(qgcal_batch_ex(NULL, ONE_UNKNOWN, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE;
}
CASE(qgcal_batch_ex, null, requests_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, NULL, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "requests_json", NULL);
  DONE;
}
CASE(qgcal_batch_ex, null, options_json) {
  DECLS;
  /* NULL options are the defaults. */
  EXPECT_IN_PLACE(qgcal_batch_ex(c, ONE_UNKNOWN, NULL, &out, &err), "UNKNOWN_METHOD", "events.lisst");
  DONE;
}
CASE(qgcal_batch_ex, null, responses_json_out) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, ONE_UNKNOWN, "{}", NULL, &err), QGCAL_NULL_ARGUMENT, "responses_json_out", NULL);
  DONE;
}
CASE(qgcal_batch_ex, null, error_out) {
  DECLS;
  CHECK(qgcal_batch_ex(c, ONE_UNKNOWN, "{\"chunk_size\": 0}", &out, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  DONE;
}
CASE(qgcal_batch_ex, utf8, requests_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, "[\xff]", NULL, &out, &err), QGCAL_INVALID_UTF8, "requests_json", NULL);
  DONE;
}
CASE(qgcal_batch_ex, utf8, options_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, ONE_UNKNOWN, "{\"x\xff\": 1}", &out, &err), QGCAL_INVALID_UTF8, "options_json", NULL);
  DONE;
}
CASE(qgcal_batch_ex, huge, requests_json) {
  DECLS;
  char *text = huge("[", ' ', "{\"method\": \"events.lisst\"}]");
  EXPECT_IN_PLACE(qgcal_batch_ex(c, text, NULL, &out, &err), "UNKNOWN_METHOD", "events.lisst");
  free(text);
  DONE;
}
CASE(qgcal_batch_ex, huge, options_json) {
  DECLS;
  char *text = huge("{\"chunk_size\": 5, \"padding\": \"", 'p', "\"}");
  EXPECT(qgcal_batch_ex(c, ONE_UNKNOWN, text, &out, &err), QGCAL_INVALID_ARGUMENT, "padding", NULL);
  free(text);
  DONE;
}
CASE(qgcal_batch_ex, malformed, requests_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, "[}", NULL, &out, &err), QGCAL_INVALID_JSON, "requests_json", NULL);
  DONE;
}
CASE(qgcal_batch_ex, malformed, options_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, ONE_UNKNOWN, "{\"chunk_size\": }", &out, &err), QGCAL_INVALID_JSON, "options", NULL);
  DONE;
}
CASE(qgcal_batch_ex, wrong_type, requests_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, "\"colors.get\"", NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "requests_json", NULL);
  DONE;
}
CASE(qgcal_batch_ex, wrong_type, options_json) {
  DECLS;
  /* #20: an array is not the documented object. */
  EXPECT(qgcal_batch_ex(c, ONE_UNKNOWN, "[50, 2]", &out, &err), QGCAL_INVALID_ARGUMENT, "options", "object");
  DONE;
}
CASE(qgcal_batch_ex, wrong_field_type, options_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, ONE_UNKNOWN, "{\"concurrency\": \"2\"}", &out, &err), QGCAL_INVALID_ARGUMENT,
         "concurrency", NULL);
  DONE;
}
CASE(qgcal_batch_ex, out_of_range, options_json) {
  DECLS;
  EXPECT(qgcal_batch_ex(c, ONE_UNKNOWN, "{\"chunk_size\": 1001}", &out, &err), QGCAL_INVALID_ARGUMENT,
         "chunk size", "1000");
  DONE;
}
CASE(qgcal_batch_ex, unknown_method, requests_json) {
  DECLS;
  EXPECT_IN_PLACE(qgcal_batch_ex(c, "[{\"method\": \"\"}]", "{}", &out, &err), "UNKNOWN_METHOD", "method");
  DONE;
}

/* ---- qgcal_parse_notification ---- */

#define NOTIFICATION_REST                                                                                   \
  "\"X-Goog-Message-Number\": \"2\", \"X-Goog-Resource-ID\": \"r\", \"X-Goog-Resource-State\": \"exists\", " \
  "\"X-Goog-Resource-URI\": \"https://x\"}"

CASE(qgcal_parse_notification, null, headers_json) {
  DECLS;
  EXPECT(qgcal_parse_notification(NULL, &out, &err), QGCAL_NULL_ARGUMENT, "headers_json", NULL);
  DONE;
}
CASE(qgcal_parse_notification, null, notification_json_out) {
  DECLS;
  EXPECT(qgcal_parse_notification("{\"X-Goog-Channel-ID\": \"c\", " NOTIFICATION_REST, NULL, &err),
         QGCAL_NULL_ARGUMENT, "notification_json_out", NULL);
  DONE;
}
CASE(qgcal_parse_notification, null, error_out) {
  DECLS;
  CHECK(qgcal_parse_notification("{", &out, NULL) == QGCAL_INVALID_JSON, "status");
  DONE;
}
CASE(qgcal_parse_notification, utf8, headers_json) {
  DECLS;
  EXPECT(qgcal_parse_notification("{\"X-Goog-Channel-ID\": \"\xed\xa0\x80\"}", &out, &err), QGCAL_INVALID_UTF8,
         "headers_json", NULL);
  DONE;
}
CASE(qgcal_parse_notification, huge, headers_json) {
  DECLS;
  char *text = huge("{\"X-Goog-Channel-ID\": \"", 'c', "\"}");
  EXPECT(qgcal_parse_notification(text, &out, &err), QGCAL_INVALID_ARGUMENT, "x-goog-message-number", NULL);
  free(text);
  DONE;
}
CASE(qgcal_parse_notification, malformed, headers_json) {
  DECLS;
  EXPECT(qgcal_parse_notification("{\"X-Goog-Channel-ID\" \"c\"}", &out, &err), QGCAL_INVALID_JSON,
         "headers_json", NULL);
  DONE;
}
CASE(qgcal_parse_notification, wrong_type, headers_json) {
  DECLS;
  EXPECT(qgcal_parse_notification("\"X-Goog-Channel-ID: c\"", &out, &err), QGCAL_INVALID_ARGUMENT, "object",
         NULL);
  DONE;
}
CASE(qgcal_parse_notification, wrong_field_type, headers_json) {
  DECLS;
  EXPECT(qgcal_parse_notification("{\"X-Goog-Channel-ID\": true, " NOTIFICATION_REST, &out, &err),
         QGCAL_INVALID_ARGUMENT, "X-Goog-Channel-ID", "string");
  DONE;
}
CASE(qgcal_parse_notification, bad_value, headers_json) {
  DECLS;
  EXPECT(qgcal_parse_notification("{\"X-Goog-Channel-ID\": \"c\", \"X-Goog-Message-Number\": \"two\", "
                                  "\"X-Goog-Resource-ID\": \"r\", \"X-Goog-Resource-State\": \"exists\", "
                                  "\"X-Goog-Resource-URI\": \"u\"}",
                                  &out, &err), QGCAL_INVALID_ARGUMENT, "x-goog-message-number", "number");
  DONE;
}

/* ---- qgcal_call, qgcal_call_ex ---- */

CASE(qgcal_call, null, client) {
  DECLS;
  EXPECT(qgcal_call(NULL, "colors.get", NULL, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE_OUT_UNTOUCHED;
  DONE;
}
CASE(qgcal_call, null, method) {
  DECLS;
  EXPECT(qgcal_call(c, NULL, LIST_PARAMS, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "method", NULL);
  DONE;
}
CASE(qgcal_call, null, params_json) {
  DECLS;
  /* NULL parameters are none: then events.list lacks its calendar. */
  EXPECT(qgcal_call(c, "events.list", NULL, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  DONE_OUT_UNTOUCHED;
  DONE;
}
CASE(qgcal_call, null, body_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.insert", LIST_PARAMS, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "body", NULL);
  DONE;
}
CASE(qgcal_call, null, response_json_out) {
  DECLS;
  EXPECT(qgcal_call(c, "colors.get", NULL, NULL, NULL, &err), QGCAL_NULL_ARGUMENT, "response_json_out", NULL);
  DONE;
}
CASE(qgcal_call, null, error_out) {
  DECLS;
  CHECK(qgcal_call(c, "events.lisst", NULL, NULL, &out, NULL) == QGCAL_UNKNOWN_METHOD, "status");
  DONE;
}
CASE(qgcal_call, utf8, method) {
  DECLS;
  EXPECT(qgcal_call(c, "events.\xc0\xaflist", LIST_PARAMS, NULL, &out, &err), QGCAL_INVALID_UTF8, "method", NULL);
  DONE;
}
CASE(qgcal_call, utf8, params_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.list", BAD_UTF8, NULL, &out, &err), QGCAL_INVALID_UTF8, "params_json", NULL);
  DONE;
}
CASE(qgcal_call, utf8, body_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.insert", LIST_PARAMS, "{\"summary\": \"\xf8\x88\x80\x80\x80\"}", &out, &err),
         QGCAL_INVALID_UTF8, "body_json", NULL);
  DONE;
}
CASE(qgcal_call, huge, method) {
  DECLS;
  /* #21: answered at once, with a shortened name in the message. */
  char *text = huge("events.", 'x', "");
  EXPECT(qgcal_call(c, text, LIST_PARAMS, NULL, &out, &err), QGCAL_UNKNOWN_METHOD, "events.xxx", NULL);
  free(text);
  DONE;
}
CASE(qgcal_call, huge, params_json) {
  DECLS;
  /* #21: a request that cannot be built is an argument error at once, not retried network failures. */
  char *text = huge("{\"eventId\": \"e1\", \"calendarId\": \"", 'c', "\"}");
  EXPECT(qgcal_call(c, "events.get", text, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  free(text);
  DONE;
}
CASE(qgcal_call, huge, body_json) {
  DECLS;
  char *text = huge("[", ' ', "1]");
  EXPECT(qgcal_call(c, "events.insert", LIST_PARAMS, text, &out, &err), QGCAL_INVALID_ARGUMENT, "body",
         "object");
  free(text);
  DONE;
}
CASE(qgcal_call, malformed, params_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.list", "{\"calendarId\": ", NULL, &out, &err), QGCAL_INVALID_JSON, "params_json",
         NULL);
  DONE;
}
CASE(qgcal_call, malformed, body_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.insert", LIST_PARAMS, "{'summary': 1}", &out, &err), QGCAL_INVALID_JSON,
         "body_json", NULL);
  DONE;
}
CASE(qgcal_call, wrong_type, params_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.list", "[\"primary\"]", NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "parameters",
         "object");
  DONE;
}
CASE(qgcal_call, wrong_field_type, params_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.list", "{\"calendarId\": \"primary\", \"maxResults\": \"ten\"}", NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "maxResults", "integer");
  DONE;
}
CASE(qgcal_call, wrong_type, body_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.insert", LIST_PARAMS, "\"a meeting\"", &out, &err), QGCAL_INVALID_ARGUMENT,
         "body", "object");
  DONE;
}
CASE(qgcal_call, unknown_method, method) {
  DECLS;
  EXPECT(qgcal_call(c, "events.lisst", LIST_PARAMS, NULL, &out, &err), QGCAL_UNKNOWN_METHOD, "events.lisst",
         "events.list");
  DONE;
}
CASE(qgcal_call, missing_required, params_json) {
  DECLS;
  EXPECT(qgcal_call(c, "events.get", LIST_PARAMS, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "eventId",
         "missing");
  DONE;
}

CASE(qgcal_call_ex, null, client) {
  DECLS;
  EXPECT(qgcal_call_ex(NULL, "colors.get", NULL, NULL, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE;
}
CASE(qgcal_call_ex, null, method) {
  DECLS;
  EXPECT(qgcal_call_ex(c, NULL, NULL, NULL, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "method", NULL);
  DONE;
}
CASE(qgcal_call_ex, null, params_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.get", NULL, NULL, "{}", &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId",
         NULL);
  DONE;
}
CASE(qgcal_call_ex, null, body_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.patch", GET_PARAMS, NULL, "{}", &out, &err), QGCAL_INVALID_ARGUMENT, "body",
         NULL);
  DONE;
}
CASE(qgcal_call_ex, null, options_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.get", LIST_PARAMS, NULL, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "eventId",
         NULL);
  DONE;
}
CASE(qgcal_call_ex, null, response_json_out) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "colors.get", NULL, NULL, NULL, NULL, &err), QGCAL_NULL_ARGUMENT, "response_json_out",
         NULL);
  DONE;
}
CASE(qgcal_call_ex, null, error_out) {
  DECLS;
  CHECK(qgcal_call_ex(c, "colors.get", NULL, NULL, "{\"max_attempts\": 0}", &out, NULL) == QGCAL_INVALID_ARGUMENT,
        "status");
  DONE;
}
CASE(qgcal_call_ex, utf8, method) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "\x80", NULL, NULL, NULL, &out, &err), QGCAL_INVALID_UTF8, "method", NULL);
  DONE;
}
CASE(qgcal_call_ex, utf8, params_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.list", BAD_UTF8, NULL, NULL, &out, &err), QGCAL_INVALID_UTF8, "params_json",
         NULL);
  DONE;
}
CASE(qgcal_call_ex, utf8, body_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.insert", LIST_PARAMS, "\xfe", NULL, &out, &err), QGCAL_INVALID_UTF8,
         "body_json", NULL);
  DONE;
}
CASE(qgcal_call_ex, utf8, options_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "colors.get", NULL, NULL, "{\"fields\": \"\xe2\x82\"}", &out, &err),
         QGCAL_INVALID_UTF8, "options_json", NULL);
  DONE;
}
CASE(qgcal_call_ex, huge, method) {
  DECLS;
  char *text = huge("calendar.", 'Q', "");
  EXPECT(qgcal_call_ex(c, text, NULL, NULL, NULL, &out, &err), QGCAL_UNKNOWN_METHOD, "QQQ", NULL);
  free(text);
  DONE;
}
CASE(qgcal_call_ex, huge, params_json) {
  DECLS;
  /* A parameter that is not the method's is named, however long the value. */
  char *text = huge("{\"calendarId\": \"primary\", \"pageSize\": \"", '9', "\"}");
  EXPECT(qgcal_call_ex(c, "events.list", text, NULL, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "pageSize",
         "unknown");
  free(text);
  DONE;
}
CASE(qgcal_call_ex, huge, body_json) {
  DECLS;
  char *text = huge("{\"summary\": 1, \"x\": \"", 'x', "\"");
  EXPECT(qgcal_call_ex(c, "events.insert", LIST_PARAMS, text, NULL, &out, &err), QGCAL_INVALID_JSON,
         "body_json", NULL);
  free(text);
  DONE;
}
CASE(qgcal_call_ex, huge, options_json) {
  DECLS;
  /* #21: a 10 MB `fields` cannot be sent: an argument error at once. */
  char *text = huge("{\"fields\": \"", 'f', "\"}");
  EXPECT(qgcal_call_ex(c, "events.get", GET_PARAMS, NULL, text, &out, &err), QGCAL_INVALID_ARGUMENT, "fields",
         NULL);
  free(text);
  DONE;
}
CASE(qgcal_call_ex, malformed, params_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.list", "{calendarId: primary}", NULL, NULL, &out, &err), QGCAL_INVALID_JSON,
         "params_json", NULL);
  DONE;
}
CASE(qgcal_call_ex, malformed, body_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.insert", LIST_PARAMS, "{\"summary\": \"a\"} trailing", NULL, &out, &err),
         QGCAL_INVALID_JSON, "body_json", NULL);
  DONE;
}
CASE(qgcal_call_ex, malformed, options_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "colors.get", NULL, NULL, "{\"timeout_ms\": 5,}", &out, &err), QGCAL_INVALID_JSON,
         "options", NULL);
  DONE;
}
CASE(qgcal_call_ex, wrong_type, params_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.list", "\"primary\"", NULL, NULL, &out, &err), QGCAL_INVALID_ARGUMENT,
         "parameters", "object");
  DONE;
}
CASE(qgcal_call_ex, wrong_type, body_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.insert", LIST_PARAMS, "[{\"summary\": \"a\"}]", NULL, &out, &err),
         QGCAL_INVALID_ARGUMENT, "body", "array");
  DONE;
}
CASE(qgcal_call_ex, wrong_type, options_json) {
  DECLS;
  /* #20: an array is not the documented object (it was read field by field). */
  EXPECT(qgcal_call_ex(c, "events.get", GET_PARAMS, NULL, "[\"etag\"]", &out, &err), QGCAL_INVALID_ARGUMENT,
         "options", "object");
  DONE;
}
CASE(qgcal_call_ex, wrong_field_type, options_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.get", GET_PARAMS, NULL, "{\"timeout_ms\": \"5000\"}", &out, &err),
         QGCAL_INVALID_ARGUMENT, "timeout_ms", NULL);
  DONE;
}
CASE(qgcal_call_ex, header_injection, options_json) {
  DECLS;
  /* #20: a header value that can never be sent is an argument error at once, never retried. */
  EXPECT(qgcal_call_ex(c, "events.get", GET_PARAMS, NULL, "{\"if_match\": \"\\\"1\\\"\\r\\nX-Evil: 1\"}", &out, &err), QGCAL_INVALID_ARGUMENT, "if_match", NULL);
  DONE;
}
CASE(qgcal_call_ex, header_nul, options_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.get", GET_PARAMS, NULL, "{\"if_none_match\": \"a\\u0000b\"}", &out, &err),
         QGCAL_INVALID_ARGUMENT, "if_none_match", NULL);
  DONE;
}
CASE(qgcal_call_ex, unknown_method, method) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "calendar.events.instance", GET_PARAMS, NULL, NULL, &out, &err), QGCAL_UNKNOWN_METHOD,
         "events.instance", "events.instances");
  DONE;
}
CASE(qgcal_call_ex, missing_required, params_json) {
  DECLS;
  EXPECT(qgcal_call_ex(c, "events.move", GET_PARAMS, NULL, NULL, &out, &err), QGCAL_INVALID_ARGUMENT,
         "destination", NULL);
  DONE;
}

/* ---- qgcal_methods ---- */

CASE(qgcal_methods, null, methods_json_out) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_methods(NULL, &err), QGCAL_NULL_ARGUMENT, "methods_json_out", NULL);
}
CASE(qgcal_methods, null, error_out) {
  CHECK(qgcal_methods(NULL, NULL) == QGCAL_NULL_ARGUMENT, "status");
  char *out = NULL;
  CHECK(qgcal_methods(&out, NULL) == QGCAL_OK && strstr(out, "\"events.list\""), "methods");
  qgcal_string_free(out);
}

/* ---- qgcal_pager_new, qgcal_pager_next, qgcal_pager_free ---- */

/* A pager call refused: at qgcal_pager_new, or (for what only sending shows) at the first page. */
static void expect_pager(qgcal_client *c, const char *method, const char *params, qgcal_status want,
                         const char *needle, const char *needle2, int at_new_only) {
  qgcal_pager *pager = (qgcal_pager *)0x1;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_pager_new(c, method, params, &pager, &err);
  if (st == QGCAL_OK && !at_new_only) {
    char *page = SENTINEL;
    st = qgcal_pager_next(pager, &page, &err);
    CHECK(page == SENTINEL, "a page written on failure");
    qgcal_pager_free(pager);
  } else {
    CHECK(st == QGCAL_OK || pager == (qgcal_pager *)0x1, "pager_out written on failure");
  }
  expect(st, err, want, needle, needle2);
}

CASE(qgcal_pager_new, null, client) {
  DECLS;
  expect_pager(NULL, "events.list", LIST_PARAMS, QGCAL_NULL_ARGUMENT, "client", NULL, 1);
  DONE;
}
CASE(qgcal_pager_new, null, method) {
  DECLS;
  expect_pager(c, NULL, LIST_PARAMS, QGCAL_NULL_ARGUMENT, "method", NULL, 1);
  DONE;
}
CASE(qgcal_pager_new, null, params_json) {
  DECLS;
  expect_pager(c, "events.list", NULL, QGCAL_INVALID_ARGUMENT, "calendarId", NULL, 1);
  DONE;
}
CASE(qgcal_pager_new, null, pager_out) {
  DECLS;
  EXPECT(qgcal_pager_new(c, "events.list", LIST_PARAMS, NULL, &err), QGCAL_NULL_ARGUMENT, "pager_out", NULL);
  DONE;
}
CASE(qgcal_pager_new, null, error_out) {
  DECLS;
  qgcal_pager *pager = NULL;
  CHECK(qgcal_pager_new(c, "colors.get", NULL, &pager, NULL) == QGCAL_INVALID_ARGUMENT && pager == NULL, "status");
  DONE;
}
CASE(qgcal_pager_new, utf8, method) {
  DECLS;
  expect_pager(c, "events.li\xffst", LIST_PARAMS, QGCAL_INVALID_UTF8, "method", NULL, 1);
  DONE;
}
CASE(qgcal_pager_new, utf8, params_json) {
  DECLS;
  expect_pager(c, "events.list", BAD_UTF8, QGCAL_INVALID_UTF8, "params_json", NULL, 1);
  DONE;
}
CASE(qgcal_pager_new, huge, method) {
  DECLS;
  char *text = huge("", 'm', ".list");
  expect_pager(c, text, LIST_PARAMS, QGCAL_UNKNOWN_METHOD, "mmm", NULL, 1);
  free(text);
  DONE;
}
CASE(qgcal_pager_new, huge, params_json) {
  DECLS;
  char *text = huge("{\"calendarId\": \"", 'c', "\"}");
  expect_pager(c, "events.list", text, QGCAL_INVALID_ARGUMENT, "calendarId", NULL, 0);
  free(text);
  DONE;
}
CASE(qgcal_pager_new, malformed, params_json) {
  DECLS;
  expect_pager(c, "events.list", "{\"calendarId\": \"primary\"", QGCAL_INVALID_JSON, "params_json", NULL, 1);
  DONE;
}
CASE(qgcal_pager_new, wrong_type, params_json) {
  DECLS;
  expect_pager(c, "events.list", "42", QGCAL_INVALID_ARGUMENT, "parameters", "object", 1);
  DONE;
}
CASE(qgcal_pager_new, not_a_list, method) {
  DECLS;
  expect_pager(c, "colors.get", NULL, QGCAL_INVALID_ARGUMENT, "colors.get", "pages", 1);
  DONE;
}
CASE(qgcal_pager_new, unknown_method, method) {
  DECLS;
  expect_pager(c, "events.lst", LIST_PARAMS, QGCAL_UNKNOWN_METHOD, "events.lst", "events.list", 1);
  DONE;
}
CASE(qgcal_pager_new, missing_required, params_json) {
  DECLS;
  expect_pager(c, "acl.list", "{}", QGCAL_INVALID_ARGUMENT, "calendarId", NULL, 1);
  DONE;
}

CASE(qgcal_pager_next, null, pager) {
  DECLS;
  EXPECT(qgcal_pager_next(NULL, &out, &err), QGCAL_NULL_ARGUMENT, "pager", NULL);
  DONE_OUT_UNTOUCHED;
  DONE;
}
CASE(qgcal_pager_next, null, page_json_out) {
  DECLS;
  qgcal_pager *pager = NULL;
  CHECK(qgcal_pager_new(c, "events.list", LIST_PARAMS, &pager, NULL) == QGCAL_OK, "pager");
  EXPECT(qgcal_pager_next(pager, NULL, &err), QGCAL_NULL_ARGUMENT, "page_json_out", NULL);
  qgcal_pager_free(pager);
  DONE;
}
CASE(qgcal_pager_next, null, error_out) {
  CHECK(qgcal_pager_next(NULL, NULL, NULL) == QGCAL_NULL_ARGUMENT, "status");
}
CASE(qgcal_pager_free, null, pager) { qgcal_pager_free(NULL); }

/* ---- qgcal_list_all ---- */

CASE(qgcal_list_all, null, client) {
  DECLS;
  EXPECT(qgcal_list_all(NULL, "events.list", LIST_PARAMS, 0, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE;
}
CASE(qgcal_list_all, null, method) {
  DECLS;
  EXPECT(qgcal_list_all(c, NULL, LIST_PARAMS, 0, &out, &err), QGCAL_NULL_ARGUMENT, "method", NULL);
  DONE;
}
CASE(qgcal_list_all, null, params_json) {
  DECLS;
  EXPECT(qgcal_list_all(c, "acl.list", NULL, 0, &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  DONE;
}
CASE(qgcal_list_all, null, items_json_out) {
  DECLS;
  EXPECT(qgcal_list_all(c, "events.list", LIST_PARAMS, 0, NULL, &err), QGCAL_NULL_ARGUMENT, "items_json_out",
         NULL);
  DONE;
}
CASE(qgcal_list_all, null, error_out) {
  DECLS;
  CHECK(qgcal_list_all(c, "colors.get", NULL, 0, &out, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  DONE;
}
CASE(qgcal_list_all, utf8, method) {
  DECLS;
  EXPECT(qgcal_list_all(c, "\xc3", LIST_PARAMS, 0, &out, &err), QGCAL_INVALID_UTF8, "method", NULL);
  DONE;
}
CASE(qgcal_list_all, utf8, params_json) {
  DECLS;
  EXPECT(qgcal_list_all(c, "events.list", BAD_UTF8, 0, &out, &err), QGCAL_INVALID_UTF8, "params_json", NULL);
  DONE;
}
CASE(qgcal_list_all, huge, method) {
  DECLS;
  char *text = huge("acl.", 'a', "");
  EXPECT(qgcal_list_all(c, text, LIST_PARAMS, 0, &out, &err), QGCAL_UNKNOWN_METHOD, "acl.aaa", NULL);
  free(text);
  DONE;
}
CASE(qgcal_list_all, huge, params_json) {
  DECLS;
  char *text = huge("{\"calendarId\": \"", '%', "\"}");
  EXPECT(qgcal_list_all(c, "events.list", text, 0, &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  free(text);
  DONE;
}
CASE(qgcal_list_all, malformed, params_json) {
  DECLS;
  EXPECT(qgcal_list_all(c, "events.list", "", 0, &out, &err), QGCAL_INVALID_JSON, "params_json", NULL);
  DONE;
}
CASE(qgcal_list_all, wrong_type, params_json) {
  DECLS;
  EXPECT(qgcal_list_all(c, "events.list", "[]", 0, &out, &err), QGCAL_INVALID_ARGUMENT, "parameters", "object");
  DONE;
}
CASE(qgcal_list_all, wrong_field_type, params_json) {
  DECLS;
  EXPECT(qgcal_list_all(c, "events.list", "{\"calendarId\": [\"primary\"]}", 0, &out, &err),
         QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  DONE;
}
CASE(qgcal_list_all, unknown_method, method) {
  DECLS;
  EXPECT(qgcal_list_all(c, "calendars.list", NULL, 0, &out, &err), QGCAL_UNKNOWN_METHOD, "calendars.list", NULL);
  DONE;
}
CASE(qgcal_list_all, missing_required, params_json) {
  DECLS;
  EXPECT(qgcal_list_all(c, "events.instances", LIST_PARAMS, 0, &out, &err), QGCAL_INVALID_ARGUMENT, "eventId",
         NULL);
  DONE;
}

/* ---- qgcal_sync, qgcal_sync_ex ---- */

CASE(qgcal_sync, null, client) {
  DECLS;
  EXPECT(qgcal_sync(NULL, "events.list", LIST_PARAMS, "t", &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE;
}
CASE(qgcal_sync, null, method) {
  DECLS;
  EXPECT(qgcal_sync(c, NULL, LIST_PARAMS, "t", &out, &err), QGCAL_NULL_ARGUMENT, "method", NULL);
  DONE;
}
CASE(qgcal_sync, null, params_json) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.list", NULL, "t", &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  DONE;
}
CASE(qgcal_sync, null, sync_token) {
  DECLS;
  /* NULL is a full sync; the parameters are checked all the same. */
  EXPECT(qgcal_sync(c, "events.list", "{\"calendarId\": \"primary\", \"orderBy\": \"startTime\"}", NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "singleEvents", NULL);
  DONE;
}
CASE(qgcal_sync, null, result_json_out) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.list", LIST_PARAMS, "t", NULL, &err), QGCAL_NULL_ARGUMENT, "result_json_out",
         NULL);
  DONE;
}
CASE(qgcal_sync, null, error_out) {
  DECLS;
  CHECK(qgcal_sync(c, "settings.get", NULL, NULL, &out, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  DONE;
}
CASE(qgcal_sync, utf8, method) {
  DECLS;
  EXPECT(qgcal_sync(c, "events\xe0\x80\x80.list", LIST_PARAMS, NULL, &out, &err), QGCAL_INVALID_UTF8, "method",
         NULL);
  DONE;
}
CASE(qgcal_sync, utf8, params_json) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.list", BAD_UTF8, NULL, &out, &err), QGCAL_INVALID_UTF8, "params_json", NULL);
  DONE;
}
CASE(qgcal_sync, utf8, sync_token) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.list", LIST_PARAMS, "tok\xff", &out, &err), QGCAL_INVALID_UTF8, "sync_token",
         NULL);
  DONE;
}
CASE(qgcal_sync, huge, method) {
  DECLS;
  char *text = huge("", 's', "");
  EXPECT(qgcal_sync(c, text, LIST_PARAMS, NULL, &out, &err), QGCAL_UNKNOWN_METHOD, "sss", NULL);
  free(text);
  DONE;
}
CASE(qgcal_sync, huge, params_json) {
  DECLS;
  char *text = huge("{\"calendarId\": \"primary\", \"q\": \"", 'q', "\"}");
  /* Google forbids `q` with a sync token, however long it is. */
  EXPECT(qgcal_sync(c, "events.list", text, "tok", &out, &err), QGCAL_INVALID_ARGUMENT, "q", "syncToken");
  free(text);
  DONE;
}
CASE(qgcal_sync, huge, sync_token) {
  DECLS;
  /* #21: a sync token that cannot be sent is an argument error at once. */
  char *text = huge("", 't', "");
  EXPECT(qgcal_sync(c, "events.list", LIST_PARAMS, text, &out, &err), QGCAL_INVALID_ARGUMENT, "sync", NULL);
  free(text);
  DONE;
}
CASE(qgcal_sync, malformed, params_json) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.list", "{\"calendarId\": \"primary\"}}", NULL, &out, &err), QGCAL_INVALID_JSON,
         "params_json", NULL);
  DONE;
}
CASE(qgcal_sync, wrong_type, params_json) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.list", "true", NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "parameters", "object");
  DONE;
}
CASE(qgcal_sync, forbidden_with_token, params_json) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.list", "{\"calendarId\": \"primary\", \"timeMin\": \"2030-01-01T00:00:00Z\"}", "tok",
                    &out, &err), QGCAL_INVALID_ARGUMENT, "timeMin", NULL);
  DONE;
}
CASE(qgcal_sync, unknown_method, method) {
  DECLS;
  EXPECT(qgcal_sync(c, "events.sync", LIST_PARAMS, NULL, &out, &err), QGCAL_UNKNOWN_METHOD, "events.sync", NULL);
  DONE;
}
CASE(qgcal_sync, missing_required, params_json) {
  DECLS;
  EXPECT(qgcal_sync(c, "acl.list", "{}", NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  DONE;
}

CASE(qgcal_sync_ex, null, client) {
  DECLS;
  EXPECT(qgcal_sync_ex(NULL, "events.list", LIST_PARAMS, NULL, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "client",
         NULL);
  DONE;
}
CASE(qgcal_sync_ex, null, method) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, NULL, LIST_PARAMS, NULL, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "method", NULL);
  DONE;
}
CASE(qgcal_sync_ex, null, params_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", NULL, NULL, "{}", &out, &err), QGCAL_INVALID_ARGUMENT, "calendarId",
         NULL);
  DONE;
}
CASE(qgcal_sync_ex, null, sync_token) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "colors.get", NULL, NULL, "{}", &out, &err), QGCAL_INVALID_ARGUMENT, "colors.get",
         NULL);
  DONE;
}
CASE(qgcal_sync_ex, null, options_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", "{\"calendarId\": \"primary\", \"iCalUID\": \"x\"}", "tok", NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "iCalUID", NULL);
  DONE;
}
CASE(qgcal_sync_ex, null, result_json_out) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", LIST_PARAMS, NULL, NULL, NULL, &err), QGCAL_NULL_ARGUMENT,
         "result_json_out", NULL);
  DONE;
}
CASE(qgcal_sync_ex, null, error_out) {
  DECLS;
  CHECK(qgcal_sync_ex(c, "events.list", LIST_PARAMS, NULL, "[", &out, NULL) == QGCAL_INVALID_JSON, "status");
  DONE;
}
CASE(qgcal_sync_ex, utf8, method) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "\xf5", LIST_PARAMS, NULL, NULL, &out, &err), QGCAL_INVALID_UTF8, "method", NULL);
  DONE;
}
CASE(qgcal_sync_ex, utf8, params_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", BAD_UTF8, NULL, NULL, &out, &err), QGCAL_INVALID_UTF8, "params_json",
         NULL);
  DONE;
}
CASE(qgcal_sync_ex, utf8, sync_token) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", LIST_PARAMS, "\xc1\xbf", NULL, &out, &err), QGCAL_INVALID_UTF8,
         "sync_token", NULL);
  DONE;
}
CASE(qgcal_sync_ex, utf8, options_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", LIST_PARAMS, NULL, "\"\xff\"", &out, &err), QGCAL_INVALID_UTF8,
         "options_json", NULL);
  DONE;
}
CASE(qgcal_sync_ex, huge, method) {
  DECLS;
  char *text = huge("settings.", 'z', "");
  EXPECT(qgcal_sync_ex(c, text, NULL, NULL, NULL, &out, &err), QGCAL_UNKNOWN_METHOD, "settings.zzz", NULL);
  free(text);
  DONE;
}
CASE(qgcal_sync_ex, huge, params_json) {
  DECLS;
  char *text = huge("{\"calendarId\": \"primary\", \"maxResults\": \"", '1', "\"}");
  EXPECT(qgcal_sync_ex(c, "events.list", text, NULL, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "maxResults",
         NULL);
  free(text);
  DONE;
}
CASE(qgcal_sync_ex, huge, sync_token) {
  DECLS;
  char *text = huge("", 'T', "");
  EXPECT(qgcal_sync_ex(c, "calendarList.list", NULL, text, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "sync",
         NULL);
  free(text);
  DONE;
}
CASE(qgcal_sync_ex, huge, options_json) {
  DECLS;
  char *text = huge("{\"full_resync_on_expiry\": true, \"why\": \"", 'w', "\"}");
  EXPECT(qgcal_sync_ex(c, "events.list", LIST_PARAMS, NULL, text, &out, &err), QGCAL_INVALID_ARGUMENT, "why",
         NULL);
  free(text);
  DONE;
}
CASE(qgcal_sync_ex, malformed, params_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", "{\"calendarId\" = \"primary\"}", NULL, NULL, &out, &err),
         QGCAL_INVALID_JSON, "params_json", NULL);
  DONE;
}
CASE(qgcal_sync_ex, malformed, options_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", LIST_PARAMS, NULL, "{\"full_resync_on_expiry\": tru}", &out, &err),
         QGCAL_INVALID_JSON, "options", NULL);
  DONE;
}
CASE(qgcal_sync_ex, wrong_type, params_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", "[[]]", NULL, NULL, &out, &err), QGCAL_INVALID_ARGUMENT, "parameters",
         "object");
  DONE;
}
CASE(qgcal_sync_ex, wrong_type, options_json) {
  DECLS;
  /* #20: an array is not the documented object. */
  EXPECT(qgcal_sync_ex(c, "events.list", LIST_PARAMS, NULL, "[true]", &out, &err), QGCAL_INVALID_ARGUMENT,
         "options", "object");
  DONE;
}
CASE(qgcal_sync_ex, wrong_field_type, options_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", LIST_PARAMS, NULL, "{\"full_resync_on_expiry\": \"yes\"}", &out, &err),
         QGCAL_INVALID_ARGUMENT, "full_resync_on_expiry", NULL);
  DONE;
}
CASE(qgcal_sync_ex, unknown_method, method) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "calendar.calendarlist.list", NULL, NULL, NULL, &out, &err), QGCAL_UNKNOWN_METHOD,
         "calendarlist.list", "calendarList.list");
  DONE;
}
CASE(qgcal_sync_ex, missing_required, params_json) {
  DECLS;
  EXPECT(qgcal_sync_ex(c, "events.list", "{\"showDeleted\": true}", NULL, NULL, &out, &err),
         QGCAL_INVALID_ARGUMENT, "calendarId", NULL);
  DONE;
}

/* ---- qgcal_client_new, qgcal_client_free ---- */

static void expect_config(const char *json, qgcal_status want, const char *needle, const char *needle2) {
  qgcal_client *client = (qgcal_client *)0x1;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_client_new(json, &client, &err);
  CHECK(client == (qgcal_client *)0x1, "client_out written on failure");
  expect(st, err, want, needle, needle2);
}

CASE(qgcal_client_new, null, config_json) { expect_config(NULL, QGCAL_NULL_ARGUMENT, "config_json", NULL); }
CASE(qgcal_client_new, null, client_out) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_client_new("{}", NULL, &err), QGCAL_NULL_ARGUMENT, "client_out", NULL);
}
CASE(qgcal_client_new, null, error_out) {
  qgcal_client *client = NULL;
  CHECK(qgcal_client_new("{\"retry\": 5}", &client, NULL) == QGCAL_INVALID_ARGUMENT && client == NULL, "status");
}
CASE(qgcal_client_new, utf8, config_json) {
  expect_config("{\"user_agent\": \"\xff\"}", QGCAL_INVALID_UTF8, "config_json", "UTF-8");
}
CASE(qgcal_client_new, huge, config_json) {
  char *text = huge("{\"client_id\": \"id\", \"client_secretz\": \"BADINPUT-secret-0xC0FFEE", 's', "\"}");
  expect_config(text, QGCAL_INVALID_ARGUMENT, "client_secretz", NULL);
  free(text);
}
CASE(qgcal_client_new, huge_secret, config_json) {
  /* A 10 MB secret of the wrong type is named, never echoed. */
  char *text = huge("{\"client_id\": \"id\", \"client_secret\": [\"BADINPUT-secret-0xC0FFEE", 's', "\"]}");
  expect_config(text, QGCAL_INVALID_ARGUMENT, "client_secret", NULL);
  free(text);
}
CASE(qgcal_client_new, malformed, config_json) {
  expect_config("{\"client_id\": \"id\",}", QGCAL_INVALID_JSON, "config", "JSON");
}
CASE(qgcal_client_new, wrong_type, config_json) {
  /* #20: an array of 11 nulls was read as the config's fields in order. */
  expect_config("[null, null, null, null, null, null, null, null, null, null, null]", QGCAL_INVALID_ARGUMENT, "config",
                "object");
}
CASE(qgcal_client_new, wrong_field_type, config_json) {
  expect_config("{\"timeouts\": {\"request_ms\": 1.5}}", QGCAL_INVALID_ARGUMENT, "timeouts.request_ms", NULL);
}
CASE(qgcal_client_new, secret_wrong_type, config_json) {
  /* #20: the token's value is never in the message, only the key and the type expected. */
  expect_config("{\"client_id\": \"id\", \"token\": \"BADINPUT-access-0xBEEF\"}", QGCAL_INVALID_ARGUMENT, "token",
                NULL);
}
CASE(qgcal_client_new, secret_field_wrong_type, config_json) {
  expect_config("{\"client_id\": \"id\", \"token\": {\"access_token\": \"a\", \"refresh_token\": "
                "[\"BADINPUT-refresh-0xF00D\"]}}",
                QGCAL_INVALID_ARGUMENT, "refresh_token", NULL);
}
CASE(qgcal_client_new, bad_value, config_json) {
  expect_config("{\"endpoints\": {\"api_base_url\": \"http://calendar.example.com/v3/\"}}", QGCAL_INVALID_ARGUMENT,
                "endpoints.api_base_url", "https");
}
CASE(qgcal_client_free, null, client) { qgcal_client_free(NULL); }

/* ---- consent ---- */

CASE(qgcal_consent_start_local, null, client) {
  qgcal_error *err = NULL;
  qgcal_consent *consent = (qgcal_consent *)0x1;
  char *url = SENTINEL;
  EXPECT(qgcal_consent_start_local(NULL, NULL, &consent, &url, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  CHECK(consent == (qgcal_consent *)0x1 && url == SENTINEL, "outputs written on failure");
}
CASE(qgcal_consent_start_local, null, options_json) {
  DECLS;
  /* NULL options are the defaults: a listener on 127.0.0.1. */
  qgcal_consent *consent = NULL;
  CHECK(qgcal_consent_start_local(c, NULL, &consent, &out, &err) == QGCAL_OK, "%s", err ? qgcal_error_message(err) : "");
  CHECK(strstr(out, "redirect_uri=http%3A%2F%2F127.0.0.1%3A") != NULL, "%s", out);
  qgcal_string_free(out);
  qgcal_consent_free(consent);
  DONE;
}
CASE(qgcal_consent_start_local, null, consent_out) {
  DECLS;
  EXPECT(qgcal_consent_start_local(c, NULL, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "consent_out", NULL);
  DONE_OUT_UNTOUCHED;
  DONE;
}
CASE(qgcal_consent_start_local, null, auth_url_out) {
  DECLS;
  qgcal_consent *consent = NULL;
  EXPECT(qgcal_consent_start_local(c, NULL, &consent, NULL, &err), QGCAL_NULL_ARGUMENT, "auth_url_out", NULL);
  CHECK(consent == NULL, "consent_out written on failure");
  DONE;
}
CASE(qgcal_consent_start_local, null, error_out) {
  DECLS;
  qgcal_consent *consent = NULL;
  CHECK(qgcal_consent_start_local(c, "{\"port\": -1}", &consent, &out, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  DONE;
}
CASE(qgcal_consent_start_local, utf8, options_json) {
  DECLS;
  qgcal_consent *consent = NULL;
  EXPECT(qgcal_consent_start_local(c, "{\"login_hint\": \"\xff@example.com\"}", &consent, &out, &err),
         QGCAL_INVALID_UTF8, "options_json", NULL);
  DONE;
}
CASE(qgcal_consent_start_local, huge, options_json) {
  DECLS;
  qgcal_consent *consent = NULL;
  char *text = huge("{\"scopes\": [\"https://www.googleapis.com/auth/calendar\"], \"loginhint\": \"", 'h', "\"}");
  EXPECT(qgcal_consent_start_local(c, text, &consent, &out, &err), QGCAL_INVALID_ARGUMENT, "loginhint", NULL);
  free(text);
  DONE;
}
CASE(qgcal_consent_start_local, malformed, options_json) {
  DECLS;
  qgcal_consent *consent = NULL;
  EXPECT(qgcal_consent_start_local(c, "{\"port\": 80", &consent, &out, &err), QGCAL_INVALID_JSON, "options",
         NULL);
  DONE;
}
CASE(qgcal_consent_start_local, wrong_type, options_json) {
  DECLS;
  qgcal_consent *consent = NULL;
  /* #20: an array is not the documented object. */
  EXPECT(qgcal_consent_start_local(c, "[8080]", &consent, &out, &err), QGCAL_INVALID_ARGUMENT, "options",
         "object");
  CHECK(consent == NULL, "a consent started from an array");
  DONE;
}
CASE(qgcal_consent_start_local, wrong_field_type, options_json) {
  DECLS;
  qgcal_consent *consent = NULL;
  EXPECT(qgcal_consent_start_local(c, "{\"port\": \"8080\"}", &consent, &out, &err), QGCAL_INVALID_ARGUMENT,
         "port", NULL);
  DONE;
}
CASE(qgcal_consent_start_local, bad_value, options_json) {
  DECLS;
  qgcal_consent *consent = NULL;
  EXPECT(qgcal_consent_start_local(c, "{\"callback_path\": \"cb?x=1\"}", &consent, &out, &err),
         QGCAL_INVALID_ARGUMENT, "callback_path", NULL);
  DONE;
}
CASE(qgcal_consent_start_local, no_client_id, client) {
  qgcal_client *c = client_from(no_token_config_json);
  qgcal_error *err = NULL;
  qgcal_consent *consent = NULL;
  char *out = SENTINEL;
  EXPECT(qgcal_consent_start_local(c, NULL, &consent, &out, &err), QGCAL_INVALID_ARGUMENT, "client_id", NULL);
  qgcal_client_free(c);
}

CASE(qgcal_consent_wait, null, consent) {
  DECLS;
  EXPECT(qgcal_consent_wait(NULL, 10, &out, &err), QGCAL_NULL_ARGUMENT, "consent", NULL);
  DONE_OUT_UNTOUCHED;
  DONE;
}
CASE(qgcal_consent_wait, null, token_json_out) {
  DECLS;
  qgcal_consent *consent = NULL;
  CHECK(qgcal_consent_start_local(c, NULL, &consent, &out, NULL) == QGCAL_OK, "start");
  qgcal_string_free(out);
  /* Refused at once, before any waiting (no timeout: it would wait for ever). */
  EXPECT(qgcal_consent_wait(consent, 0, NULL, &err), QGCAL_NULL_ARGUMENT, "token_json_out", NULL);
  qgcal_consent_free(consent);
  DONE;
}
CASE(qgcal_consent_wait, null, error_out) { CHECK(qgcal_consent_wait(NULL, 0, NULL, NULL) == QGCAL_NULL_ARGUMENT, "status"); }
CASE(qgcal_consent_cancel, null, consent) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_consent_cancel(NULL, &err), QGCAL_NULL_ARGUMENT, "consent", NULL);
}
CASE(qgcal_consent_cancel, null, error_out) { CHECK(qgcal_consent_cancel(NULL, NULL) == QGCAL_NULL_ARGUMENT, "status"); }
CASE(qgcal_consent_free, null, consent) { qgcal_consent_free(NULL); }

#define EXTERNAL "{\"redirect_uri\": \"https://qorus.example.com/cb\"}"
CASE(qgcal_consent_start_external, null, client) {
  DECLS;
  char *session = SENTINEL;
  EXPECT(qgcal_consent_start_external(NULL, EXTERNAL, &out, &session, &err), QGCAL_NULL_ARGUMENT, "client",
         NULL);
  CHECK(session == SENTINEL && out == SENTINEL, "outputs written on failure");
  DONE;
}
CASE(qgcal_consent_start_external, null, options_json) {
  DECLS;
  char *session = NULL;
  EXPECT(qgcal_consent_start_external(c, NULL, &out, &session, &err), QGCAL_NULL_ARGUMENT, "options_json", NULL);
  DONE;
}
CASE(qgcal_consent_start_external, null, auth_url_out) {
  DECLS;
  char *session = SENTINEL;
  EXPECT(qgcal_consent_start_external(c, EXTERNAL, NULL, &session, &err), QGCAL_NULL_ARGUMENT, "auth_url_out",
         NULL);
  CHECK(session == SENTINEL, "session written on failure");
  DONE;
}
CASE(qgcal_consent_start_external, null, session_json_out) {
  DECLS;
  EXPECT(qgcal_consent_start_external(c, EXTERNAL, &out, NULL, &err), QGCAL_NULL_ARGUMENT, "session_json_out",
         NULL);
  DONE_OUT_UNTOUCHED;
  DONE;
}
CASE(qgcal_consent_start_external, null, error_out) {
  DECLS;
  char *session = NULL;
  CHECK(qgcal_consent_start_external(c, "{}", &out, &session, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  DONE;
}
CASE(qgcal_consent_start_external, utf8, options_json) {
  DECLS;
  char *session = NULL;
  EXPECT(qgcal_consent_start_external(c, "{\"redirect_uri\": \"https://\xff/\"}", &out, &session, &err),
         QGCAL_INVALID_UTF8, "options_json", NULL);
  DONE;
}
CASE(qgcal_consent_start_external, huge, options_json) {
  DECLS;
  char *session = NULL;
  char *text = huge("{\"redirect_uri\": \"https://qorus.example.com/cb\", \"relay\": \"", 'r', "\"}");
  EXPECT(qgcal_consent_start_external(c, text, &out, &session, &err), QGCAL_INVALID_ARGUMENT, "relay", NULL);
  free(text);
  DONE;
}
CASE(qgcal_consent_start_external, malformed, options_json) {
  DECLS;
  char *session = NULL;
  EXPECT(qgcal_consent_start_external(c, "redirect_uri=https://x/cb", &out, &session, &err), QGCAL_INVALID_JSON,
         "options", NULL);
  DONE;
}
CASE(qgcal_consent_start_external, wrong_type, options_json) {
  DECLS;
  char *session = NULL;
  /* #20: an array is not the documented object. */
  EXPECT(qgcal_consent_start_external(c, "[\"https://qorus.example.com/cb\"]", &out, &session, &err),
         QGCAL_INVALID_ARGUMENT, "options", "object");
  DONE;
}
CASE(qgcal_consent_start_external, wrong_field_type, options_json) {
  DECLS;
  char *session = NULL;
  EXPECT(qgcal_consent_start_external(c, "{\"redirect_uri\": \"https://q.example.com/cb\", \"scopes\": \"calendar\"}",
                                      &out, &session, &err), QGCAL_INVALID_ARGUMENT, "scopes", NULL);
  DONE;
}
CASE(qgcal_consent_start_external, missing_required, options_json) {
  DECLS;
  char *session = NULL;
  EXPECT(qgcal_consent_start_external(c, "{\"login_hint\": \"a@example.com\"}", &out, &session, &err),
         QGCAL_INVALID_ARGUMENT, "redirect_uri", NULL);
  DONE;
}
CASE(qgcal_consent_start_external, bad_value, options_json) {
  DECLS;
  char *session = NULL;
  EXPECT(qgcal_consent_start_external(c, "{\"redirect_uri\": \"ftp://qorus.example.com/cb\"}", &out, &session, &err), QGCAL_INVALID_ARGUMENT, "redirect_uri", NULL);
  DONE;
}

CASE(qgcal_consent_complete, null, client) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  EXPECT(qgcal_consent_complete(NULL, session, "code=a&state=b", &out, &err), QGCAL_NULL_ARGUMENT, "client",
         NULL);
  qgcal_string_free(session);
  DONE;
}
CASE(qgcal_consent_complete, null, session_json) {
  DECLS;
  EXPECT(qgcal_consent_complete(c, NULL, "code=a&state=b", &out, &err), QGCAL_NULL_ARGUMENT, "session_json",
         NULL);
  DONE;
}
CASE(qgcal_consent_complete, null, callback_url) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  EXPECT(qgcal_consent_complete(c, session, NULL, &out, &err), QGCAL_NULL_ARGUMENT, "callback_url", NULL);
  qgcal_string_free(session);
  DONE;
}
CASE(qgcal_consent_complete, null, token_json_out) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  EXPECT(qgcal_consent_complete(c, session, "code=a&state=b", NULL, &err), QGCAL_NULL_ARGUMENT, "token_json_out",
         NULL);
  qgcal_string_free(session);
  DONE;
}
CASE(qgcal_consent_complete, null, error_out) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  CHECK(qgcal_consent_complete(c, session, "code=a&state=forged", &out, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  qgcal_string_free(session);
  DONE;
}
CASE(qgcal_consent_complete, utf8, session_json) {
  DECLS;
  EXPECT(qgcal_consent_complete(c, "{\"client_id\": \"\xff\"}", "code=a&state=b", &out, &err),
         QGCAL_INVALID_UTF8, "session_json", NULL);
  DONE;
}
CASE(qgcal_consent_complete, utf8, callback_url) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  EXPECT(qgcal_consent_complete(c, session, "code=\xff&state=b", &out, &err), QGCAL_INVALID_UTF8, "callback_url",
         NULL);
  qgcal_string_free(session);
  DONE;
}
CASE(qgcal_consent_complete, huge, session_json) {
  DECLS;
  char *text = huge("{\"client_id\": \"bad-input-client\", \"statee\": \"", 'S', "\"}");
  EXPECT(qgcal_consent_complete(c, text, "code=a&state=b", &out, &err), QGCAL_INVALID_ARGUMENT, "statee", NULL);
  free(text);
  DONE;
}
CASE(qgcal_consent_complete, huge, callback_url) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  char *text = huge("https://qorus.example.com/cb?code=a&state=", 's', "");
  EXPECT(qgcal_consent_complete(c, session, text, &out, &err), QGCAL_INVALID_ARGUMENT, "state", NULL);
  free(text);
  qgcal_string_free(session);
  DONE;
}
CASE(qgcal_consent_complete, malformed, session_json) {
  DECLS;
  EXPECT(qgcal_consent_complete(c, "{\"client_id\": ", "code=a&state=b", &out, &err), QGCAL_INVALID_JSON,
         "session", NULL);
  DONE;
}
CASE(qgcal_consent_complete, wrong_type, session_json) {
  DECLS;
  EXPECT(qgcal_consent_complete(c, "\"a session\"", "code=a&state=b", &out, &err), QGCAL_INVALID_ARGUMENT,
         "session", NULL);
  DONE;
}
CASE(qgcal_consent_complete, missing_required, session_json) {
  DECLS;
  EXPECT(qgcal_consent_complete(c, "{\"client_id\": \"bad-input-client\"}", "code=a&state=b", &out, &err),
         QGCAL_INVALID_ARGUMENT, "state", NULL);
  DONE;
}
CASE(qgcal_consent_complete, wrong_state, callback_url) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  EXPECT(qgcal_consent_complete(c, session, "https://qorus.example.com/cb?code=a&state=forged", &out, &err),
         QGCAL_INVALID_ARGUMENT, "state", "does not match");
  qgcal_string_free(session);
  DONE;
}
CASE(qgcal_consent_complete, not_a_url, callback_url) {
  DECLS;
  char *session = NULL;
  start_external(c, &session);
  EXPECT(qgcal_consent_complete(c, session, "https://[::1/cb?code=a", &out, &err), QGCAL_INVALID_ARGUMENT,
         "callback", NULL);
  qgcal_string_free(session);
  DONE;
}

/* ---- errors, strings, the library ---- */

CASE(qgcal_error_status, null, error) { CHECK(qgcal_error_status(NULL) == QGCAL_NULL_ARGUMENT, "status"); }
CASE(qgcal_error_message, null, error) { CHECK(qgcal_error_message(NULL) == NULL, "message"); }
CASE(qgcal_error_http_status, null, error) { CHECK(qgcal_error_http_status(NULL) == 0, "http status"); }
CASE(qgcal_error_reason, null, error) { CHECK(qgcal_error_reason(NULL) == NULL, "reason"); }
CASE(qgcal_error_free, null, error) { qgcal_error_free(NULL); }
CASE(qgcal_string_free, null, s) { qgcal_string_free(NULL); }
CASE(qgcal_version, call, none) {
  CHECK(strcmp(qgcal_version(), QORUS_GCAL_VERSION) == 0, "version %s", qgcal_version());
}
CASE(qgcal_status_name, out_of_range, status) {
  CHECK(strcmp(qgcal_status_name(-1), "QGCAL_UNKNOWN_STATUS") == 0, "-1");
  CHECK(strcmp(qgcal_status_name(1000), "QGCAL_UNKNOWN_STATUS") == 0, "1000");
  CHECK(strcmp(qgcal_status_name(INT32_MIN), "QGCAL_UNKNOWN_STATUS") == 0, "INT32_MIN");
  CHECK(strcmp(qgcal_status_name(INT32_MAX), "QGCAL_UNKNOWN_STATUS") == 0, "INT32_MAX");
  CHECK(strcmp(qgcal_status_name(QGCAL_OK), "QGCAL_OK") == 0, "OK");
}
CASE(qgcal_shutdown, null, error_out) {
  DECLS;
  CHECK(qgcal_shutdown(NULL) == QGCAL_OK, "shutdown");
  CHECK(qgcal_shutdown(NULL) == QGCAL_OK, "shutdown again is harmless");
  EXPECT(qgcal_call(c, "colors.get", NULL, NULL, &out, &err), QGCAL_SHUT_DOWN, "shut down", NULL);
  DONE;
}

/* ---- tokens ---- */

CASE(qgcal_client_set_token_callback, null, client) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_client_set_token_callback(NULL, ignore_token, NULL, NULL, &err), QGCAL_NULL_ARGUMENT, "client",
         NULL);
}
CASE(qgcal_client_set_token_callback, null, callback) {
  DECLS;
  /* NULL removes the callback; the drop runs at once. */
  CHECK(qgcal_client_set_token_callback(c, NULL, &drops, count_drop, &err) == QGCAL_OK, "remove");
  CHECK(drops == 1, "drop ran %d times", drops);
  DONE;
}
CASE(qgcal_client_set_token_callback, null, userdata) {
  DECLS;
  CHECK(qgcal_client_set_token_callback(c, ignore_token, NULL, count_drop, &err) == QGCAL_OK, "set");
  DONE;
  CHECK(drops == 1, "drop ran %d times when the client was freed", drops);
}
CASE(qgcal_client_set_token_callback, null, drop) {
  DECLS;
  CHECK(qgcal_client_set_token_callback(c, ignore_token, NULL, NULL, &err) == QGCAL_OK, "set");
  CHECK(qgcal_client_set_token_callback(c, NULL, NULL, NULL, &err) == QGCAL_OK, "remove");
  DONE;
}
CASE(qgcal_client_set_token_callback, null, error_out) {
  CHECK(qgcal_client_set_token_callback(NULL, NULL, NULL, NULL, NULL) == QGCAL_NULL_ARGUMENT, "status");
}
CASE(qgcal_client_token, null, client) {
  DECLS;
  EXPECT(qgcal_client_token(NULL, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE;
}
CASE(qgcal_client_token, null, token_json_out) {
  DECLS;
  EXPECT(qgcal_client_token(c, NULL, &err), QGCAL_NULL_ARGUMENT, "token_json_out", NULL);
  DONE;
}
CASE(qgcal_client_token, null, error_out) {
  qgcal_client *c = client_from(no_token_config_json);
  char *out = SENTINEL;
  CHECK(qgcal_client_token(c, &out, NULL) == QGCAL_CONSENT_REQUIRED && out == SENTINEL, "status");
  qgcal_client_free(c);
}
CASE(qgcal_client_token, no_token, client) {
  qgcal_client *c = client_from(no_token_config_json);
  qgcal_error *err = NULL;
  char *out = SENTINEL;
  EXPECT(qgcal_client_token(c, &out, &err), QGCAL_CONSENT_REQUIRED, "consent", NULL);
  qgcal_client_free(c);
}
CASE(qgcal_client_refresh, null, client) {
  DECLS;
  EXPECT(qgcal_client_refresh(NULL, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE;
}
CASE(qgcal_client_refresh, null, token_json_out) {
  DECLS;
  EXPECT(qgcal_client_refresh(c, NULL, &err), QGCAL_NULL_ARGUMENT, "token_json_out", NULL);
  DONE;
}
CASE(qgcal_client_refresh, null, error_out) {
  qgcal_client *c = client_from(no_token_config_json);
  char *out = SENTINEL;
  CHECK(qgcal_client_refresh(c, &out, NULL) == QGCAL_CONSENT_REQUIRED, "status");
  qgcal_client_free(c);
}
CASE(qgcal_client_refresh, no_refresh_token, client) {
  qgcal_client *c = client_from("{\"token\": {\"access_token\": \"BADINPUT-access-0xBEEF\"}}");
  qgcal_error *err = NULL;
  char *out = SENTINEL;
  EXPECT(qgcal_client_refresh(c, &out, &err), QGCAL_CONSENT_REQUIRED, "refresh token", NULL);
  qgcal_client_free(c);
}
CASE(qgcal_client_revoke, null, client) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_client_revoke(NULL, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
}
CASE(qgcal_client_revoke, null, error_out) { CHECK(qgcal_client_revoke(NULL, NULL) == QGCAL_NULL_ARGUMENT, "status"); }

/* ---- logs, statistics, schemas, qgcal_list_each, qgcal_client_id ---- */

static int log_records = 0;
static void count_log(void *userdata, const struct qgcal_log_record *record) {
  (void)userdata;
  (void)record;
  log_records++;
}
static int pages = 0;
static bool count_page(void *userdata, const char *items_json, size_t len, size_t count) {
  (void)userdata;
  (void)items_json;
  (void)len;
  (void)count;
  pages++;
  return true;
}
/* No page may come from a call refused up front. */
#define NO_PAGE CHECK(pages == 0, "%d pages handed on failure", pages)

CASE(qgcal_set_log_callback, null, callback) {
  qgcal_error *err = NULL;
  /* NULL removes the callback; its drop runs at once. */
  CHECK(qgcal_set_log_callback(QGCAL_LOG_TRACE, NULL, &drops, count_drop, &err) == QGCAL_OK, "remove");
  CHECK(drops == 1, "drop ran %d times", drops);
}
CASE(qgcal_set_log_callback, null, userdata) {
  qgcal_error *err = NULL;
  CHECK(qgcal_set_log_callback(QGCAL_LOG_TRACE, count_log, NULL, count_drop, &err) == QGCAL_OK, "set");
  qgcal_client *c = new_client();
  char *out = SENTINEL;
  EXPECT(qgcal_call(c, "events.lisst", NULL, NULL, &out, &err), QGCAL_UNKNOWN_METHOD, "events.lisst", NULL);
  DONE_OUT_UNTOUCHED;
  qgcal_client_free(c);
  CHECK(qgcal_set_log_callback(QGCAL_LOG_OFF, NULL, NULL, NULL, &err) == QGCAL_OK, "remove");
  CHECK(drops == 1, "the replaced callback's drop ran %d times", drops);
}
CASE(qgcal_set_log_callback, null, drop) {
  qgcal_error *err = NULL;
  CHECK(qgcal_set_log_callback(QGCAL_LOG_INFO, count_log, NULL, NULL, &err) == QGCAL_OK, "set");
  CHECK(qgcal_set_log_callback(QGCAL_LOG_INFO, NULL, NULL, NULL, &err) == QGCAL_OK, "remove");
}
CASE(qgcal_set_log_callback, null, error_out) {
  CHECK(qgcal_set_log_callback(6, count_log, &drops, count_drop, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  CHECK(drops == 0, "a refused callback was dropped");
}
CASE(qgcal_set_log_callback, bad_value, level) {
  qgcal_error *err = NULL;
  int32_t levels[] = {-1, 6, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
    EXPECT(qgcal_set_log_callback(levels[i], count_log, &drops, count_drop, &err), QGCAL_INVALID_ARGUMENT, "level",
           "QGCAL_LOG_TRACE");
    err = NULL;
  }
  CHECK(drops == 0, "a refused callback was dropped %d times: it was never taken", drops);
}

CASE(qgcal_client_set_log_callback, null, client) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_client_set_log_callback(NULL, QGCAL_LOG_TRACE, count_log, &drops, count_drop, &err),
         QGCAL_NULL_ARGUMENT, "client", NULL);
  CHECK(drops == 0, "a refused callback was dropped");
}
CASE(qgcal_client_set_log_callback, null, callback) {
  DECLS;
  CHECK(qgcal_client_set_log_callback(c, QGCAL_LOG_TRACE, NULL, &drops, count_drop, &err) == QGCAL_OK, "remove");
  CHECK(drops == 1, "drop ran %d times", drops);
  DONE;
}
CASE(qgcal_client_set_log_callback, null, userdata) {
  DECLS;
  CHECK(qgcal_client_set_log_callback(c, QGCAL_LOG_TRACE, count_log, NULL, count_drop, &err) == QGCAL_OK, "set");
  DONE;
  CHECK(drops == 1, "drop ran %d times when the client was freed", drops);
}
CASE(qgcal_client_set_log_callback, null, drop) {
  DECLS;
  CHECK(qgcal_client_set_log_callback(c, QGCAL_LOG_DEBUG, count_log, NULL, NULL, &err) == QGCAL_OK, "set");
  DONE;
}
CASE(qgcal_client_set_log_callback, null, error_out) {
  DECLS;
  CHECK(qgcal_client_set_log_callback(c, 99, count_log, &drops, count_drop, NULL) == QGCAL_INVALID_ARGUMENT,
        "status");
  DONE;
  CHECK(drops == 0, "a refused callback was dropped");
}
CASE(qgcal_client_set_log_callback, bad_value, level) {
  DECLS;
  EXPECT(qgcal_client_set_log_callback(c, -3, count_log, &drops, count_drop, &err), QGCAL_INVALID_ARGUMENT,
         "level", "-3");
  DONE;
  CHECK(drops == 0, "a refused callback was dropped");
}

CASE(qgcal_client_id, null, client) {
  CHECK(qgcal_client_id(NULL) == 0, "NULL has id %llu", (unsigned long long)qgcal_client_id(NULL));
  qgcal_client *a = new_client(), *b = new_client();
  CHECK(qgcal_client_id(a) != 0 && qgcal_client_id(a) != qgcal_client_id(b), "ids %llu, %llu",
        (unsigned long long)qgcal_client_id(a), (unsigned long long)qgcal_client_id(b));
  qgcal_client_free(a);
  qgcal_client_free(b);
}

CASE(qgcal_stats, null, stats_json_out) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_stats(false, NULL, &err), QGCAL_NULL_ARGUMENT, "stats_json_out", NULL);
}
CASE(qgcal_stats, null, error_out) {
  CHECK(qgcal_stats(true, NULL, NULL) == QGCAL_NULL_ARGUMENT, "status");
  char *out = NULL;
  CHECK(qgcal_stats(false, &out, NULL) == QGCAL_OK && out && out[0] == '{', "stats without error_out");
  qgcal_string_free(out);
}
CASE(qgcal_client_stats, null, client) {
  qgcal_error *err = NULL;
  char *out = SENTINEL;
  EXPECT(qgcal_client_stats(NULL, false, &out, &err), QGCAL_NULL_ARGUMENT, "client", NULL);
  DONE_OUT_UNTOUCHED;
}
CASE(qgcal_client_stats, null, stats_json_out) {
  DECLS;
  EXPECT(qgcal_client_stats(c, false, NULL, &err), QGCAL_NULL_ARGUMENT, "stats_json_out", NULL);
  DONE;
}
CASE(qgcal_client_stats, null, error_out) {
  DECLS;
  CHECK(qgcal_client_stats(NULL, false, &out, NULL) == QGCAL_NULL_ARGUMENT, "status");
  DONE_OUT_UNTOUCHED;
  DONE;
}

CASE(qgcal_method_schema, null, method) {
  qgcal_error *err = NULL;
  char *out = SENTINEL;
  EXPECT(qgcal_method_schema(NULL, &out, &err), QGCAL_NULL_ARGUMENT, "method", NULL);
  DONE_OUT_UNTOUCHED;
}
CASE(qgcal_method_schema, null, schema_json_out) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_method_schema("events.list", NULL, &err), QGCAL_NULL_ARGUMENT, "schema_json_out", NULL);
}
CASE(qgcal_method_schema, null, error_out) {
  char *out = SENTINEL;
  CHECK(qgcal_method_schema("events.lisst", &out, NULL) == QGCAL_UNKNOWN_METHOD, "status");
  DONE_OUT_UNTOUCHED;
}
CASE(qgcal_method_schema, utf8, method) {
  qgcal_error *err = NULL;
  char *out = SENTINEL;
  EXPECT(qgcal_method_schema("events.\xe2\x82", &out, &err), QGCAL_INVALID_UTF8, "method", NULL);
  DONE_OUT_UNTOUCHED;
}
CASE(qgcal_method_schema, huge, method) {
  qgcal_error *err = NULL;
  char *out = SENTINEL;
  char *text = huge("events.", 'x', "");
  EXPECT(qgcal_method_schema(text, &out, &err), QGCAL_UNKNOWN_METHOD, "events.xxx", NULL);
  free(text);
  DONE_OUT_UNTOUCHED;
}
CASE(qgcal_method_schema, unknown_method, method) {
  qgcal_error *err = NULL;
  char *out = SENTINEL;
  EXPECT(qgcal_method_schema("events.lisst", &out, &err), QGCAL_UNKNOWN_METHOD, "events.lisst", "events.list");
  DONE_OUT_UNTOUCHED;
}

CASE(qgcal_list_each, null, client) {
  qgcal_error *err = NULL;
  EXPECT(qgcal_list_each(NULL, "events.list", LIST_PARAMS, 0, count_page, NULL, &err), QGCAL_NULL_ARGUMENT,
         "client", NULL);
  NO_PAGE;
}
CASE(qgcal_list_each, null, method) {
  DECLS;
  EXPECT(qgcal_list_each(c, NULL, LIST_PARAMS, 0, count_page, NULL, &err), QGCAL_NULL_ARGUMENT, "method", NULL);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, null, params_json) {
  DECLS;
  EXPECT(qgcal_list_each(c, "acl.list", NULL, 0, count_page, NULL, &err), QGCAL_INVALID_ARGUMENT, "calendarId",
         NULL);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, null, on_page) {
  DECLS;
  EXPECT(qgcal_list_each(c, "events.list", LIST_PARAMS, 0, NULL, NULL, &err), QGCAL_NULL_ARGUMENT, "on_page", NULL);
  DONE;
}
CASE(qgcal_list_each, null, userdata) {
  DECLS;
  /* NULL userdata is the host's business: the call goes on to its real problem. */
  EXPECT(qgcal_list_each(c, "events.instances", LIST_PARAMS, 0, count_page, NULL, &err), QGCAL_INVALID_ARGUMENT,
         "eventId", NULL);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, null, error_out) {
  DECLS;
  CHECK(qgcal_list_each(c, "colors.get", NULL, 0, count_page, NULL, NULL) == QGCAL_INVALID_ARGUMENT, "status");
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, utf8, method) {
  DECLS;
  EXPECT(qgcal_list_each(c, "\xc3", LIST_PARAMS, 0, count_page, NULL, &err), QGCAL_INVALID_UTF8, "method", NULL);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, utf8, params_json) {
  DECLS;
  EXPECT(qgcal_list_each(c, "events.list", BAD_UTF8, 0, count_page, NULL, &err), QGCAL_INVALID_UTF8, "params_json",
         NULL);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, huge, method) {
  DECLS;
  char *text = huge("acl.", 'a', "");
  EXPECT(qgcal_list_each(c, text, LIST_PARAMS, 0, count_page, NULL, &err), QGCAL_UNKNOWN_METHOD, "acl.aaa", NULL);
  free(text);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, huge, params_json) {
  DECLS;
  char *text = huge("{\"calendarId\": \"", '%', "\"}");
  EXPECT(qgcal_list_each(c, "events.list", text, 0, count_page, NULL, &err), QGCAL_INVALID_ARGUMENT, "calendarId",
         NULL);
  free(text);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, malformed, params_json) {
  DECLS;
  EXPECT(qgcal_list_each(c, "events.list", "{\"calendarId\": ", 0, count_page, NULL, &err), QGCAL_INVALID_JSON,
         "params_json", NULL);
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, wrong_type, params_json) {
  DECLS;
  EXPECT(qgcal_list_each(c, "events.list", "\"primary\"", 0, count_page, NULL, &err), QGCAL_INVALID_ARGUMENT,
         "parameters", "object");
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, unknown_method, method) {
  DECLS;
  EXPECT(qgcal_list_each(c, "calendars.list", NULL, 0, count_page, NULL, &err), QGCAL_UNKNOWN_METHOD,
         "calendars.list", NULL);
  err = NULL;
  /* A method that exists but answers no pages. */
  EXPECT(qgcal_list_each(c, "events.get", GET_PARAMS, 0, count_page, NULL, &err), QGCAL_INVALID_ARGUMENT,
         "events.get", "list method");
  NO_PAGE;
  DONE;
}
CASE(qgcal_list_each, missing_required, params_json) {
  DECLS;
  EXPECT(qgcal_list_each(c, "events.list", "{}", 0, count_page, NULL, &err), QGCAL_INVALID_ARGUMENT, "calendarId",
         NULL);
  NO_PAGE;
  DONE;
}

/* ---- the cases, run one per child ---- */

struct bad_case {
  const char *export_name;
  const char *kind;
  const char *param;
  void (*run)(void);
};
#define ENTRY(e, k, p) {#e, #k, #p, case_##e##__##k##__##p}

static const struct bad_case CASES[] = {
    ENTRY(qgcal_batch, null, client), ENTRY(qgcal_batch, null, requests_json),
    ENTRY(qgcal_batch, null, responses_json_out), ENTRY(qgcal_batch, null, error_out),
    ENTRY(qgcal_batch, utf8, requests_json), ENTRY(qgcal_batch, huge, requests_json),
    ENTRY(qgcal_batch, malformed, requests_json), ENTRY(qgcal_batch, wrong_type, requests_json),
    ENTRY(qgcal_batch, wrong_field_type, requests_json), ENTRY(qgcal_batch, unknown_method, requests_json),
    ENTRY(qgcal_batch, missing_required, requests_json),

    ENTRY(qgcal_batch_ex, null, client), ENTRY(qgcal_batch_ex, null, requests_json),
    ENTRY(qgcal_batch_ex, null, options_json), ENTRY(qgcal_batch_ex, null, responses_json_out),
    ENTRY(qgcal_batch_ex, null, error_out), ENTRY(qgcal_batch_ex, utf8, requests_json),
    ENTRY(qgcal_batch_ex, utf8, options_json), ENTRY(qgcal_batch_ex, huge, requests_json),
    ENTRY(qgcal_batch_ex, huge, options_json), ENTRY(qgcal_batch_ex, malformed, requests_json),
    ENTRY(qgcal_batch_ex, malformed, options_json), ENTRY(qgcal_batch_ex, wrong_type, requests_json),
    ENTRY(qgcal_batch_ex, wrong_type, options_json), ENTRY(qgcal_batch_ex, wrong_field_type, options_json),
    ENTRY(qgcal_batch_ex, out_of_range, options_json), ENTRY(qgcal_batch_ex, unknown_method, requests_json),

    ENTRY(qgcal_parse_notification, null, headers_json), ENTRY(qgcal_parse_notification, null, notification_json_out),
    ENTRY(qgcal_parse_notification, null, error_out), ENTRY(qgcal_parse_notification, utf8, headers_json),
    ENTRY(qgcal_parse_notification, huge, headers_json), ENTRY(qgcal_parse_notification, malformed, headers_json),
    ENTRY(qgcal_parse_notification, wrong_type, headers_json),
    ENTRY(qgcal_parse_notification, wrong_field_type, headers_json),
    ENTRY(qgcal_parse_notification, bad_value, headers_json),

    ENTRY(qgcal_call, null, client), ENTRY(qgcal_call, null, method), ENTRY(qgcal_call, null, params_json),
    ENTRY(qgcal_call, null, body_json), ENTRY(qgcal_call, null, response_json_out), ENTRY(qgcal_call, null, error_out),
    ENTRY(qgcal_call, utf8, method), ENTRY(qgcal_call, utf8, params_json), ENTRY(qgcal_call, utf8, body_json),
    ENTRY(qgcal_call, huge, method), ENTRY(qgcal_call, huge, params_json), ENTRY(qgcal_call, huge, body_json),
    ENTRY(qgcal_call, malformed, params_json), ENTRY(qgcal_call, malformed, body_json),
    ENTRY(qgcal_call, wrong_type, params_json), ENTRY(qgcal_call, wrong_field_type, params_json),
    ENTRY(qgcal_call, wrong_type, body_json), ENTRY(qgcal_call, unknown_method, method),
    ENTRY(qgcal_call, missing_required, params_json),

    ENTRY(qgcal_call_ex, null, client), ENTRY(qgcal_call_ex, null, method), ENTRY(qgcal_call_ex, null, params_json),
    ENTRY(qgcal_call_ex, null, body_json), ENTRY(qgcal_call_ex, null, options_json),
    ENTRY(qgcal_call_ex, null, response_json_out), ENTRY(qgcal_call_ex, null, error_out),
    ENTRY(qgcal_call_ex, utf8, method), ENTRY(qgcal_call_ex, utf8, params_json), ENTRY(qgcal_call_ex, utf8, body_json),
    ENTRY(qgcal_call_ex, utf8, options_json), ENTRY(qgcal_call_ex, huge, method),
    ENTRY(qgcal_call_ex, huge, params_json), ENTRY(qgcal_call_ex, huge, body_json),
    ENTRY(qgcal_call_ex, huge, options_json), ENTRY(qgcal_call_ex, malformed, params_json),
    ENTRY(qgcal_call_ex, malformed, body_json), ENTRY(qgcal_call_ex, malformed, options_json),
    ENTRY(qgcal_call_ex, wrong_type, params_json), ENTRY(qgcal_call_ex, wrong_type, body_json),
    ENTRY(qgcal_call_ex, wrong_type, options_json), ENTRY(qgcal_call_ex, wrong_field_type, options_json),
    ENTRY(qgcal_call_ex, header_injection, options_json), ENTRY(qgcal_call_ex, header_nul, options_json),
    ENTRY(qgcal_call_ex, unknown_method, method), ENTRY(qgcal_call_ex, missing_required, params_json),

    ENTRY(qgcal_methods, null, methods_json_out), ENTRY(qgcal_methods, null, error_out),

    ENTRY(qgcal_pager_new, null, client), ENTRY(qgcal_pager_new, null, method),
    ENTRY(qgcal_pager_new, null, params_json), ENTRY(qgcal_pager_new, null, pager_out),
    ENTRY(qgcal_pager_new, null, error_out), ENTRY(qgcal_pager_new, utf8, method),
    ENTRY(qgcal_pager_new, utf8, params_json), ENTRY(qgcal_pager_new, huge, method),
    ENTRY(qgcal_pager_new, huge, params_json), ENTRY(qgcal_pager_new, malformed, params_json),
    ENTRY(qgcal_pager_new, wrong_type, params_json), ENTRY(qgcal_pager_new, not_a_list, method),
    ENTRY(qgcal_pager_new, unknown_method, method), ENTRY(qgcal_pager_new, missing_required, params_json),
    ENTRY(qgcal_pager_next, null, pager), ENTRY(qgcal_pager_next, null, page_json_out),
    ENTRY(qgcal_pager_next, null, error_out), ENTRY(qgcal_pager_free, null, pager),

    ENTRY(qgcal_list_all, null, client), ENTRY(qgcal_list_all, null, method), ENTRY(qgcal_list_all, null, params_json),
    ENTRY(qgcal_list_all, null, items_json_out), ENTRY(qgcal_list_all, null, error_out),
    ENTRY(qgcal_list_all, utf8, method), ENTRY(qgcal_list_all, utf8, params_json), ENTRY(qgcal_list_all, huge, method),
    ENTRY(qgcal_list_all, huge, params_json), ENTRY(qgcal_list_all, malformed, params_json),
    ENTRY(qgcal_list_all, wrong_type, params_json), ENTRY(qgcal_list_all, wrong_field_type, params_json),
    ENTRY(qgcal_list_all, unknown_method, method), ENTRY(qgcal_list_all, missing_required, params_json),

    ENTRY(qgcal_sync, null, client), ENTRY(qgcal_sync, null, method), ENTRY(qgcal_sync, null, params_json),
    ENTRY(qgcal_sync, null, sync_token), ENTRY(qgcal_sync, null, result_json_out), ENTRY(qgcal_sync, null, error_out),
    ENTRY(qgcal_sync, utf8, method), ENTRY(qgcal_sync, utf8, params_json), ENTRY(qgcal_sync, utf8, sync_token),
    ENTRY(qgcal_sync, huge, method), ENTRY(qgcal_sync, huge, params_json), ENTRY(qgcal_sync, huge, sync_token),
    ENTRY(qgcal_sync, malformed, params_json), ENTRY(qgcal_sync, wrong_type, params_json),
    ENTRY(qgcal_sync, forbidden_with_token, params_json), ENTRY(qgcal_sync, unknown_method, method),
    ENTRY(qgcal_sync, missing_required, params_json),

    ENTRY(qgcal_sync_ex, null, client), ENTRY(qgcal_sync_ex, null, method), ENTRY(qgcal_sync_ex, null, params_json),
    ENTRY(qgcal_sync_ex, null, sync_token), ENTRY(qgcal_sync_ex, null, options_json),
    ENTRY(qgcal_sync_ex, null, result_json_out), ENTRY(qgcal_sync_ex, null, error_out),
    ENTRY(qgcal_sync_ex, utf8, method), ENTRY(qgcal_sync_ex, utf8, params_json), ENTRY(qgcal_sync_ex, utf8, sync_token),
    ENTRY(qgcal_sync_ex, utf8, options_json), ENTRY(qgcal_sync_ex, huge, method),
    ENTRY(qgcal_sync_ex, huge, params_json), ENTRY(qgcal_sync_ex, huge, sync_token),
    ENTRY(qgcal_sync_ex, huge, options_json), ENTRY(qgcal_sync_ex, malformed, params_json),
    ENTRY(qgcal_sync_ex, malformed, options_json), ENTRY(qgcal_sync_ex, wrong_type, params_json),
    ENTRY(qgcal_sync_ex, wrong_type, options_json), ENTRY(qgcal_sync_ex, wrong_field_type, options_json),
    ENTRY(qgcal_sync_ex, unknown_method, method), ENTRY(qgcal_sync_ex, missing_required, params_json),

    ENTRY(qgcal_client_new, null, config_json), ENTRY(qgcal_client_new, null, client_out),
    ENTRY(qgcal_client_new, null, error_out), ENTRY(qgcal_client_new, utf8, config_json),
    ENTRY(qgcal_client_new, huge, config_json), ENTRY(qgcal_client_new, huge_secret, config_json),
    ENTRY(qgcal_client_new, malformed, config_json), ENTRY(qgcal_client_new, wrong_type, config_json),
    ENTRY(qgcal_client_new, wrong_field_type, config_json), ENTRY(qgcal_client_new, secret_wrong_type, config_json),
    ENTRY(qgcal_client_new, secret_field_wrong_type, config_json), ENTRY(qgcal_client_new, bad_value, config_json),
    ENTRY(qgcal_client_free, null, client),

    ENTRY(qgcal_consent_start_local, null, client), ENTRY(qgcal_consent_start_local, null, options_json),
    ENTRY(qgcal_consent_start_local, null, consent_out), ENTRY(qgcal_consent_start_local, null, auth_url_out),
    ENTRY(qgcal_consent_start_local, null, error_out), ENTRY(qgcal_consent_start_local, utf8, options_json),
    ENTRY(qgcal_consent_start_local, huge, options_json), ENTRY(qgcal_consent_start_local, malformed, options_json),
    ENTRY(qgcal_consent_start_local, wrong_type, options_json),
    ENTRY(qgcal_consent_start_local, wrong_field_type, options_json),
    ENTRY(qgcal_consent_start_local, bad_value, options_json), ENTRY(qgcal_consent_start_local, no_client_id, client),
    ENTRY(qgcal_consent_wait, null, consent), ENTRY(qgcal_consent_wait, null, token_json_out),
    ENTRY(qgcal_consent_wait, null, error_out), ENTRY(qgcal_consent_cancel, null, consent),
    ENTRY(qgcal_consent_cancel, null, error_out), ENTRY(qgcal_consent_free, null, consent),
    ENTRY(qgcal_consent_start_external, null, client), ENTRY(qgcal_consent_start_external, null, options_json),
    ENTRY(qgcal_consent_start_external, null, auth_url_out), ENTRY(qgcal_consent_start_external, null, session_json_out),
    ENTRY(qgcal_consent_start_external, null, error_out), ENTRY(qgcal_consent_start_external, utf8, options_json),
    ENTRY(qgcal_consent_start_external, huge, options_json),
    ENTRY(qgcal_consent_start_external, malformed, options_json),
    ENTRY(qgcal_consent_start_external, wrong_type, options_json),
    ENTRY(qgcal_consent_start_external, wrong_field_type, options_json),
    ENTRY(qgcal_consent_start_external, missing_required, options_json),
    ENTRY(qgcal_consent_start_external, bad_value, options_json),
    ENTRY(qgcal_consent_complete, null, client), ENTRY(qgcal_consent_complete, null, session_json),
    ENTRY(qgcal_consent_complete, null, callback_url), ENTRY(qgcal_consent_complete, null, token_json_out),
    ENTRY(qgcal_consent_complete, null, error_out), ENTRY(qgcal_consent_complete, utf8, session_json),
    ENTRY(qgcal_consent_complete, utf8, callback_url), ENTRY(qgcal_consent_complete, huge, session_json),
    ENTRY(qgcal_consent_complete, huge, callback_url), ENTRY(qgcal_consent_complete, malformed, session_json),
    ENTRY(qgcal_consent_complete, wrong_type, session_json),
    ENTRY(qgcal_consent_complete, missing_required, session_json),
    ENTRY(qgcal_consent_complete, wrong_state, callback_url), ENTRY(qgcal_consent_complete, not_a_url, callback_url),

    ENTRY(qgcal_error_status, null, error), ENTRY(qgcal_error_message, null, error),
    ENTRY(qgcal_error_http_status, null, error), ENTRY(qgcal_error_reason, null, error),
    ENTRY(qgcal_error_free, null, error), ENTRY(qgcal_string_free, null, s), ENTRY(qgcal_version, call, none),
    ENTRY(qgcal_status_name, out_of_range, status), ENTRY(qgcal_shutdown, null, error_out),

    ENTRY(qgcal_client_set_token_callback, null, client), ENTRY(qgcal_client_set_token_callback, null, callback),
    ENTRY(qgcal_client_set_token_callback, null, userdata), ENTRY(qgcal_client_set_token_callback, null, drop),
    ENTRY(qgcal_client_set_token_callback, null, error_out), ENTRY(qgcal_client_token, null, client),
    ENTRY(qgcal_client_token, null, token_json_out), ENTRY(qgcal_client_token, null, error_out),
    ENTRY(qgcal_client_token, no_token, client), ENTRY(qgcal_client_refresh, null, client),
    ENTRY(qgcal_client_refresh, null, token_json_out), ENTRY(qgcal_client_refresh, null, error_out),
    ENTRY(qgcal_client_refresh, no_refresh_token, client), ENTRY(qgcal_client_revoke, null, client),
    ENTRY(qgcal_client_revoke, null, error_out),
    ENTRY(qgcal_set_log_callback, null, callback), ENTRY(qgcal_set_log_callback, null, userdata),
    ENTRY(qgcal_set_log_callback, null, drop), ENTRY(qgcal_set_log_callback, null, error_out),
    ENTRY(qgcal_set_log_callback, bad_value, level), ENTRY(qgcal_client_set_log_callback, null, client),
    ENTRY(qgcal_client_set_log_callback, null, callback), ENTRY(qgcal_client_set_log_callback, null, userdata),
    ENTRY(qgcal_client_set_log_callback, null, drop), ENTRY(qgcal_client_set_log_callback, null, error_out),
    ENTRY(qgcal_client_set_log_callback, bad_value, level), ENTRY(qgcal_client_id, null, client),
    ENTRY(qgcal_stats, null, stats_json_out), ENTRY(qgcal_stats, null, error_out),
    ENTRY(qgcal_client_stats, null, client), ENTRY(qgcal_client_stats, null, stats_json_out),
    ENTRY(qgcal_client_stats, null, error_out), ENTRY(qgcal_method_schema, null, method),
    ENTRY(qgcal_method_schema, null, schema_json_out), ENTRY(qgcal_method_schema, null, error_out),
    ENTRY(qgcal_method_schema, utf8, method), ENTRY(qgcal_method_schema, huge, method),
    ENTRY(qgcal_method_schema, unknown_method, method), ENTRY(qgcal_list_each, null, client),
    ENTRY(qgcal_list_each, null, method), ENTRY(qgcal_list_each, null, params_json),
    ENTRY(qgcal_list_each, null, on_page), ENTRY(qgcal_list_each, null, userdata),
    ENTRY(qgcal_list_each, null, error_out), ENTRY(qgcal_list_each, utf8, method),
    ENTRY(qgcal_list_each, utf8, params_json), ENTRY(qgcal_list_each, huge, method),
    ENTRY(qgcal_list_each, huge, params_json), ENTRY(qgcal_list_each, malformed, params_json),
    ENTRY(qgcal_list_each, wrong_type, params_json), ENTRY(qgcal_list_each, unknown_method, method),
    ENTRY(qgcal_list_each, missing_required, params_json),
};
#define CASE_COUNT (sizeof CASES / sizeof CASES[0])

/* ---- completeness against the header ---- */

static int has_case(const char *export_name, const char *kind, const char *param) {
  for (size_t i = 0; i < CASE_COUNT; i++)
    if (strcmp(CASES[i].export_name, export_name) == 0 && (!kind || strcmp(CASES[i].kind, kind) == 0) &&
        (!param || strcmp(CASES[i].param, param) == 0))
      return 1;
  return 0;
}

static int missing = 0;
static void require(const char *export_name, const char *kind, const char *param) {
  if (!has_case(export_name, kind, param)) {
    fprintf(stderr, "MISSING: %s has no `%s` case for `%s`\n", export_name, kind, param);
    missing++;
  }
}

/* Reads the header's function declarations and checks each has the cases its parameters call for.
 * Answers how many exports it found. */
static int check_completeness(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "cannot open the header %s (set QGCAL_HEADER)", path);
  static char text[1 << 20];
  size_t len = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[len] = '\0';
  int exports = 0;
  static char names[128][64];
  for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    /* Declarations start in the first column; comments, typedefs and the extern "C" block do not count. */
    if (!isalpha((unsigned char)*line) || strncmp(line, "typedef", 7) == 0 || strncmp(line, "extern", 6) == 0) continue;
    char *paren = strchr(line, '(');
    char *eol = strchr(line, '\n');
    if (!paren || (eol && paren > eol)) continue;
    char *start = paren;
    while (start > line && (isalnum((unsigned char)start[-1]) || start[-1] == '_')) start--;
    if (strncmp(start, "qgcal_", 6) != 0) continue;
    char name[64];
    size_t n = (size_t)(paren - start);
    CHECK(n < sizeof name, "a long name");
    memcpy(name, start, n);
    name[n] = '\0';
    char *close = strstr(paren, ");");
    CHECK(close != NULL, "unterminated declaration of %s", name);
    CHECK(exports < 128, "too many exports");
    strcpy(names[exports++], name);
    if (!has_case(name, NULL, NULL)) {
      fprintf(stderr, "MISSING: %s has no case at all\n", name);
      missing++;
    }
    int has_method = 0, has_params = 0;
    /* Each parameter: `type name`, comma-separated. */
    for (char *p = paren + 1; p < close;) {
      char *end = p;
      while (end < close && *end != ',') end++;
      char param[256];
      size_t plen = (size_t)(end - p);
      CHECK(plen < sizeof param, "a long parameter");
      memcpy(param, p, plen);
      param[plen] = '\0';
      p = end + 1;
      char *last = param + strlen(param);
      while (last > param && isspace((unsigned char)last[-1])) *--last = '\0';
      char *pname = last;
      while (pname > param && (isalnum((unsigned char)pname[-1]) || pname[-1] == '_')) pname--;
      if (strcmp(pname, "void") == 0 || !*pname) continue;
      int pointer = strchr(param, '*') != NULL || strstr(param, "_callback ") != NULL;
      int string = strstr(param, "const char *") != NULL;
      size_t nl = strlen(pname);
      if (pointer) require(name, "null", pname);
      if (string) {
        require(name, "utf8", pname);
        require(name, "huge", pname);
        if (nl > 5 && strcmp(pname + nl - 5, "_json") == 0) {
          require(name, "malformed", pname);
          require(name, "wrong_type", pname);
        }
      }
      if (strcmp(pname, "method") == 0) has_method = 1;
      if (strcmp(pname, "params_json") == 0) has_params = 1;
    }
    if (has_method) require(name, "unknown_method", "method");
    if (has_method && has_params) require(name, "missing_required", "params_json");
  }
  /* And no case for an export the header no longer has. */
  for (size_t i = 0; i < CASE_COUNT; i++) {
    int found = 0;
    for (int j = 0; j < exports; j++) found |= strcmp(names[j], CASES[i].export_name) == 0;
    if (!found) {
      fprintf(stderr, "STALE: a case for %s, which the header does not declare\n", CASES[i].export_name);
      missing++;
    }
  }
  return exports;
}

/* ---- main: one child per case ---- */

/* The threads of this process, from /proc/self/status. */
static int thread_count(void) {
  FILE *f = fopen("/proc/self/status", "r");
  CHECK(f != NULL, "/proc/self/status");
  char line[256];
  int threads = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "Threads:", 8) == 0) threads = atoi(line + 8);
  fclose(f);
  return threads;
}

int main(void) {
  const char *header = getenv("QGCAL_HEADER");
  CHECK(header != NULL, "QGCAL_HEADER must name include/qorus_gcal.h");

  /* A port that is bound but never listens: a connection to it is refused at once. */
  int dead = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t addr_len = sizeof addr;
  CHECK(dead >= 0 && bind(dead, (struct sockaddr *)&addr, sizeof addr) == 0 &&
            getsockname(dead, (struct sockaddr *)&addr, &addr_len) == 0,
        "bind a dead port");
  int port = ntohs(addr.sin_port);
  const char *endpoints =
      "\"endpoints\": {\"auth_url\": \"http://127.0.0.1:%d/auth\", \"token_url\": \"http://127.0.0.1:%d/token\", "
      "\"revoke_url\": \"http://127.0.0.1:%d/revoke\", \"api_base_url\": \"http://127.0.0.1:%d/calendar/v3/\", "
      "\"batch_url\": \"http://127.0.0.1:%d/batch\"}, \"retry\": {\"max_attempts\": 2, \"base_delay_ms\": 1, "
      "\"max_delay_ms\": 5}";
  char ep[700];
  snprintf(ep, sizeof ep, endpoints, port, port, port, port, port);
  snprintf(config_json, sizeof config_json,
           "{\"client_id\": \"bad-input-client\", \"client_secret\": \"%s\", \"token\": {\"access_token\": \"%s\", "
           "\"refresh_token\": \"%s\"}, %s}",
           SECRETS[0], SECRETS[1], SECRETS[2], ep);
  snprintf(no_token_config_json, sizeof no_token_config_json, "{%s}", ep);

  int exports = check_completeness(header);

  /* One client made and freed here builds the process's TLS configuration (the system's roots, read once
   * per process), which every child then inherits instead of building its own: under valgrind that was
   * most of each case's time. Making a client starts no thread, so the children of this still
   * single-threaded parent start their own runtimes. */
  qgcal_client *warm = client_from(config_json);
  qgcal_client_free(warm);
  CHECK(thread_count() == 1, "the parent has %d threads before forking", thread_count());

  /* A case that takes longer has hung. Under valgrind (its preload library is in LD_PRELOAD) everything
   * runs some 20-50 times slower. QGCAL_CASES=TEXT runs only the cases whose names contain TEXT. */
  const char *preload = getenv("LD_PRELOAD");
  int valgrind = preload && strstr(preload, "vgpreload") != NULL;
  unsigned hang_s = valgrind ? 300 : 60;
  if (valgrind) {
    huge_len = 1024u * 1024u;
    printf("bad_input: under valgrind, so the huge strings are 1 MB instead of 10 MB\n");
  }
  const char *only = getenv("QGCAL_CASES");
  int failed = 0, crashed = 0, skipped = 0;
  for (size_t i = 0; i < CASE_COUNT; i++) {
    const struct bad_case *c = &CASES[i];
    char full[200];
    snprintf(full, sizeof full, "%s %s:%s", c->export_name, c->kind, c->param);
    if (only && !strstr(full, only)) {
      skipped++;
      continue;
    }
    fflush(stdout);
    fflush(stderr);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      alarm(hang_s); /* a hang ends the child with SIGALRM: counted, never stuck */
      c->run();
      exit(0);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > 5) fprintf(stderr, "SLOW: %s %s:%s took %.1f s\n", c->export_name, c->kind, c->param, secs);
    if (WIFSIGNALED(status)) {
      fprintf(stderr, "CRASH: %s %s:%s died of signal %d%s\n", c->export_name, c->kind, c->param, WTERMSIG(status),
              WTERMSIG(status) == SIGALRM ? " (a hang)" : "");
      crashed++;
    } else if (WEXITSTATUS(status) != 0) {
      fprintf(stderr, "FAILED: %s %s:%s\n", c->export_name, c->kind, c->param);
      failed++;
    } else {
      harness_checks++;
    }
  }
  printf("bad_input: %d exports, %zu cases, each in a child: %d passed, %d failed, %d crashed or hung, %d not "
         "selected; %d missing\n",
         exports, CASE_COUNT, (int)CASE_COUNT - failed - crashed - skipped, failed, crashed, skipped, missing);
  CHECK(skipped == 0, "QGCAL_CASES left %d cases out: a partial run never passes", skipped);
  CHECK(missing == 0, "%d cases missing: every export and parameter needs its cases", missing);
  CHECK(failed == 0 && crashed == 0, "%d cases failed, %d crashed or hung", failed, crashed);
  close(dead);
  return harness_done("bad_input");
}
