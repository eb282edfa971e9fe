/* One connection pool per process: 1,000 clients made and freed one after another hold a handful of
 * sockets; 16 threads with clients of their own share one TLS + HTTP/2 connection; qgcal_shutdown
 * closes every connection, even those of clients not yet freed. The Rust test passes configs for a
 * plain and a TLS emulator (QGCAL_TEST_CONFIG, QGCAL_TEST_TLS_CONFIG) and the TLS port, and checks the
 * emulator's own counts afterwards. Sockets are counted in /proc/self/fd and /proc/net/tcp. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <unistd.h>

#include "harness.h"

/* QGCAL_TEST_CLIENTS may lower it (the run under valgrind checks for leaks, not for the count). */
#define CLIENTS 1000
#define THREADS 16
#define CALLS_PER_THREAD 10

/* The inodes of this process's sockets; answers how many. */
static int socket_inodes(unsigned long *inodes, int max) {
  DIR *dir = opendir("/proc/self/fd");
  CHECK(dir != NULL, "opendir /proc/self/fd");
  int n = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    char path[300], target[64];
    snprintf(path, sizeof path, "/proc/self/fd/%s", entry->d_name);
    ssize_t len = readlink(path, target, sizeof target - 1);
    if (len <= 0) continue;
    target[len] = '\0';
    unsigned long inode;
    if (sscanf(target, "socket:[%lu]", &inode) == 1 && n < max) inodes[n++] = inode;
  }
  closedir(dir);
  return n;
}

static int open_sockets(void) {
  unsigned long inodes[4096];
  return socket_inodes(inodes, 4096);
}

/* This process's TCP sockets connected to 127.0.0.1:port. */
static int connections_to(int port) {
  unsigned long mine[4096];
  int n = socket_inodes(mine, 4096);
  FILE *tcp = fopen("/proc/net/tcp", "r");
  CHECK(tcp != NULL, "open /proc/net/tcp");
  char line[512];
  int count = 0;
  CHECK(fgets(line, sizeof line, tcp) != NULL, "/proc/net/tcp header");
  while (fgets(line, sizeof line, tcp) != NULL) {
    unsigned remote_port, state;
    unsigned long inode;
    if (sscanf(line, "%*d: %*x:%*x %*x:%x %x %*x:%*x %*x:%*x %*x %*d %*d %lu", &remote_port, &state, &inode) != 3)
      continue;
    /* 01 is ESTABLISHED */
    if ((int)remote_port != port || state != 1) continue;
    for (int i = 0; i < n; i++)
      if (mine[i] == inode) count++;
  }
  fclose(tcp);
  return count;
}

static void call_ok(qgcal_client *client, const char *what) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_call(client, "colors.get", NULL, NULL, &out, &err);
  CHECK(st == QGCAL_OK, "%s: %s %s", what, qgcal_status_name(st), err ? qgcal_error_message(err) : "");
  CHECK(strstr(out, "calendar#colors") != NULL, "%s answered %s", what, out);
  qgcal_string_free(out);
}

static qgcal_client *new_client(const char *config) {
  qgcal_client *client = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = qgcal_client_new(config, &client, &err);
  CHECK(st == QGCAL_OK, "client: %s %s", qgcal_status_name(st), err ? qgcal_error_message(err) : "");
  return client;
}

static const char *tls_config;
static pthread_barrier_t start_together;

static void *worker(void *arg) {
  (void)arg;
  qgcal_client *client = new_client(tls_config);
  pthread_barrier_wait(&start_together);
  for (int i = 0; i < CALLS_PER_THREAD; i++) call_ok(client, "threaded colors.get over TLS");
  qgcal_client_free(client);
  return NULL;
}

int main(void) {
  const char *config = getenv("QGCAL_TEST_CONFIG");
  tls_config = getenv("QGCAL_TEST_TLS_CONFIG");
  const char *tls_port_text = getenv("QGCAL_TEST_TLS_PORT");
  CHECK(config && tls_config && tls_port_text, "QGCAL_TEST_CONFIG, QGCAL_TEST_TLS_CONFIG, QGCAL_TEST_TLS_PORT");
  int tls_port = atoi(tls_port_text);
  int clients = getenv("QGCAL_TEST_CLIENTS") ? atoi(getenv("QGCAL_TEST_CLIENTS")) : CLIENTS;

  int before = open_sockets();
  int most = 0;
  for (int i = 0; i < clients; i++) {
    qgcal_client *client = new_client(config);
    call_ok(client, "colors.get");
    qgcal_client_free(client);
    if (i % 50 == 49) {
      int now = open_sockets() - before;
      if (now > most) most = now;
    }
  }
  CHECK(most <= 4, "%d clients, one after another, held %d sockets", clients, most);
  printf("%d clients one after another: at most %d socket(s) open\n", clients, most);

  /* One call first: a cold burst of threads could start several handshakes at once. */
  qgcal_client *keeper = new_client(tls_config);
  call_ok(keeper, "the first call over TLS");
  CHECK(pthread_barrier_init(&start_together, NULL, THREADS) == 0, "barrier");
  pthread_t threads[THREADS];
  for (long i = 0; i < THREADS; i++) CHECK(pthread_create(&threads[i], NULL, worker, NULL) == 0, "pthread_create");
  for (int i = 0; i < THREADS; i++) CHECK(pthread_join(threads[i], NULL) == 0, "pthread_join");
  pthread_barrier_destroy(&start_together);
  int tls_connections = connections_to(tls_port);
  CHECK(tls_connections == 1, "%d threads: %d connections to the TLS emulator", THREADS, tls_connections);
  printf("%d threads over TLS: %d connection\n", THREADS, tls_connections);

  /* Freeing clients leaves the shared connection to the others; shutdown closes everything. */
  call_ok(keeper, "a call after the threads' clients were freed");
  CHECK(connections_to(tls_port) == 1, "still one connection");
  qgcal_error *err = NULL;
  CHECK(qgcal_shutdown(&err) == QGCAL_OK, "shutdown: %s", err ? qgcal_error_message(err) : "");
  int after = open_sockets();
  CHECK(after <= before, "after qgcal_shutdown %d sockets are open, %d before the first client", after, before);
  CHECK(connections_to(tls_port) == 0, "the TLS connection is closed");
  qgcal_client_free(keeper);
  return harness_done("pool");
}
