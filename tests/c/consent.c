/* OAuth from C against the emulator: local-server consent (this program plays the browser), the token
 * callback and its drop, a Calendar call with the new token, external-redirect consent, refresh, revoke,
 * and bad input. The Rust test passes the client config in QGCAL_TEST_CONFIG. */
#include "harness.h"
#include "http_get.h"

static int callback_calls = 0;
static int drop_calls = 0;
static char last_token[4096];

static void on_token(void *userdata, const char *token_json) {
  CHECK(userdata == (void *)&callback_calls, "userdata passed through");
  callback_calls++;
  snprintf(last_token, sizeof last_token, "%s", token_json);
}

static void on_drop(void *userdata) {
  CHECK(userdata == (void *)&callback_calls, "userdata passed to drop");
  drop_calls++;
}

int main(void) {
  const char *config = getenv("QGCAL_TEST_CONFIG");
  CHECK(config != NULL, "QGCAL_TEST_CONFIG is not set");
  qgcal_client *client = NULL;
  qgcal_error *err = NULL;
  CHECK(qgcal_client_new(config, &client, &err) == QGCAL_OK, "client: %s", err ? qgcal_error_message(err) : "");
  CHECK(qgcal_client_set_token_callback(client, on_token, &callback_calls, on_drop, NULL) == QGCAL_OK, "callback");

  /* No token yet: calls ask for consent. */
  char *out = NULL;
  qgcal_status st = qgcal_call(client, "colors.get", NULL, NULL, &out, &err);
  expect_error(st, err, QGCAL_CONSENT_REQUIRED, "consent");
  err = NULL;

  /* Local-server consent, the browser played by http_get. */
  qgcal_consent *consent = NULL;
  char *auth_url = NULL;
  st = qgcal_consent_start_local(client, "{\"login_hint\": \"user@example.com\"}", &consent, &auth_url, &err);
  CHECK(st == QGCAL_OK, "start local: %s", err ? qgcal_error_message(err) : "");
  CHECK(strstr(auth_url, "code_challenge_method=S256") != NULL, "PKCE in %s", auth_url);
  CHECK(strstr(auth_url, "access_type=offline") != NULL, "offline in %s", auth_url);
  char location[4096];
  CHECK(http_get(auth_url, location, sizeof location) == 302, "consent page redirects");
  CHECK(strncmp(location, "http://127.0.0.1:", 17) == 0, "redirect to the listener: %s", location);
  char stray[4096];
  snprintf(stray, sizeof stray, "%.*s?code=x&state=forged", (int)strcspn(location, "?"), location);
  CHECK(http_get(stray, NULL, 0) == 400, "a wrong state is refused without giving up");
  CHECK(http_get(location, NULL, 0) == 200, "the listener answers the browser");
  char *token = NULL;
  st = qgcal_consent_wait(consent, 10000, &token, &err);
  CHECK(st == QGCAL_OK, "wait: %s", err ? qgcal_error_message(err) : "");
  CHECK(strstr(token, "\"refresh_token\"") != NULL && strstr(token, "\"expires_at\"") != NULL, "token %s", token);
  CHECK(callback_calls == 1, "callback fired once, not %d", callback_calls);
  CHECK(strcmp(last_token, token) == 0, "the callback saw the same token");
  CHECK(http_get(location, NULL, 0) == 0, "the listener closed after success");
  qgcal_string_free(token);
  qgcal_string_free(auth_url);
  qgcal_consent_free(consent);

  /* The token works for a Calendar call. */
  st = qgcal_call(client, "calendarList.list", NULL, NULL, &out, &err);
  CHECK(st == QGCAL_OK, "call: %s", err ? qgcal_error_message(err) : "");
  CHECK(strstr(out, "user@example.com") != NULL, "calendar list %s", out);
  qgcal_string_free(out);

  /* Token, refresh. */
  char *current = NULL;
  CHECK(qgcal_client_token(client, &current, NULL) == QGCAL_OK, "token");
  qgcal_string_free(current);
  CHECK(callback_calls == 1, "a valid token is not renewed");
  CHECK(qgcal_client_refresh(client, &current, NULL) == QGCAL_OK, "refresh");
  CHECK(callback_calls == 2, "a refresh is a new token");
  qgcal_string_free(current);

  /* Timeout and cancel. */
  st = qgcal_consent_start_local(client, NULL, &consent, &auth_url, NULL);
  CHECK(st == QGCAL_OK, "start again");
  st = qgcal_consent_wait(consent, 30, &token, &err);
  expect_error(st, err, QGCAL_TIMEOUT, "browser");
  err = NULL;
  qgcal_string_free(auth_url);
  qgcal_consent_free(consent);
  st = qgcal_consent_start_local(client, NULL, &consent, &auth_url, NULL);
  CHECK(qgcal_consent_cancel(consent, NULL) == QGCAL_OK, "cancel");
  st = qgcal_consent_wait(consent, 0, &token, &err);
  expect_error(st, err, QGCAL_CANCELLED, "cancelled");
  err = NULL;
  qgcal_string_free(auth_url);
  qgcal_consent_free(consent);

  /* External redirect: the host keeps the session; the "relay" hands back the callback URL. */
  char *session = NULL;
  st = qgcal_consent_start_external(client, "{\"redirect_uri\": \"http://127.0.0.1:9/relay\"}", &auth_url, &session,
                                    &err);
  CHECK(st == QGCAL_OK, "start external: %s", err ? qgcal_error_message(err) : "");
  CHECK(strstr(session, "code_verifier") != NULL, "session carries the verifier");
  CHECK(http_get(auth_url, location, sizeof location) == 302, "consent page");
  st = qgcal_consent_complete(client, session, "code=x&state=forged", &token, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "state");
  err = NULL;
  st = qgcal_consent_complete(client, session, location, &token, &err);
  CHECK(st == QGCAL_OK, "complete: %s", err ? qgcal_error_message(err) : "");
  CHECK(callback_calls == 3, "external consent is a new token");
  qgcal_string_free(token);
  qgcal_string_free(session);
  qgcal_string_free(auth_url);

  /* Bad input. */
  st = qgcal_consent_start_local(NULL, NULL, &consent, &auth_url, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "client");
  err = NULL;
  st = qgcal_consent_start_local(client, "{\"prot\": 1}", &consent, &auth_url, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "prot");
  err = NULL;
  st = qgcal_consent_start_local(client, "{", &consent, &auth_url, &err);
  expect_error(st, err, QGCAL_INVALID_JSON, "options");
  err = NULL;
  st = qgcal_consent_wait(NULL, 1, &token, &err);
  expect_error(st, err, QGCAL_NULL_ARGUMENT, "consent");
  err = NULL;
  st = qgcal_consent_complete(client, "{}", "code=1", &token, &err);
  expect_error(st, err, QGCAL_INVALID_ARGUMENT, "session");
  err = NULL;
  qgcal_consent_free(NULL);

  /* Revoke: the grant dies and calls need consent again. */
  CHECK(qgcal_client_revoke(client, NULL) == QGCAL_OK, "revoke");
  st = qgcal_client_token(client, &current, &err);
  expect_error(st, err, QGCAL_CONSENT_REQUIRED, "consent");

  CHECK(drop_calls == 0, "drop not called while the callback is installed");
  qgcal_client_free(client);
  /* Consent listeners still winding down may hold the client a moment; shutdown drains them. */
  CHECK(qgcal_shutdown(NULL) == QGCAL_OK, "shutdown");
  CHECK(drop_calls == 1, "drop called once after the client is freed, not %d", drop_calls);
  return harness_done("consent");
}
