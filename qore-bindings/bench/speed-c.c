/* The C-ABI side of qore-bindings/bench/speed: the same workloads as speed-side.q, through
 * include/qorus_gcal.h from C, linked with the same Release staticlib the module links. One workload
 * per process; prints one JSON line. CPU is the whole process's utime+stime from /proc/self/stat.
 *
 *   speed-c get N [WORK_US]  events.get N times one after another (after 200 to warm up); with WORK_US,
 *                            the thread first spins that long before each call, as a host that does work
 *                            between calls (the Qore side converts the answer and runs the script)
 *   speed-c threads T N      events.get N times from T threads sharing one client
 *   speed-c list             every event of the token's primary calendar, page by page (2500 a page)
 *   speed-c inserts N        N events.insert one after another
 *
 * Environment: QGCAL_BENCH_CONFIG (the client config JSON), QGCAL_BENCH_EVENT (the event to get). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qorus_gcal.h>

static struct qgcal_client *client;
static char get_params[512];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of the whole process, in µs (from clock ticks). */
static double cpu_us(void) {
    FILE *f = fopen("/proc/self/stat", "r");
    char buf[1024];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    /* fields after the command name, which ends at the last ')': state is field 3, utime 14, stime 15 */
    char *p = strrchr(buf, ')');
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) {
        fprintf(stderr, "cannot read /proc/self/stat\n");
        exit(1);
    }
    return (double)(ut + st) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

static long status_kib(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = 0;
    size_t k = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, k) == 0) kib = atol(line + k);
    if (f) fclose(f);
    return kib;
}

static void fail(const char *what, struct qgcal_error *err) {
    fprintf(stderr, "%s: %s\n", what, err ? qgcal_error_message(err) : "?");
    qgcal_error_free(err);
    exit(1);
}

static void get_once(void) {
    char *answer = NULL;
    struct qgcal_error *err = NULL;
    if (qgcal_call(client, "events.get", get_params, NULL, &answer, &err) != QGCAL_OK) fail("events.get", err);
    qgcal_string_free(answer);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void get(long n, double work_us) {
    double *lat = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < 200; i++) get_once();
    double c0 = cpu_us(), t0 = now_s();
    for (long i = 0; i < n; i++) {
        for (double until = now_s() + work_us / 1e6; now_s() < until;) {
        }
        double a = now_s();
        get_once();
        lat[i] = now_s() - a;
    }
    double wall = now_s() - t0, cpu = cpu_us() - c0;
    qsort(lat, (size_t)n, sizeof(double), cmp);
    printf("{\"per_s\": %.1f, \"p50_us\": %.1f, \"cpu_us\": %.2f}\n", (double)n / wall, lat[n / 2] * 1e6,
           cpu / (double)n);
    free(lat);
}

struct worker { long calls; pthread_mutex_t *gate; };

static void *work(void *arg) {
    struct worker *w = arg;
    pthread_mutex_lock(w->gate); /* wait for the start */
    pthread_mutex_unlock(w->gate);
    for (long i = 0; i < w->calls; i++) get_once();
    return NULL;
}

static void threads(int t, long total) {
    long per = total / t;
    pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
    pthread_t *ids = malloc(sizeof(pthread_t) * (size_t)t);
    struct worker w = {per, &gate};
    for (int i = 0; i < 50; i++) get_once();
    pthread_mutex_lock(&gate);
    for (int i = 0; i < t; i++) pthread_create(&ids[i], NULL, work, &w);
    double c0 = cpu_us(), t0 = now_s();
    pthread_mutex_unlock(&gate);
    for (int i = 0; i < t; i++) pthread_join(ids[i], NULL);
    double wall = now_s() - t0, cpu = cpu_us() - c0;
    printf("{\"per_s\": %.1f, \"cpu_us\": %.2f}\n", (double)(per * t) / wall, cpu / (double)(per * t));
    free(ids);
}

/* Every event, page by page; an item is counted by its "kind" (the C side builds no values). */
static void list(void) {
    char *answer = NULL;
    struct qgcal_error *err = NULL;
    if (qgcal_call(client, "colors.get", NULL, NULL, &answer, &err) != QGCAL_OK) fail("colors.get", err);
    qgcal_string_free(answer);
    long idle = status_kib("VmHWM:"), items = 0;
    double c0 = cpu_us(), t0 = now_s();
    struct qgcal_pager *pager = NULL;
    if (qgcal_pager_new(client, "events.list", "{\"calendarId\":\"primary\",\"maxResults\":2500}", &pager, &err) !=
        QGCAL_OK)
        fail("qgcal_pager_new", err);
    for (int more = 1; more;) {
        char *page = NULL;
        if (qgcal_pager_next(pager, &page, &err) != QGCAL_OK) fail("qgcal_pager_next", err);
        for (const char *p = strstr(page, "\"kind\":\"calendar#event\""); p;
             p = strstr(p + 1, "\"kind\":\"calendar#event\""))
            items++;
        more = strstr(page, "\"more\":true") != NULL;
        qgcal_string_free(page);
    }
    qgcal_pager_free(pager);
    double wall = now_s() - t0, cpu = cpu_us() - c0;
    printf("{\"ms\": %.1f, \"items\": %ld, \"cpu_us\": %.2f, \"idle_kib\": %ld, \"peak_kib\": %ld}\n", wall * 1e3,
           items, items ? cpu / (double)items : 0.0, idle, status_kib("VmHWM:"));
}

static void inserts(long n) {
    char body[256];
    char *answer = NULL;
    struct qgcal_error *err = NULL;
    if (qgcal_call(client, "colors.get", NULL, NULL, &answer, &err) != QGCAL_OK) fail("colors.get", err);
    qgcal_string_free(answer);
    double c0 = cpu_us(), t0 = now_s();
    for (long i = 0; i < n; i++) {
        answer = NULL;
        snprintf(body, sizeof body,
                 "{\"summary\":\"speed insert %ld\",\"start\":{\"dateTime\":\"2030-01-15T10:00:00Z\"},"
                 "\"end\":{\"dateTime\":\"2030-01-15T11:00:00Z\"}}",
                 i);
        if (qgcal_call(client, "events.insert", "{\"calendarId\":\"primary\"}", body, &answer, &err) != QGCAL_OK)
            fail("events.insert", err);
        qgcal_string_free(answer);
    }
    double wall = now_s() - t0, cpu = cpu_us() - c0;
    printf("{\"ms\": %.3f, \"cpu_us\": %.2f}\n", wall * 1e3 / (double)n, cpu / (double)n);
}

int main(int argc, char **argv) {
    const char *config = getenv("QGCAL_BENCH_CONFIG"), *event = getenv("QGCAL_BENCH_EVENT");
    if (argc < 2 || !config) {
        fprintf(stderr, "usage: speed-c get N [WORK_US] | threads T N | list | inserts N (QGCAL_BENCH_CONFIG set)\n");
        return 2;
    }
    snprintf(get_params, sizeof get_params, "{\"calendarId\":\"primary\",\"eventId\":\"%s\"}", event ? event : "");
    struct qgcal_error *err = NULL;
    if (qgcal_client_new(config, &client, &err) != QGCAL_OK) fail("qgcal_client_new", err);
    if (!strcmp(argv[1], "get") && argc > 2) {
        get(atol(argv[2]), argc > 3 ? atof(argv[3]) : 0);
    } else if (!strcmp(argv[1], "threads") && argc > 3) {
        threads(atoi(argv[2]), atol(argv[3]));
    } else if (!strcmp(argv[1], "list")) {
        list();
    } else if (!strcmp(argv[1], "inserts") && argc > 2) {
        inserts(atol(argv[2]));
    } else {
        fprintf(stderr, "unknown workload %s\n", argv[1]);
        return 2;
    }
    qgcal_client_free(client);
    qgcal_shutdown(NULL);
    return 0;
}
