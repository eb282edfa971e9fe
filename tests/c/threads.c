/* Many host threads creating, erroring and freeing clients at once. */
#include <pthread.h>

#include "harness.h"

#define THREADS 16
#define ROUNDS 20

static void *worker(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < ROUNDS; i++) {
    qgcal_client *client = NULL;
    qgcal_error *err = NULL;
    char json[256];
    snprintf(json, sizeof json, "{\"client_id\": \"thread-%ld-%d\", \"user_agent\": \"harness/%d\"}", id, i, i);
    if (qgcal_client_new(json, &client, &err) != QGCAL_OK || client == NULL) return (void *)1;
    qgcal_client_free(client);

    err = NULL;
    client = NULL;
    if (qgcal_client_new("{\"nope\": true}", &client, &err) != QGCAL_INVALID_ARGUMENT) return (void *)2;
    if (err == NULL || strstr(qgcal_error_message(err), "nope") == NULL) return (void *)3;
    qgcal_error_free(err);
  }
  return NULL;
}

int main(void) {
  pthread_t threads[THREADS];
  for (long i = 0; i < THREADS; i++)
    CHECK(pthread_create(&threads[i], NULL, worker, (void *)i) == 0, "pthread_create");
  for (int i = 0; i < THREADS; i++) {
    void *result = NULL;
    CHECK(pthread_join(threads[i], &result) == 0, "pthread_join");
    CHECK(result == NULL, "thread %d failed at step %ld", i, (long)result);
  }
  return harness_done("threads");
}
