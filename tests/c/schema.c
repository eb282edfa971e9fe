/* qgcal_method_schema from C: a method's typed description, and bad calls answered with their own
 * status and a message naming the problem. Needs no client and no network. */
#include "harness.h"

int main(void) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st;

  st = qgcal_method_schema("events.insert", &out, &err);
  CHECK(st == QGCAL_OK && out != NULL, "events.insert: %s", err ? qgcal_error_message(err) : "");
  CHECK(strstr(out, "\"id\":\"events.insert\"") != NULL, "id in %.200s", out);
  CHECK(strstr(out, "\"ref\":\"EventDateTime\"") != NULL, "resolved $ref");
  CHECK(strstr(out, "\"required\":true") != NULL, "required flags");
  qgcal_string_free(out);
  out = NULL;

  /* the calendar. prefix is accepted, as everywhere */
  st = qgcal_method_schema("calendar.colors.get", &out, &err);
  CHECK(st == QGCAL_OK && strstr(out, "\"request\":null") != NULL, "colors.get has no body: %s", out ? out : "");
  qgcal_string_free(out);
  out = NULL;

  st = qgcal_method_schema("events.lisst", &out, &err);
  expect_error(st, err, QGCAL_UNKNOWN_METHOD, "events.list");
  CHECK(out == NULL, "no output on failure");
  err = NULL;
  st = qgcal_method_schema("", &out, &err);
  expect_error(st, err, QGCAL_UNKNOWN_METHOD, "''");
  err = NULL;
  st = qgcal_method_schema(NULL, &out, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "method");
  err = NULL;
  st = qgcal_method_schema("events.get", NULL, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "schema_json_out");
  err = NULL;
  st = qgcal_method_schema("events.\xff", &out, &err);
  expect_error(st, err, QGCAL_INVALID_UTF8, "method");
  err = NULL;
  /* a NULL error_out still answers the status */
  CHECK(qgcal_method_schema(NULL, &out, NULL) == QGCAL_NULL_ARGUMENT, "NULL error_out");

  return harness_done("schema");
}
