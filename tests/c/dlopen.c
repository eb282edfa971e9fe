/* The library loaded as a host loads a module: dlopen, calls, dlclose, dlopen again, calls again. The
 * program does not link it; QGCAL_CDYLIB names libqorus_gcal.so, QGCAL_TEST_CONFIG a config with a token
 * for the emulator. The cdylib is linked with -z nodelete, so dlclose keeps its code (and the threads of
 * its runtime) in place: a client made before survives the reload, and the library's state is one. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_DEFAULT */
#endif
#include <dlfcn.h>

#include "harness.h"

struct api {
  const char *(*version)(void);
  qgcal_status (*client_new)(const char *, qgcal_client **, qgcal_error **);
  void (*client_free)(qgcal_client *);
  qgcal_status (*call)(qgcal_client *, const char *, const char *, const char *, char **, qgcal_error **);
  void (*string_free)(char *);
  const char *(*error_message)(const qgcal_error *);
  void (*error_free)(qgcal_error *);
  qgcal_status (*shutdown)(qgcal_error **);
};

/* Casts through a union, because ISO C has no conversion from an object pointer to a function pointer. */
#define SYM(handle, name, field)                                             \
  do {                                                                       \
    union {                                                                  \
      void *object;                                                          \
      __typeof__(field) function;                                            \
    } sym_;                                                                  \
    sym_.object = dlsym(handle, name);                                       \
    CHECK(sym_.object != NULL, "dlsym %s: %s", name, dlerror());             \
    field = sym_.function;                                                   \
  } while (0)

static void *load(const char *path, struct api *api) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  CHECK(handle != NULL, "dlopen %s: %s", path, dlerror());
  SYM(handle, "qgcal_version", api->version);
  SYM(handle, "qgcal_client_new", api->client_new);
  SYM(handle, "qgcal_client_free", api->client_free);
  SYM(handle, "qgcal_call", api->call);
  SYM(handle, "qgcal_string_free", api->string_free);
  SYM(handle, "qgcal_error_message", api->error_message);
  SYM(handle, "qgcal_error_free", api->error_free);
  SYM(handle, "qgcal_shutdown", api->shutdown);
  CHECK(strcmp(api->version(), QORUS_GCAL_VERSION) == 0, "version %s", api->version());
  return handle;
}

static void call_ok(struct api *api, qgcal_client *client, const char *method, const char *params,
                    const char *needle) {
  char *out = NULL;
  qgcal_error *err = NULL;
  qgcal_status st = api->call(client, method, params, NULL, &out, &err);
  CHECK(st == QGCAL_OK, "%s: %d %s", method, st, err ? api->error_message(err) : "");
  CHECK(strstr(out, needle) != NULL, "%s answered %.200s", method, out);
  api->string_free(out);
}

int main(void) {
  const char *path = getenv("QGCAL_CDYLIB");
  const char *config = getenv("QGCAL_TEST_CONFIG");
  CHECK(path && config, "QGCAL_CDYLIB and QGCAL_TEST_CONFIG must be set");
  CHECK(dlsym(RTLD_DEFAULT, "qgcal_version") == NULL, "the program must not link the library itself");

  struct api first, second;
  void *handle = load(path, &first);
  qgcal_client *client = NULL;
  CHECK(first.client_new(config, &client, NULL) == QGCAL_OK, "client");
  call_ok(&first, client, "colors.get", NULL, "\"calendar\"");
  call_ok(&first, client, "calendarList.get", "{\"calendarId\": \"primary\"}", "\"owner\"");
  CHECK(dlclose(handle) == 0, "dlclose: %s", dlerror());

  /* Loaded again: the same library, still running, still serving the client made before. */
  handle = load(path, &second);
  call_ok(&second, client, "events.list", "{\"calendarId\": \"primary\", \"maxResults\": 1}", "\"calendar#events\"");
  qgcal_client *again = NULL;
  CHECK(second.client_new(config, &again, NULL) == QGCAL_OK, "client after reload");
  call_ok(&second, again, "settings.get", "{\"setting\": \"timezone\"}", "\"value\"");
  second.client_free(again);
  second.client_free(client);

  /* Once more, around a shutdown: the unload that hosts do last. */
  CHECK(second.shutdown(NULL) == QGCAL_OK, "shutdown");
  CHECK(dlclose(handle) == 0, "dlclose: %s", dlerror());
  handle = load(path, &first);
  qgcal_client *late = NULL;
  CHECK(first.client_new(config, &late, NULL) == QGCAL_OK, "a client after shutdown is still made");
  char *out = NULL;
  qgcal_error *err = NULL;
  CHECK(first.call(late, "colors.get", NULL, NULL, &out, &err) == QGCAL_SHUT_DOWN, "a call after shutdown");
  first.error_free(err);
  first.client_free(late);
  CHECK(dlclose(handle) == 0, "dlclose: %s", dlerror());
  return harness_done("dlopen");
}
