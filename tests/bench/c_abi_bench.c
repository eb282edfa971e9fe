/* The C-ABI side of `cargo bench -p qgcal`: events.get through libqorus_gcal.so, loaded with dlopen.
 *
 *   c_abi_bench LIB.so latency N          -> {"p50_us": .., "p99_us": ..}
 *   c_abi_bench LIB.so throughput THREADS TOTAL -> {"per_s": ..}
 *   c_abi_bench LIB.so cold               -> {"ms": ..}  (dlopen + client + first successful call)
 *   c_abi_bench LIB.so inserts N          -> {"single_s": .., "batch_s": ..}  (N events.insert through
 *                                            qgcal_call one by one, then N through one qgcal_batch)
 *   c_abi_bench LIB.so list               -> {"secs": .., "items": .., "idle_kib": .., "peak_kib": ..}
 *                                            (every event of the primary calendar through qgcal_pager_*,
 *                                            2500 a page; peak RSS is VmHWM)
 *
 * The client config comes in QGCAL_BENCH_CONFIG and the event id in QGCAL_BENCH_EVENT. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qorus_gcal.h>

typedef enum qgcal_status (*client_new_fn)(const char *, struct qgcal_client **, struct qgcal_error **);
typedef enum qgcal_status (*call_fn)(struct qgcal_client *, const char *, const char *, const char *,
                                     char **, struct qgcal_error **);
typedef void (*string_free_fn)(char *);
typedef void (*error_free_fn)(struct qgcal_error *);
typedef const char *(*error_message_fn)(const struct qgcal_error *);
typedef void (*client_free_fn)(struct qgcal_client *);
typedef enum qgcal_status (*batch_fn)(struct qgcal_client *, const char *, char **, struct qgcal_error **);
typedef enum qgcal_status (*pager_new_fn)(struct qgcal_client *, const char *, const char *, struct qgcal_pager **,
                                          struct qgcal_error **);
typedef enum qgcal_status (*pager_next_fn)(struct qgcal_pager *, char **, struct qgcal_error **);
typedef void (*pager_free_fn)(struct qgcal_pager *);

static client_new_fn p_client_new;
static call_fn p_call;
static string_free_fn p_string_free;
static error_free_fn p_error_free;
static error_message_fn p_error_message;
static client_free_fn p_client_free;
static batch_fn p_batch;
static pager_new_fn p_pager_new;
static pager_next_fn p_pager_next;
static pager_free_fn p_pager_free;
static struct qgcal_client *client;
static char params[512];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *must_sym(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p) {
        fprintf(stderr, "dlsym %s: %s\n", name, dlerror());
        exit(1);
    }
    return p;
}

static void load(const char *path) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        exit(1);
    }
    /* POSIX allows void* -> function pointer through memcpy. */
    void *p;
#define LOAD(var, name) p = must_sym(lib, name); memcpy(&var, &p, sizeof p)
    LOAD(p_client_new, "qgcal_client_new");
    LOAD(p_call, "qgcal_call");
    LOAD(p_string_free, "qgcal_string_free");
    LOAD(p_error_free, "qgcal_error_free");
    LOAD(p_error_message, "qgcal_error_message");
    LOAD(p_client_free, "qgcal_client_free");
    LOAD(p_batch, "qgcal_batch");
    LOAD(p_pager_new, "qgcal_pager_new");
    LOAD(p_pager_next, "qgcal_pager_next");
    LOAD(p_pager_free, "qgcal_pager_free");
#undef LOAD
}

static void fail(const char *what, struct qgcal_error *err) {
    fprintf(stderr, "%s: %s\n", what, err ? p_error_message(err) : "?");
    p_error_free(err);
    exit(1);
}

static void get_once(void) {
    char *answer = NULL;
    struct qgcal_error *err = NULL;
    if (p_call(client, "events.get", params, NULL, &answer, &err) != QGCAL_OK) fail("events.get", err);
    p_string_free(answer);
}

#define EVENT_BODY "{\"summary\":\"bench event %ld\",\"start\":{\"dateTime\":\"2030-01-15T10:00:00Z\"}," \
                   "\"end\":{\"dateTime\":\"2030-01-15T11:00:00Z\"}}"

/* N inserts one by one, then the same N as one qgcal_batch (chunks of 50). */
static void inserts(long n) {
    char body[256];
    double a = now_s();
    for (long i = 0; i < n; i++) {
        char *answer = NULL;
        struct qgcal_error *err = NULL;
        snprintf(body, sizeof body, EVENT_BODY, i);
        if (p_call(client, "events.insert", "{\"calendarId\":\"primary\"}", body, &answer, &err) != QGCAL_OK)
            fail("events.insert", err);
        p_string_free(answer);
    }
    double single = now_s() - a;
    size_t cap = (size_t)n * 256 + 16, len = 0;
    char *calls = malloc(cap);
    len += (size_t)snprintf(calls + len, cap - len, "[");
    for (long i = 0; i < n; i++) {
        snprintf(body, sizeof body, EVENT_BODY, i);
        len += (size_t)snprintf(calls + len, cap - len,
                                "%s{\"method\":\"events.insert\",\"params\":{\"calendarId\":\"primary\"},\"body\":%s}",
                                i ? "," : "", body);
    }
    snprintf(calls + len, cap - len, "]");
    char *results = NULL;
    struct qgcal_error *err = NULL;
    a = now_s();
    if (p_batch(client, calls, &results, &err) != QGCAL_OK) fail("qgcal_batch", err);
    double batch = now_s() - a;
    /* Every call must have succeeded: count the results that carry status 200. */
    long ok = 0;
    for (const char *p = strstr(results, "{\"status\":200,"); p; p = strstr(p + 1, "{\"status\":200,")) ok++;
    if (ok != n) {
        fprintf(stderr, "qgcal_batch: %ld of %ld calls succeeded\n", ok, n);
        exit(1);
    }
    p_string_free(results);
    free(calls);
    printf("{\"single_s\": %.4f, \"batch_s\": %.4f}\n", single, batch);
}

/* Peak resident set size so far, in KiB. */
static long vm_hwm_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kib = atol(line + 6);
    if (f) fclose(f);
    return kib;
}

/* Every event of the primary calendar, page by page; counts the items each page holds. */
static void list(void) {
    char *answer = NULL;
    struct qgcal_error *err = NULL;
    if (p_call(client, "colors.get", NULL, NULL, &answer, &err) != QGCAL_OK) fail("colors.get", err);
    p_string_free(answer);
    long idle = vm_hwm_kib(), items = 0;
    double a = now_s();
    struct qgcal_pager *pager = NULL;
    if (p_pager_new(client, "events.list", "{\"calendarId\":\"primary\",\"maxResults\":2500}", &pager, &err) !=
        QGCAL_OK)
        fail("qgcal_pager_new", err);
    for (int more = 1; more;) {
        char *page = NULL;
        if (p_pager_next(pager, &page, &err) != QGCAL_OK) fail("qgcal_pager_next", err);
        for (const char *p = strstr(page, "\"kind\":\"calendar#event\""); p; p = strstr(p + 1, "\"kind\":\"calendar#event\""))
            items++;
        more = strstr(page, "\"more\":true") != NULL;
        p_string_free(page);
    }
    p_pager_free(pager);
    printf("{\"secs\": %.4f, \"items\": %ld, \"idle_kib\": %ld, \"peak_kib\": %ld}\n", now_s() - a, items, idle,
           vm_hwm_kib());
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct worker { long calls; pthread_mutex_t *gate; };

static void *work(void *arg) {
    struct worker *w = arg;
    pthread_mutex_lock(w->gate); /* wait for the start */
    pthread_mutex_unlock(w->gate);
    for (long i = 0; i < w->calls; i++) get_once();
    return NULL;
}

int main(int argc, char **argv) {
    double t0 = now_s();
    if (argc < 3) {
        fprintf(stderr, "usage: c_abi_bench LIB.so latency N | throughput THREADS TOTAL | cold | inserts N | list\n");
        return 2;
    }
    const char *config = getenv("QGCAL_BENCH_CONFIG"), *event = getenv("QGCAL_BENCH_EVENT");
    if (!config || !event) {
        fprintf(stderr, "QGCAL_BENCH_CONFIG and QGCAL_BENCH_EVENT must be set\n");
        return 2;
    }
    snprintf(params, sizeof params, "{\"calendarId\":\"primary\",\"eventId\":\"%s\"}", event);
    load(argv[1]);
    struct qgcal_error *err = NULL;
    if (p_client_new(config, &client, &err) != QGCAL_OK) fail("qgcal_client_new", err);
    if (strcmp(argv[2], "cold") == 0) {
        get_once();
        printf("{\"ms\": %.3f}\n", (now_s() - t0) * 1e3);
    } else if (strcmp(argv[2], "latency") == 0 && argc > 3) {
        long n = atol(argv[3]);
        double *s = malloc(sizeof(double) * (size_t)n);
        for (int i = 0; i < 200; i++) get_once();
        for (long i = 0; i < n; i++) {
            double a = now_s();
            get_once();
            s[i] = now_s() - a;
        }
        qsort(s, (size_t)n, sizeof(double), cmp);
        printf("{\"p50_us\": %.1f, \"p99_us\": %.1f}\n", s[(long)((double)(n - 1) * 0.5 + 0.5)] * 1e6,
               s[(long)((double)(n - 1) * 0.99 + 0.5)] * 1e6);
        free(s);
    } else if (strcmp(argv[2], "throughput") == 0 && argc > 4) {
        int threads = atoi(argv[3]);
        long per = atol(argv[4]) / threads;
        pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
        pthread_t *ids = malloc(sizeof(pthread_t) * (size_t)threads);
        struct worker w = {per, &gate};
        for (int i = 0; i < 50; i++) get_once();
        pthread_mutex_lock(&gate);
        for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, work, &w);
        double a = now_s();
        pthread_mutex_unlock(&gate);
        for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
        printf("{\"per_s\": %.1f}\n", (double)(per * threads) / (now_s() - a));
        free(ids);
    } else if (strcmp(argv[2], "inserts") == 0 && argc > 3) {
        inserts(atol(argv[3]));
    } else if (strcmp(argv[2], "list") == 0) {
        list();
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[2]);
        return 2;
    }
    p_client_free(client);
    return 0;
}
