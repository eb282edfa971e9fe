/* Many host threads on shared and separate clients against the emulator, then fork() after use, then
 * qgcal_shutdown with calls in flight.
 *
 * 1. QGCAL_CONC_THREADS threads (16) x QGCAL_CONC_CALLS mixed calls (2000): inserts, patches, deletes, gets,
 *    lists and token reads. Half the threads share one client, the others have one each; every client starts
 *    from a refresh token only, and the emulator's access tokens live a few seconds, so tokens are refreshed
 *    again and again while calls are in flight. Every answer is checked, then the calendar's final state
 *    against what each thread did; the token callbacks are counted ("refreshes: N") for the Rust side to
 *    compare with the token requests the emulator saw.
 * 2. fork() after all that: the child's calls answer QGCAL_FORKED at once (the runtime's threads are gone).
 * 3. Threads call a method the emulator answers only after seconds; qgcal_shutdown meanwhile: every call
 *    returns (cancelled, shut down, or done), within an alarm, and later calls answer QGCAL_SHUT_DOWN.
 *
 * Env (from tests/c_harness.rs): QGCAL_TEST_CONFIG (a config without token), QGCAL_TEST_REFRESH_TOKENS
 * (comma-separated, one per client: the shared one first), QGCAL_SLOW_CALENDAR (a calendar whose calls
 * the emulator delays). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define MAX_THREADS 64
#define MAX_EVENTS 4096

static int threads_n = 16;
static int calls_n = 2000;
static const char *base_config;
static char refresh_tokens[MAX_THREADS + 1][128];
static int refresh_token_count = 0;
/* Counted with the compilers' __atomic builtins: <stdatomic.h> is not C++17. */
static int refreshes = 0;
static int drops = 0;

static void on_token(void *userdata, const char *token_json) {
  (void)userdata;
  /* Every token the host is handed carries an access token (and keeps the refresh token). */
  if (strstr(token_json, "\"access_token\":\"") && strstr(token_json, "\"refresh_token\":\""))
    __atomic_fetch_add(&refreshes, 1, __ATOMIC_SEQ_CST);
  else
    fprintf(stderr, "a token without its parts: %s\n", token_json);
}
static void on_drop(void *userdata) {
  (void)userdata;
  __atomic_fetch_add(&drops, 1, __ATOMIC_SEQ_CST);
}

static qgcal_client *make_client(const char *refresh_token) {
  char config[4096];
  /* The base config is an object: put the token in front of its keys. */
  snprintf(config, sizeof config, "{\"token\": {\"refresh_token\": \"%s\"}, \"refresh_skew_ms\": 1000, %s",
           refresh_token, base_config + 1);
  qgcal_client *client = NULL;
  qgcal_error *err = NULL;
  CHECK(qgcal_client_new(config, &client, &err) == QGCAL_OK, "client: %s", err ? qgcal_error_message(err) : "");
  CHECK(qgcal_client_set_token_callback(client, on_token, NULL, on_drop, NULL) == QGCAL_OK, "callback");
  return client;
}

/* What one thread knows its events to be. */
struct event {
  char id[32];
  char summary[48];
  int present;
};

struct worker {
  int index;
  qgcal_client *client;
  struct event events[MAX_EVENTS];
  int count;
  char failure[512];
  unsigned seed;
  int done_calls;
};

#define WCHECK(cond, ...)                                                   \
  do {                                                                      \
    if (!(cond)) {                                                          \
      snprintf(w->failure, sizeof w->failure, __VA_ARGS__);                 \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static unsigned next_random(unsigned *seed) {
  *seed = *seed * 1103515245u + 12345u;
  return (*seed >> 8) & 0xffffff;
}

/* A present event of this worker, or -1. */
static int pick_present(struct worker *w) {
  if (w->count == 0) return -1;
  int start = (int)(next_random(&w->seed) % (unsigned)w->count);
  for (int k = 0; k < w->count; k++) {
    int i = (start + k) % w->count;
    if (w->events[i].present) return i;
  }
  return -1;
}

static void *work(void *arg) {
  struct worker *w = (struct worker *)arg;
  char params[256], body[256], want[96];
  for (int i = 0; i < calls_n; i++) {
    char *out = NULL;
    qgcal_error *err = NULL;
    qgcal_status st;
    int op = i % 10;
    int e = (op == 3 || op == 4 || (op >= 5 && op <= 7)) ? pick_present(w) : 0;
    if (e < 0) op = 0;
    if (op <= 2) {
      WCHECK(w->count < MAX_EVENTS, "too many events");
      struct event *ev = &w->events[w->count];
      snprintf(ev->id, sizeof ev->id, "t%02dn%05d", w->index, w->count);
      snprintf(ev->summary, sizeof ev->summary, "s-%d-%d", w->index, i);
      snprintf(body, sizeof body,
               "{\"id\": \"%s\", \"summary\": \"%s\", \"start\": {\"dateTime\": \"2026-04-01T10:00:00Z\"}, "
               "\"end\": {\"dateTime\": \"2026-04-01T11:00:00Z\"}}",
               ev->id, ev->summary);
      st = qgcal_call(w->client, "events.insert", "{\"calendarId\": \"primary\"}", body, &out, &err);
      WCHECK(st == QGCAL_OK, "insert %s: %s %s", ev->id, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
      snprintf(want, sizeof want, "\"summary\":\"%s\"", ev->summary);
      WCHECK(strstr(out, want) && strstr(out, ev->id), "insert answered %s", out);
      ev->present = 1;
      w->count++;
    } else if (op == 3) {
      struct event *ev = &w->events[e];
      snprintf(ev->summary, sizeof ev->summary, "p-%d-%d", w->index, i);
      snprintf(params, sizeof params, "{\"calendarId\": \"primary\", \"eventId\": \"%s\"}", ev->id);
      snprintf(body, sizeof body, "{\"summary\": \"%s\"}", ev->summary);
      st = qgcal_call(w->client, "events.patch", params, body, &out, &err);
      WCHECK(st == QGCAL_OK, "patch %s: %s %s", ev->id, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
      snprintf(want, sizeof want, "\"summary\":\"%s\"", ev->summary);
      WCHECK(strstr(out, want), "patch answered %s", out);
    } else if (op == 4) {
      struct event *ev = &w->events[e];
      snprintf(params, sizeof params, "{\"calendarId\": \"primary\", \"eventId\": \"%s\"}", ev->id);
      st = qgcal_call(w->client, "events.delete", params, NULL, &out, &err);
      WCHECK(st == QGCAL_OK, "delete %s: %s %s", ev->id, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
      WCHECK(strcmp(out, "{}") == 0, "delete answered %s", out);
      ev->present = 0;
    } else if (op <= 7) {
      struct event *ev = &w->events[e];
      snprintf(params, sizeof params, "{\"calendarId\": \"primary\", \"eventId\": \"%s\"}", ev->id);
      st = qgcal_call(w->client, "events.get", params, NULL, &out, &err);
      WCHECK(st == QGCAL_OK, "get %s: %s %s", ev->id, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
      snprintf(want, sizeof want, "\"summary\":\"%s\"", ev->summary);
      WCHECK(strstr(out, want), "get %s answered %s, want %s", ev->id, out, want);
    } else if (op == 8) {
      st = qgcal_call(w->client, "events.list", "{\"calendarId\": \"primary\", \"maxResults\": 3}", NULL, &out, &err);
      WCHECK(st == QGCAL_OK, "list: %s %s", qgcal_status_name(st), err ? qgcal_error_message(err) : "");
      WCHECK(strstr(out, "\"kind\":\"calendar#events\""), "list answered %.200s", out);
    } else if (i % 20 == 9) {
      st = qgcal_client_token(w->client, &out, &err);
      WCHECK(st == QGCAL_OK, "token: %s %s", qgcal_status_name(st), err ? qgcal_error_message(err) : "");
      WCHECK(strstr(out, "\"access_token\":\""), "token answered without an access token");
    } else {
      st = qgcal_call(w->client, "calendarList.get", "{\"calendarId\": \"primary\"}", NULL, &out, &err);
      WCHECK(st == QGCAL_OK, "calendarList.get: %s %s", qgcal_status_name(st), err ? qgcal_error_message(err) : "");
      WCHECK(strstr(out, "\"accessRole\":\"owner\""), "calendarList.get answered %.200s", out);
    }
    qgcal_string_free(out);
    w->done_calls++;
  }
  return NULL;
}

/* The calendar holds exactly the present events of every worker, with their last summaries. */
static void check_final_state(qgcal_client *client, struct worker *workers) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_list_all(
      client, "events.list",
      "{\"calendarId\": \"primary\", \"maxResults\": 2500, \"fields\": \"items(id,summary),nextPageToken\"}", 0, &out,
      &err);
  CHECK(st == QGCAL_OK, "list_all: %s %s", qgcal_status_name(st), err ? qgcal_error_message(err) : "");
  int listed = 0, present = 0;
  for (const char *p = strstr(out, "{\"id\":\"t"); p; p = strstr(p + 1, "{\"id\":\"t")) listed++;
  for (int t = 0; t < threads_n; t++) {
    for (int i = 0; i < workers[t].count; i++) {
      struct event *ev = &workers[t].events[i];
      char want[128];
      snprintf(want, sizeof want, "{\"id\":\"%s\",\"summary\":\"%s\"}", ev->id, ev->summary);
      if (ev->present) {
        present++;
        CHECK(strstr(out, want) != NULL, "%s is missing or has another summary than %s", ev->id, ev->summary);
      } else {
        snprintf(want, sizeof want, "{\"id\":\"%s\"", ev->id);
        CHECK(strstr(out, want) == NULL, "deleted %s is still listed", ev->id);
      }
    }
  }
  CHECK(listed == present, "%d events listed, %d expected: a duplicate or a stray", listed, present);
  printf("final state: %d events, as the threads left them\n", present);
  qgcal_string_free(out);
}

/* What the forked child found: 0 when all went as it should, else the step that did not. */
static int child_checks(qgcal_client *client) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_call(client, "colors.get", NULL, NULL, &out, &err);
  if (st != QGCAL_FORKED || !err || !strstr(qgcal_error_message(err), "fork")) return 1;
  qgcal_error_free(err);
  err = NULL;
  if (qgcal_client_token(client, &out, &err) != QGCAL_FORKED) return 2;
  qgcal_error_free(err);
  if (qgcal_shutdown(NULL) != QGCAL_FORKED) return 3;
  /* A client made in the child cannot call either. */
  qgcal_client *fresh = NULL;
  st = qgcal_client_new("{}", &fresh, NULL);
  if (st == QGCAL_OK) {
    if (qgcal_call(fresh, "colors.get", NULL, NULL, &out, NULL) != QGCAL_FORKED) return 4;
    qgcal_client_free(fresh);
  } else if (st != QGCAL_FORKED) {
    return 5;
  }
  return 0;
}

/* The child of a process that used the library: every call answers QGCAL_FORKED, at once. The child
 * reports through a pipe and leaves by SIGKILL: its copy of the parent's memory belongs to threads fork
 * left behind, which a leak checker at its exit would count as lost. */
static void check_fork(qgcal_client *client) {
  int pipe_fds[2];
  CHECK(pipe(pipe_fds) == 0, "pipe");
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    alarm(20);
    unsigned char result = (unsigned char)child_checks(client);
    if (write(pipe_fds[1], &result, 1) != 1) result = 99;
    raise(SIGKILL);
  }
  close(pipe_fds[1]);
  unsigned char result = 255;
  ssize_t got = read(pipe_fds[0], &result, 1);
  close(pipe_fds[0]);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  CHECK(got == 1 && result == 0, "the forked child: step %d went wrong (%s)", result,
        got == 1 ? "see concurrency.c child_checks" : "it died before reporting");
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child ended otherwise");
  /* The parent carries on. */
  char *out = NULL;
  CHECK(qgcal_call(client, "colors.get", NULL, NULL, &out, NULL) == QGCAL_OK, "the parent after fork");
  qgcal_string_free(out);
}

struct slow_call {
  qgcal_client *client;
  qgcal_status status;
  int started;
};

static void *slow(void *arg) {
  struct slow_call *s = (struct slow_call *)arg;
  char params[256];
  snprintf(params, sizeof params, "{\"calendarId\": \"%s\"}", getenv("QGCAL_SLOW_CALENDAR"));
  char *out = NULL;
  qgcal_error *err = NULL;
  __atomic_store_n(&s->started, 1, __ATOMIC_SEQ_CST);
  s->status = qgcal_call(s->client, "events.list", params, NULL, &out, &err);
  qgcal_string_free(out);
  qgcal_error_free(err);
  return NULL;
}

/* qgcal_shutdown while calls wait for a slow server: each returns, none hangs (an alarm guards). */
static void check_shutdown_in_flight(qgcal_client *client) {
  enum { SLOW = 4 };
  struct slow_call calls[SLOW];
  pthread_t threads[SLOW];
  alarm(60);
  /* A fresh token first (it lives 3 s): no token request is then cut short by the shutdown. */
  char *token = NULL;
  CHECK(qgcal_client_refresh(client, &token, NULL) == QGCAL_OK, "refresh");
  qgcal_string_free(token);
  for (int i = 0; i < SLOW; i++) {
    calls[i].client = client;
    calls[i].status = QGCAL_INTERNAL;
    calls[i].started = 0;
    CHECK(pthread_create(&threads[i], NULL, slow, &calls[i]) == 0, "pthread_create");
  }
  for (int i = 0; i < SLOW; i++)
    while (!__atomic_load_n(&calls[i].started, __ATOMIC_SEQ_CST)) usleep(1000);
  usleep(300 * 1000); /* the requests are at the server now, which holds them for seconds */
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_shutdown(&err);
  CHECK(st == QGCAL_OK, "shutdown: %s", err ? qgcal_error_message(err) : "");
  for (int i = 0; i < SLOW; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0, "join");
    CHECK(calls[i].status == QGCAL_SHUT_DOWN || calls[i].status == QGCAL_CANCELLED ||
              calls[i].status == QGCAL_HTTP_ERROR,
          "a call in flight during shutdown answered %s", qgcal_status_name(calls[i].status));
  }
  alarm(0);
  char *out = NULL;
  err = NULL;
  st = qgcal_call(client, "colors.get", NULL, NULL, &out, &err);
  expect_error(st, err, QGCAL_SHUT_DOWN, "shut down");
  CHECK(qgcal_shutdown(NULL) == QGCAL_OK, "a second shutdown is harmless");
}

int main(void) {
  base_config = getenv("QGCAL_TEST_CONFIG");
  const char *tokens = getenv("QGCAL_TEST_REFRESH_TOKENS");
  CHECK(base_config && base_config[0] == '{' && tokens && getenv("QGCAL_SLOW_CALENDAR"), "env not set");
  if (getenv("QGCAL_CONC_THREADS")) threads_n = atoi(getenv("QGCAL_CONC_THREADS"));
  if (getenv("QGCAL_CONC_CALLS")) calls_n = atoi(getenv("QGCAL_CONC_CALLS"));
  CHECK(threads_n >= 2 && threads_n <= MAX_THREADS && calls_n >= 10 && calls_n <= 10 * MAX_EVENTS / 3, "scale");
  for (const char *p = tokens; *p && refresh_token_count <= MAX_THREADS;) {
    size_t n = strcspn(p, ",");
    CHECK(n < sizeof refresh_tokens[0], "token length");
    memcpy(refresh_tokens[refresh_token_count], p, n);
    refresh_tokens[refresh_token_count++][n] = '\0';
    p += n + (p[n] == ',');
  }
  /* Threads 0 .. half-1 share client 0; the others have one each. */
  int shared = threads_n / 2;
  int clients_n = 1 + (threads_n - shared);
  CHECK(refresh_token_count >= clients_n, "%d refresh tokens for %d clients", refresh_token_count, clients_n);
  qgcal_client *clients[MAX_THREADS + 1];
  for (int i = 0; i < clients_n; i++) clients[i] = make_client(refresh_tokens[i]);

  struct worker *workers = (struct worker *)calloc((size_t)threads_n, sizeof *workers);
  CHECK(workers != NULL, "calloc");
  pthread_t threads[MAX_THREADS];
  for (int t = 0; t < threads_n; t++) {
    workers[t].index = t;
    workers[t].seed = (unsigned)t * 7919u + 1u;
    workers[t].client = t < shared ? clients[0] : clients[1 + t - shared];
    CHECK(pthread_create(&threads[t], NULL, work, &workers[t]) == 0, "pthread_create");
  }
  int total = 0;
  for (int t = 0; t < threads_n; t++) {
    CHECK(pthread_join(threads[t], NULL) == 0, "pthread_join");
    CHECK(workers[t].failure[0] == '\0', "thread %d after %d calls: %s", t, workers[t].done_calls,
          workers[t].failure);
    total += workers[t].done_calls;
  }
  printf("%d threads x %d calls on %d clients (%d threads sharing one): %d calls answered as expected\n", threads_n,
         calls_n, clients_n, shared, total);
  check_final_state(clients[0], workers);
  CHECK(__atomic_load_n(&refreshes, __ATOMIC_SEQ_CST) >= clients_n, "%d token callbacks for %d clients", __atomic_load_n(&refreshes, __ATOMIC_SEQ_CST), clients_n);

  check_fork(clients[0]);
  check_shutdown_in_flight(clients[0]);

  /* Every token request of the whole run (the Rust side counts them at the emulator) told the host. */
  printf("refreshes: %d\n", __atomic_load_n(&refreshes, __ATOMIC_SEQ_CST));
  for (int i = 0; i < clients_n; i++) qgcal_client_free(clients[i]);
  CHECK(__atomic_load_n(&drops, __ATOMIC_SEQ_CST) == clients_n, "%d drops for %d clients", __atomic_load_n(&drops, __ATOMIC_SEQ_CST), clients_n);
  free(workers);
  return harness_done("concurrency");
}
