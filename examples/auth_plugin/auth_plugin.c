/* An example Akasa plugin, meant to be copied: it authenticates clients against a list of
 * users given in its options, and rewrites a topic prefix of incoming PUBLISH packets.
 *
 * Options (the `options:` map of its `plugins:` entry in the server config):
 *   users: "alice:secret,bob:hunter2"   comma-separated username:password pairs (required)
 *   allow_anonymous: "true"             accept clients that send no username (default false)
 *   rewrite_from: "legacy/"             a PUBLISH to legacy/x is delivered as ...
 *   rewrite_to: "v2/"                   ... v2/x (both or neither)
 *
 * New options take effect on SIGHUP without a restart (akasa_plugin_reconfigure): the
 * options live in one `settings` block, which the callbacks read under a read lock and a
 * reload replaces whole under the write lock. Invalid new options are refused and the
 * current ones stay.
 *
 * Threads: init/deinit and reconfigure run on the main thread; the callbacks run on every
 * worker thread at once, and only read the settings. Nothing here blocks for long: the
 * write lock is held for a pointer swap. A real plugin would store password hashes, not
 * passwords, and compare them in constant time. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "akasa/plugin.h"

typedef struct user {
    char* name;
    char* password;
} user;

/* What the options say; never changed once built (a reload builds a new one). */
typedef struct settings {
    user* users;
    size_t user_count;
    int allow_anonymous;
    char* rewrite_from;
    char* rewrite_to;
} settings;

typedef struct auth_state {
    const akasa_plugin_host* host;
    pthread_rwlock_t lock; /* guards `current` */
    settings* current;
} auth_state;

static akasa_str cstr(const char* text) {
    akasa_str s = {text, strlen(text)};
    return s;
}

static int key_is(akasa_str key, const char* name) {
    size_t n = strlen(name);
    return key.len == n && memcmp(key.data, name, n) == 0;
}

static char* copy_str(akasa_str s) {
    char* out = malloc(s.len + 1);
    if (!out) return NULL;
    if (s.len) memcpy(out, s.data, s.len);
    out[s.len] = '\0';
    return out;
}

static int equals(akasa_str s, const char* text) {
    size_t n = strlen(text);
    return s.len == n && (n == 0 || memcmp(s.data, text, n) == 0);
}

static void free_settings(settings* s) {
    if (!s) return;
    for (size_t i = 0; i < s->user_count; ++i) {
        free(s->users[i].name);
        free(s->users[i].password);
    }
    free(s->users);
    free(s->rewrite_from);
    free(s->rewrite_to);
    free(s);
}

/* Parses "name:password,name:password" into s->users. Returns 0 on success. */
static int parse_users(const akasa_plugin_host* host, settings* s, akasa_str list) {
    char* text = copy_str(list);
    if (!text) return 1;
    char* save = NULL;
    for (char* entry = strtok_r(text, ",", &save); entry; entry = strtok_r(NULL, ",", &save)) {
        char* colon = strrchr(entry, ':');
        if (!colon || colon == entry) {
            host->log(AKASA_LOG_ERROR, cstr("auth_plugin: `users` entries are name:password"));
            free(text);
            return 1;
        }
        user* grown = realloc(s->users, (s->user_count + 1) * sizeof *grown);
        if (!grown) {
            free(text);
            return 1;
        }
        s->users = grown;
        *colon = '\0';
        s->users[s->user_count].name = strdup(entry);
        s->users[s->user_count].password = strdup(colon + 1);
        s->user_count++;
    }
    free(text);
    return 0;
}

/* The settings `options` describe, or NULL (logged) when they are not valid. */
static settings* parse_settings(const akasa_plugin_host* host, const akasa_kv* options,
                                size_t option_count) {
    settings* s = calloc(1, sizeof *s);
    if (!s) return NULL;
    int have_users = 0;
    for (size_t i = 0; i < option_count; ++i) {
        const akasa_kv* o = &options[i];
        if (key_is(o->key, "users")) {
            have_users = 1;
            if (parse_users(host, s, o->value) != 0) {
                free_settings(s);
                return NULL;
            }
        } else if (key_is(o->key, "allow_anonymous")) {
            s->allow_anonymous = equals(o->value, "true");
        } else if (key_is(o->key, "rewrite_from")) {
            s->rewrite_from = copy_str(o->value);
        } else if (key_is(o->key, "rewrite_to")) {
            s->rewrite_to = copy_str(o->value);
        } else {
            host->log(AKASA_LOG_ERROR, cstr("auth_plugin: unknown option (expected users, "
                                            "allow_anonymous, rewrite_from, rewrite_to)"));
            free_settings(s);
            return NULL;
        }
    }
    if (!have_users || (!s->rewrite_from != !s->rewrite_to)) {
        host->log(AKASA_LOG_ERROR,
                  cstr("auth_plugin: needs `users`, and rewrite_from with rewrite_to"));
        free_settings(s);
        return NULL;
    }
    return s;
}

AKASA_PLUGIN_EXPORT uint32_t akasa_plugin_abi_version(void) {
    return AKASA_PLUGIN_ABI_VERSION;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_init(const akasa_plugin_host* host, const akasa_kv* options,
                                          size_t option_count, void** state) {
    auth_state* s = calloc(1, sizeof *s);
    if (!s) return 1;
    s->host = host;
    s->current = parse_settings(host, options, option_count);
    if (!s->current || pthread_rwlock_init(&s->lock, NULL) != 0) {
        free_settings(s->current);
        free(s);
        return 1;
    }
    host->log(AKASA_LOG_INFO, cstr("auth_plugin: ready"));
    *state = s;
    return 0;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_reconfigure(void* state, const akasa_kv* options,
                                                 size_t option_count) {
    auth_state* s = state;
    settings* next = parse_settings(s->host, options, option_count);
    if (!next) return 1; /* logged; the current settings stay */
    pthread_rwlock_wrlock(&s->lock);
    settings* previous = s->current;
    s->current = next;
    pthread_rwlock_unlock(&s->lock);
    free_settings(previous); /* no callback can hold it: they read it under the lock */
    s->host->log(AKASA_LOG_INFO, cstr("auth_plugin: new options in force"));
    return 0;
}

AKASA_PLUGIN_EXPORT void akasa_plugin_deinit(void* state) {
    auth_state* s = state;
    pthread_rwlock_destroy(&s->lock);
    free_settings(s->current);
    free(s);
}

/* The answer for `connect` under settings `c`: 0, or the reason code refusing it. */
static uint8_t check_login(const settings* c, const akasa_connect* connect) {
    if (!connect->has_username) return c->allow_anonymous ? 0 : AKASA_RC_NOT_AUTHORIZED;
    for (size_t i = 0; i < c->user_count; ++i) {
        if (equals(connect->username, c->users[i].name)) {
            if (connect->has_password && equals(connect->password, c->users[i].password)) {
                return 0;
            }
            break;
        }
    }
    return AKASA_RC_BAD_USERNAME_OR_PASSWORD;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_connect(void* state, const akasa_session* session,
                                                    const akasa_connect* connect, akasa_call* call,
                                                    akasa_answer* answer) {
    auth_state* s = state;
    (void)session;
    (void)call;
    pthread_rwlock_rdlock(&s->lock);
    const uint8_t refusal = check_login(s->current, connect);
    pthread_rwlock_unlock(&s->lock);
    if (refusal == AKASA_RC_NOT_AUTHORIZED) {
        s->host->set_reason(answer, refusal, cstr("a username is required"));
    } else if (refusal != 0) {
        s->host->set_reason(answer, refusal, cstr(""));
    }
    return AKASA_DONE; /* accepted: the answer is left untouched */
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_publish(void* state, const akasa_session* session,
                                                    const akasa_publish* publish, akasa_call* call,
                                                    akasa_answer* answer) {
    auth_state* s = state;
    (void)session;
    (void)call;
    pthread_rwlock_rdlock(&s->lock);
    const settings* c = s->current;
    if (c->rewrite_from) {
        size_t from_len = strlen(c->rewrite_from);
        if (publish->topic.len >= from_len &&
            memcmp(publish->topic.data, c->rewrite_from, from_len) == 0) {
            size_t to_len = strlen(c->rewrite_to);
            size_t rest_len = publish->topic.len - from_len;
            char* topic = malloc(to_len + rest_len);
            if (topic) {
                memcpy(topic, c->rewrite_to, to_len);
                memcpy(topic + to_len, publish->topic.data + from_len, rest_len);
                akasa_str new_topic = {topic, to_len + rest_len};
                s->host->set_publish_topic(answer, new_topic); /* the server copies it */
                free(topic);
            }
        }
    }
    pthread_rwlock_unlock(&s->lock);
    return AKASA_DONE;
}
