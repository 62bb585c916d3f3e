/* An example Akasa plugin, meant to be copied: it authenticates clients against a list of
 * users given in its options, and rewrites a topic prefix of incoming PUBLISH packets.
 *
 * Options (the `options:` map of its `plugins:` entry in the server config):
 *   users: "alice:secret,bob:hunter2"   comma-separated username:password pairs (required)
 *   allow_anonymous: "true"             accept clients that send no username (default false)
 *   rewrite_from: "legacy/"             a PUBLISH to legacy/x is delivered as ...
 *   rewrite_to: "v2/"                   ... v2/x (both or neither)
 *
 * Threads: init/deinit run once; the callbacks run on every worker thread at once, so the
 * state is read-only after init. Nothing here blocks. A real plugin would store password
 * hashes, not passwords, and compare them in constant time. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "akasa/plugin.h"

typedef struct user {
    char* name;
    char* password;
} user;

typedef struct auth_state {
    const akasa_plugin_host* host;
    user* users;
    size_t user_count;
    int allow_anonymous;
    char* rewrite_from;
    char* rewrite_to;
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

static void free_state(auth_state* s) {
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
static int parse_users(auth_state* s, akasa_str list) {
    char* text = copy_str(list);
    if (!text) return 1;
    char* save = NULL;
    for (char* entry = strtok_r(text, ",", &save); entry; entry = strtok_r(NULL, ",", &save)) {
        char* colon = strrchr(entry, ':');
        if (!colon || colon == entry) {
            s->host->log(AKASA_LOG_ERROR, cstr("auth_plugin: `users` entries are name:password"));
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

AKASA_PLUGIN_EXPORT uint32_t akasa_plugin_abi_version(void) {
    return AKASA_PLUGIN_ABI_VERSION;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_init(const akasa_plugin_host* host, const akasa_kv* options,
                                          size_t option_count, void** state) {
    auth_state* s = calloc(1, sizeof *s);
    if (!s) return 1;
    s->host = host;
    int have_users = 0;
    for (size_t i = 0; i < option_count; ++i) {
        const akasa_kv* o = &options[i];
        if (key_is(o->key, "users")) {
            have_users = 1;
            if (parse_users(s, o->value) != 0) {
                free_state(s);
                return 1;
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
            free_state(s);
            return 1;
        }
    }
    if (!have_users || (!s->rewrite_from != !s->rewrite_to)) {
        host->log(AKASA_LOG_ERROR,
                  cstr("auth_plugin: needs `users`, and rewrite_from with rewrite_to"));
        free_state(s);
        return 1;
    }
    host->log(AKASA_LOG_INFO, cstr("auth_plugin: ready"));
    *state = s;
    return 0;
}

AKASA_PLUGIN_EXPORT void akasa_plugin_deinit(void* state) {
    free_state(state);
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_connect(void* state, const akasa_session* session,
                                                    const akasa_connect* connect, akasa_call* call,
                                                    akasa_answer* answer) {
    auth_state* s = state;
    (void)session;
    (void)call;
    if (!connect->has_username) {
        if (!s->allow_anonymous) {
            s->host->set_reason(answer, AKASA_RC_NOT_AUTHORIZED, cstr("a username is required"));
        }
        return AKASA_DONE;
    }
    for (size_t i = 0; i < s->user_count; ++i) {
        if (equals(connect->username, s->users[i].name)) {
            if (connect->has_password && equals(connect->password, s->users[i].password)) {
                return AKASA_DONE; /* accepted: leave the answer untouched */
            }
            break;
        }
    }
    s->host->set_reason(answer, AKASA_RC_BAD_USERNAME_OR_PASSWORD, cstr(""));
    return AKASA_DONE;
}

AKASA_PLUGIN_EXPORT int akasa_plugin_before_publish(void* state, const akasa_session* session,
                                                    const akasa_publish* publish, akasa_call* call,
                                                    akasa_answer* answer) {
    auth_state* s = state;
    (void)session;
    (void)call;
    if (!s->rewrite_from) return AKASA_DONE;
    size_t from_len = strlen(s->rewrite_from);
    if (publish->topic.len < from_len || memcmp(publish->topic.data, s->rewrite_from, from_len))
        return AKASA_DONE;
    size_t to_len = strlen(s->rewrite_to);
    size_t rest_len = publish->topic.len - from_len;
    char* topic = malloc(to_len + rest_len);
    if (!topic) return AKASA_DONE;
    memcpy(topic, s->rewrite_to, to_len);
    memcpy(topic + to_len, publish->topic.data + from_len, rest_len);
    akasa_str new_topic = {topic, to_len + rest_len};
    s->host->set_publish_topic(answer, new_topic); /* the server copies it */
    free(topic);
    return AKASA_DONE;
}
