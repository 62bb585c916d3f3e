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

typedef struct async_auth {
    const akasa_plugin_host* host;
    akasa_completion* completion;
    int password_ok;
} async_auth;

static void* answer_later(void* arg) {
    async_auth* job = arg;
    akasa_answer* answer = job->host->completion_answer(job->completion);
    if (!job->password_ok) {
        job->host->set_reason(answer, AKASA_RC_BAD_USERNAME_OR_PASSWORD, cstr("async says no"));
    }
    job->host->complete(job->completion);
    free(job);
    return NULL;
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
        int hold = str_is(connect->username, "hold");
        pthread_mutex_lock(&s->held_lock);
        akasa_completion** list = hold ? s->held : s->never;
        size_t* count = hold ? &s->held_count : &s->never_count;
        if (*count < MAX_HELD) {
            list[(*count)++] = completion;
            completion = NULL;
        }
        pthread_mutex_unlock(&s->held_lock);
        if (completion) s->host->complete(completion); /* full: accept at once */
        return AKASA_PENDING;
    }
    if (str_is(connect->username, "async")) {
        akasa_completion* completion = s->host->defer(call);
        if (!completion) {
            s->host->set_reason(answer, AKASA_RC_SERVER_UNAVAILABLE, cstr("cannot defer"));
            return AKASA_DONE;
        }
        async_auth* job = malloc(sizeof *job);
        job->host = s->host;
        job->completion = completion;
        job->password_ok = connect->has_password && str_is(connect->password, "ok");
        pthread_t thread;
        if (pthread_create(&thread, NULL, answer_later, job) != 0) {
            answer_later(job); /* still answers, from this thread */
            return AKASA_PENDING;
        }
        pthread_detach(thread);
        return AKASA_PENDING;
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_after_connect(void* state, const akasa_session* session,
                                                   int session_present, akasa_call* call,
                                                   akasa_answer* answer) {
    plugin_state* s = state;
    (void)session_present;
    (void)call;
    char filter[300];
    int n = snprintf(filter, sizeof filter, "inbox/%.*s", (int)session->client_id.len,
                     session->client_id.data ? session->client_id.data : "");
    if (n > 0 && (size_t)n < sizeof filter) {
        akasa_str f = {filter, (size_t)n};
        s->host->add_subscribe_action(answer, f, 1);
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_publish(void* state, const akasa_session* session,
                                                    const akasa_publish* publish, akasa_call* call,
                                                    akasa_answer* answer) {
    plugin_state* s = state;
    (void)session;
    (void)call;
    if (starts_with(publish->topic, "blocked/")) {
        s->host->set_reason(answer, AKASA_RC_NOT_AUTHORIZED, cstr(""));
    }
    if (starts_with(publish->topic, "stall/")) {
        struct timespec stall = {3, 0};
        while (nanosleep(&stall, &stall) != 0) {
        }
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
    (void)call;
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

static void* publish_later(void* arg) {
    async_auth* job = arg;
    akasa_answer* answer = job->host->completion_answer(job->completion);
    job->host->add_publish_action(answer, cstr("deferred/done"), cstr("ok"), 1, 0);
    job->host->complete(job->completion);
    free(job);
    return NULL;
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
        akasa_completion* completion = s->host->defer(call);
        if (!completion) return AKASA_DONE;
        async_auth* job = malloc(sizeof *job);
        job->host = s->host;
        job->completion = completion;
        job->password_ok = 1;
        pthread_t thread;
        if (pthread_create(&thread, NULL, publish_later, job) != 0) {
            publish_later(job);
            return AKASA_PENDING;
        }
        pthread_detach(thread);
        return AKASA_PENDING;
    }
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_unsubscribe(void* state, const akasa_session* session,
                                                        const akasa_str* filters, size_t count,
                                                        akasa_call* call, akasa_answer* answer) {
    plugin_state* s = state;
    (void)session;
    (void)call;
    for (size_t i = 0; i < count; ++i) {
        if (starts_with(filters[i], "locked/")) {
            s->host->set_filter_reason(answer, i, AKASA_RC_NOT_AUTHORIZED);
        }
    }
    return AKASA_DONE;
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
    plugin_state* s = state;
    (void)session;
    (void)call;
    for (size_t i = 0; i < count; ++i) {
        if (starts_with(subscriptions[i].filter, "private/")) {
            s->host->set_filter_reason(answer, i, AKASA_RC_NOT_AUTHORIZED);
        }
    }
    return AKASA_DONE;
}
