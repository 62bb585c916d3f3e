/* A plugin for the hook unit tests (tests/unit/hook/plugin_hook_test.cpp) and, later, the
 * integration tests. Behaviour, by input:
 *  - before_connect: username "denied" -> NotAuthorized; username "async" -> answered from
 *    another thread: accepted when the password is "ok", else BadUserNameOrPassword;
 *  - after_connect: subscribes the session to "inbox/<client id>" (QoS 1);
 *  - before_publish: topic starting with "blocked/" -> NotAuthorized;
 *  - before_subscribe: filters starting with "private/" -> NotAuthorized.
 * For the integration tests (tests/integration/test_hooks_*.py):
 *  - before_connect: username "hold" -> deferred until any client publishes to "test/release"
 *    (proves the server serves others meanwhile), then accepted; username "never" -> deferred
 *    and never answered (the server's hook_timeout refuses it; deinit answers it at last);
 *  - after_publish: a publish to "echo/X" makes the session publish "echoed/X" (an action);
 *    a publish to "keep/X" makes it publish "kept/X" retained at QoS 1 (the same payload;
 *    an empty one clears it);
 *  - before_publish: a topic starting with "stall/" blocks the worker for 3 s (a stuck
 *    worker, for the systemd watchdog test);
 *  - before_unsubscribe: filters starting with "locked/" -> NotAuthorized;
 *  - after_subscribe: a filter starting with "deferred/" -> answered from another thread with
 *    an action that publishes "deferred/done" (payload "ok");
 *  - asynchronous answers, from another thread, for what starts with "slow/" (and, for
 *    after_connect, client ids starting with "late"); loaded twice, both copies defer, the
 *    second after the first answered:
 *    - before_publish: topic "slow/never" -> deferred and never answered (as username
 *      "never"); "slow/deny..." -> NotAuthorized; another "slow/X" -> rewritten to "slow/X/ok";
 *    - after_publish: a publish to "slow/X" makes the session publish "answered/slow/X"
 *      (payload "ok", QoS 1);
 *    - before_subscribe: when a filter starts with "slow/", every filter is answered later:
 *      "slow/no..." (and "private/...") -> NotAuthorized, the others accepted;
 *    - before_unsubscribe: the same, refusing "slow/keep..." (and "locked/...");
 *    - after_connect: client id "late..." -> subscribes the session to "late/<client id>"
 *      (QoS 1) instead of "inbox/<client id>", then publishes "ok" there;
 *  - before_subscribe / before_unsubscribe: a filter starting with "broken/" -> the call
 *    says it is pending without deferring (a broken plugin);
 *  - after_disconnect: with option `events_file: PATH`, appends
 *    "disconnect CLIENT_ID taken_over=N listener=KIND", plus " tls_subject=SUBJECT" when
 *    the client presented a certificate, to PATH.
 * Option `deinit_marker: PATH`: deinit writes "deinit" to PATH (proves it ran).
 * Build variants: -DTEST_PLUGIN_ABI_VERSION=N reports ABI version N;
 * -DTEST_PLUGIN_OMIT_INIT leaves akasa_plugin_init out. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "akasa/plugin.h"

#ifndef TEST_PLUGIN_ABI_VERSION
#define TEST_PLUGIN_ABI_VERSION AKASA_PLUGIN_ABI_VERSION
#endif

#define MAX_HELD 64

typedef struct plugin_state {
    const akasa_plugin_host* host;
    char deinit_marker[512];
    char events_file[512];
    unsigned threads_started;
    pthread_mutex_t held_lock;
    akasa_completion* held[MAX_HELD]; /* "hold" calls, answered on "test/release" */
    size_t held_count;
    akasa_completion* never[MAX_HELD]; /* "never" calls, answered only in deinit */
    size_t never_count;
} plugin_state;

static int str_is(akasa_str s, const char* text) {
    size_t n = strlen(text);
    return s.len == n && (n == 0 || memcmp(s.data, text, n) == 0);
}

static int starts_with(akasa_str s, const char* prefix) {
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.data, prefix, n) == 0;
}

static akasa_str cstr(const char* text) {
    akasa_str s = {text, strlen(text)};
    return s;
}

AKASA_PLUGIN_EXPORT uint32_t akasa_plugin_abi_version(void) {
    return TEST_PLUGIN_ABI_VERSION;
}

#ifndef TEST_PLUGIN_OMIT_INIT
AKASA_PLUGIN_EXPORT int akasa_plugin_init(const akasa_plugin_host* host, const akasa_kv* options,
                                          size_t option_count, void** state) {
    plugin_state* s = calloc(1, sizeof *s);
    if (!s) return 1;
    s->host = host;
    for (size_t i = 0; i < option_count; ++i) {
        if (str_is(options[i].key, "deinit_marker") &&
            options[i].value.len < sizeof s->deinit_marker) {
            memcpy(s->deinit_marker, options[i].value.data, options[i].value.len);
        }
        if (str_is(options[i].key, "events_file") && options[i].value.len < sizeof s->events_file) {
            memcpy(s->events_file, options[i].value.data, options[i].value.len);
        }
        if (str_is(options[i].key, "fail_init")) {
            host->log(AKASA_LOG_ERROR, cstr("test plugin: asked to fail"));
            free(s);
            return 7;
        }
    }
    pthread_mutex_init(&s->held_lock, NULL);
    *state = s;
    return 0;
}
#endif

AKASA_PLUGIN_EXPORT void akasa_plugin_deinit(void* state) {
    plugin_state* s = state;
    /* Every deferred call must be answered (or abandoned) before deinit returns. */
    for (size_t i = 0; i < s->held_count; ++i)
        s->host->complete(s->held[i]);
    for (size_t i = 0; i < s->never_count; ++i)
        s->host->complete(s->never[i]);
    pthread_mutex_destroy(&s->held_lock);
    if (s->deinit_marker[0]) {
        FILE* f = fopen(s->deinit_marker, "w");
        if (f) {
            fprintf(f, "deinit after %u thread(s)", s->threads_started);
            fclose(f);
        }
    }
    free(s);
}

AKASA_PLUGIN_EXPORT void akasa_plugin_thread_init(void* state, unsigned worker_index) {
    (void)worker_index;
    __atomic_add_fetch(&((plugin_state*)state)->threads_started, 1, __ATOMIC_RELAXED);
}

#define MAX_FILTERS 16
#define TEXT_SIZE 300

/* An answer given later, from another thread. What it says is decided during the call and
 * copied here: the views the call received are gone by the time the thread answers. */
typedef struct later {
    const akasa_plugin_host* host;
    akasa_completion* completion;
    uint8_t reason;                      /* set_reason when not 0 */
    const char* reason_string;           /* a string literal, or NULL */
    char topic[TEXT_SIZE];               /* before_publish: the new topic, when not empty */
    uint8_t filter_reasons[MAX_FILTERS]; /* before_(un)subscribe: a code per filter, 0: accepted */
    size_t filter_count;
    char action_topic[TEXT_SIZE];  /* a publish action (QoS 1) when not empty */
    const char* action_payload;    /* its payload, a string literal */
    char action_filter[TEXT_SIZE]; /* a subscribe action (QoS 1) when not empty */
} later;

static void* answer_later(void* arg) {
    later* job = arg;
    const akasa_plugin_host* host = job->host;
    akasa_answer* answer = host->completion_answer(job->completion);
    if (job->reason) {
        host->set_reason(answer, job->reason, cstr(job->reason_string ? job->reason_string : ""));
    }
    if (job->topic[0]) host->set_publish_topic(answer, cstr(job->topic));
    for (size_t i = 0; i < job->filter_count; ++i) {
        if (job->filter_reasons[i]) host->set_filter_reason(answer, i, job->filter_reasons[i]);
    }
    /* The subscription first: a publish to its own filter then reaches the session. */
    if (job->action_filter[0]) host->add_subscribe_action(answer, cstr(job->action_filter), 1);
    if (job->action_topic[0]) {
        host->add_publish_action(answer, cstr(job->action_topic), cstr(job->action_payload), 1, 0);
    }
    host->complete(job->completion);
    free(job);
    return NULL;
}

/* A zeroed job for `s`, or NULL when out of memory. */
static later* new_later(const plugin_state* s) {
    later* job = calloc(1, sizeof *job);
    if (job) job->host = s->host;
    return job;
}

/* Defers `call` and has another thread answer with `job` (freed there). When the call cannot
 * be deferred, answers nothing and returns AKASA_DONE. */
static int defer_to_thread(const plugin_state* s, akasa_call* call, later* job) {
    if (!job) return AKASA_DONE;
    job->completion = s->host->defer(call);
    if (!job->completion) {
        free(job);
        return AKASA_DONE;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, answer_later, job) != 0) {
        answer_later(job); /* still answers, from this thread */
        return AKASA_PENDING;
    }
    pthread_detach(thread);
    return AKASA_PENDING;
}

/* Writes "<prefix><text><suffix>" into `out` (TEXT_SIZE bytes); 0 (and "") when it does not
 * fit. */
static int compose(char* out, const char* prefix, akasa_str text, const char* suffix) {
    int n = snprintf(out, TEXT_SIZE, "%s%.*s%s", prefix, (int)text.len, text.data ? text.data : "",
                     suffix);
    if (n > 0 && n < TEXT_SIZE) return 1;
    out[0] = 0;
    return 0;
}

/* Keeps `completion` in the list answered only by deinit; answers it now when full. */
static void keep_unanswered(plugin_state* s, akasa_completion* completion, int hold) {
    pthread_mutex_lock(&s->held_lock);
    akasa_completion** list = hold ? s->held : s->never;
    size_t* count = hold ? &s->held_count : &s->never_count;
    if (*count < MAX_HELD) {
        list[(*count)++] = completion;
        completion = NULL;
    }
    pthread_mutex_unlock(&s->held_lock);
    if (completion) s->host->complete(completion); /* full: accept at once */
}

/* before_(un)subscribe with a "slow/" filter: every filter is answered later, those starting
 * with `refused` or `refused_slow` refused. */
static int answer_filters_later(const plugin_state* s, akasa_call* call, const akasa_str* filters,
                                size_t count, const char* refused, const char* refused_slow) {
    later* job = new_later(s);
    if (job) {
        job->filter_count = count < MAX_FILTERS ? count : MAX_FILTERS;
        for (size_t i = 0; i < job->filter_count; ++i) {
            if (starts_with(filters[i], refused) || starts_with(filters[i], refused_slow)) {
                job->filter_reasons[i] = AKASA_RC_NOT_AUTHORIZED;
            }
        }
    }
    return defer_to_thread(s, call, job);
}

/* before_(un)subscribe: filters starting with `refused` are refused (NotAuthorized). With a
 * "slow/" filter every filter is answered later (see answer_filters_later); with a "broken/"
 * one the call says it is pending without deferring, as a broken plugin would. */
static int answer_filters(const plugin_state* s, akasa_call* call, akasa_answer* answer,
                          const akasa_str* filters, size_t count, const char* refused,
                          const char* refused_slow) {
    for (size_t i = 0; i < count; ++i) {
        if (starts_with(filters[i], "broken/")) return AKASA_PENDING;
    }
    for (size_t i = 0; i < count; ++i) {
        if (starts_with(filters[i], "slow/")) {
            return answer_filters_later(s, call, filters, count, refused, refused_slow);
        }
    }
    for (size_t i = 0; i < count; ++i) {
        if (starts_with(filters[i], refused)) {
            s->host->set_filter_reason(answer, i, AKASA_RC_NOT_AUTHORIZED);
        }
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_connect(void* state, const akasa_session* session,
                                                    const akasa_connect* connect, akasa_call* call,
                                                    akasa_answer* answer) {
    plugin_state* s = state;
    (void)session;
    if (!connect->has_username) return AKASA_DONE;
    if (str_is(connect->username, "denied")) {
        s->host->set_reason(answer, AKASA_RC_NOT_AUTHORIZED, cstr("denied by test plugin"));
        return AKASA_DONE;
    }
    if (str_is(connect->username, "hold") || str_is(connect->username, "never")) {
        akasa_completion* completion = s->host->defer(call);
        if (!completion) {
            s->host->set_reason(answer, AKASA_RC_SERVER_UNAVAILABLE, cstr("cannot defer"));
            return AKASA_DONE;
        }
        keep_unanswered(s, completion, str_is(connect->username, "hold"));
        return AKASA_PENDING;
    }
    if (str_is(connect->username, "async")) {
        later* job = new_later(s);
        if (job && !(connect->has_password && str_is(connect->password, "ok"))) {
            job->reason = AKASA_RC_BAD_USERNAME_OR_PASSWORD;
            job->reason_string = "async says no";
        }
        if (defer_to_thread(s, call, job) == AKASA_PENDING) return AKASA_PENDING;
        s->host->set_reason(answer, AKASA_RC_SERVER_UNAVAILABLE, cstr("cannot defer"));
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_after_connect(void* state, const akasa_session* session,
                                                   int session_present, akasa_call* call,
                                                   akasa_answer* answer) {
    plugin_state* s = state;
    (void)session_present;
    if (starts_with(session->client_id, "late")) {
        later* job = new_later(s);
        if (job && compose(job->action_filter, "late/", session->client_id, "")) {
            memcpy(job->action_topic, job->action_filter, TEXT_SIZE);
            job->action_payload = "ok";
        }
        return defer_to_thread(s, call, job);
    }
    char filter[TEXT_SIZE];
    if (compose(filter, "inbox/", session->client_id, "")) {
        s->host->add_subscribe_action(answer, cstr(filter), 1);
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_publish(void* state, const akasa_session* session,
                                                    const akasa_publish* publish, akasa_call* call,
                                                    akasa_answer* answer) {
    plugin_state* s = state;
    (void)session;
    if (starts_with(publish->topic, "blocked/")) {
        s->host->set_reason(answer, AKASA_RC_NOT_AUTHORIZED, cstr(""));
    }
    if (starts_with(publish->topic, "stall/")) {
        struct timespec stall = {3, 0};
        while (nanosleep(&stall, &stall) != 0) {
        }
    }
    if (str_is(publish->topic, "slow/never")) {
        akasa_completion* completion = s->host->defer(call);
        if (!completion) return AKASA_DONE;
        keep_unanswered(s, completion, 0);
        return AKASA_PENDING;
    }
    if (starts_with(publish->topic, "slow/")) {
        later* job = new_later(s);
        if (job && starts_with(publish->topic, "slow/deny")) {
            job->reason = AKASA_RC_NOT_AUTHORIZED;
        } else if (job) {
            compose(job->topic, "", publish->topic, "/ok");
        }
        return defer_to_thread(s, call, job);
    }
    if (str_is(publish->topic, "test/release")) {
        /* Answers the held CONNECTs from this worker thread: complete() works anywhere. */
        pthread_mutex_lock(&s->held_lock);
        for (size_t i = 0; i < s->held_count; ++i)
            s->host->complete(s->held[i]);
        s->held_count = 0;
        pthread_mutex_unlock(&s->held_lock);
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_after_publish(void* state, const akasa_session* session,
                                                   const akasa_publish* publish, int changed,
                                                   akasa_call* call, akasa_answer* answer) {
    plugin_state* s = state;
    (void)session;
    (void)changed;
    if (starts_with(publish->topic, "slow/")) {
        later* job = new_later(s);
        if (job) {
            compose(job->action_topic, "answered/", publish->topic, "");
            job->action_payload = "ok";
        }
        return defer_to_thread(s, call, job);
    }
    if (starts_with(publish->topic, "echo/")) {
        char topic[300];
        int n = snprintf(topic, sizeof topic, "echoed/%.*s", (int)(publish->topic.len - 5),
                         publish->topic.data + 5);
        if (n > 0 && (size_t)n < sizeof topic) {
            akasa_str t = {topic, (size_t)n};
            s->host->add_publish_action(answer, t, publish->payload, 0, 0);
        }
    }
    if (starts_with(publish->topic, "keep/")) {
        char topic[300];
        int n = snprintf(topic, sizeof topic, "kept/%.*s", (int)(publish->topic.len - 5),
                         publish->topic.data + 5);
        if (n > 0 && (size_t)n < sizeof topic) {
            akasa_str t = {topic, (size_t)n};
            s->host->add_publish_action(answer, t, publish->payload, 1, 1);
        }
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_after_subscribe(void* state, const akasa_session* session,
                                                     const akasa_subscription* subscriptions,
                                                     const uint8_t* reason_codes, size_t count,
                                                     akasa_call* call, akasa_answer* answer) {
    plugin_state* s = state;
    (void)session;
    (void)reason_codes;
    (void)answer;
    for (size_t i = 0; i < count; ++i) {
        if (!starts_with(subscriptions[i].filter, "deferred/")) continue;
        later* job = new_later(s);
        if (job) {
            snprintf(job->action_topic, TEXT_SIZE, "deferred/done");
            job->action_payload = "ok";
        }
        return defer_to_thread(s, call, job);
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_unsubscribe(void* state, const akasa_session* session,
                                                        const akasa_str* filters, size_t count,
                                                        akasa_call* call, akasa_answer* answer) {
    (void)session;
    return answer_filters(state, call, answer, filters, count, "locked/", "slow/keep");
}

AKASA_PLUGIN_EXPORT void akasa_plugin_after_disconnect(void* state, const akasa_session* session,
                                                       int taken_over) {
    plugin_state* s = state;
    if (!s->events_file[0]) return;
    FILE* f = fopen(s->events_file, "a");
    if (!f) return;
    fprintf(f, "disconnect %.*s taken_over=%d listener=%.*s", (int)session->client_id.len,
            session->client_id.data ? session->client_id.data : "", taken_over ? 1 : 0,
            (int)session->listener.len, session->listener.data ? session->listener.data : "");
    if (session->has_tls_peer_subject) {
        fprintf(f, " tls_subject=%.*s", (int)session->tls_peer_subject.len,
                session->tls_peer_subject.data ? session->tls_peer_subject.data : "");
    }
    fputc('\n', f);
    fclose(f);
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_subscribe(void* state, const akasa_session* session,
                                                      const akasa_subscription* subscriptions,
                                                      size_t count, akasa_call* call,
                                                      akasa_answer* answer) {
    (void)session;
    akasa_str* filters = malloc((count ? count : 1) * sizeof *filters);
    if (!filters) return AKASA_DONE;
    for (size_t i = 0; i < count; ++i)
        filters[i] = subscriptions[i].filter;
    int rc = answer_filters(state, call, answer, filters, count, "private/", "slow/no");
    free(filters);
    return rc;
}
