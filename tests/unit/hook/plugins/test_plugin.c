/* A plugin for the hook unit tests (tests/unit/hook/plugin_hook_test.cpp) and, later, the
 * integration tests. Behaviour, by input:
 *  - before_connect: username "denied" -> NotAuthorized; username "async" -> answered from
 *    another thread: accepted when the password is "ok", else BadUserNameOrPassword;
 *  - after_connect: subscribes the session to "inbox/<client id>" (QoS 1);
 *  - before_publish: topic starting with "blocked/" -> NotAuthorized;
 *  - before_subscribe: filters starting with "private/" -> NotAuthorized.
 * Option `deinit_marker: PATH`: deinit writes "deinit" to PATH (proves it ran).
 * Build variants: -DTEST_PLUGIN_ABI_VERSION=N reports ABI version N;
 * -DTEST_PLUGIN_OMIT_INIT leaves akasa_plugin_init out. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "akasa/plugin.h"

#ifndef TEST_PLUGIN_ABI_VERSION
#define TEST_PLUGIN_ABI_VERSION AKASA_PLUGIN_ABI_VERSION
#endif

typedef struct plugin_state {
    const akasa_plugin_host* host;
    char deinit_marker[512];
    unsigned threads_started;
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
        if (str_is(options[i].key, "fail_init")) {
            host->log(AKASA_LOG_ERROR, cstr("test plugin: asked to fail"));
            free(s);
            return 7;
        }
    }
    *state = s;
    return 0;
}
#endif

AKASA_PLUGIN_EXPORT void akasa_plugin_deinit(void* state) {
    plugin_state* s = state;
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
    return AKASA_DONE;
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
