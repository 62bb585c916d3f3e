/* The Akasa plugin C ABI. A plugin is a shared library that exports the functions declared
 * at the end of this file; the server loads it with dlopen at start (config key `plugins:`).
 * docs/plugins.md is the guide, with a walk-through of examples/auth_plugin.
 *
 * Versioning: AKASA_PLUGIN_ABI_VERSION changes whenever a change would break a plugin built
 * against an earlier header (a struct layout, a function signature, a meaning). The server
 * refuses a plugin whose akasa_plugin_abi_version() differs from its own, naming both.
 * Compatible additions do not change it: new hook points are new optional exports, and new
 * host functions are appended to akasa_plugin_host (check `struct_size` before using one).
 *
 * Plain C: no C++ types cross this boundary, so a plugin may be built by another compiler
 * or in another language. Strings are (pointer, length) views, not NUL-terminated; every
 * view the server passes is valid only during the call. Every view a plugin passes to a
 * host function is copied before that function returns.
 *
 * Threads: init/deinit run on the main thread; thread_init/thread_deinit on each worker
 * thread as it starts/stops; hook callbacks on the worker owning the session, from all
 * workers at once; reconfigure (SIGHUP) on the main thread while the callbacks go on.
 * A callback must never block: to answer after I/O, call host->defer(), return
 * AKASA_PENDING, and later (from any thread) fill host->completion_answer() and call
 * host->complete(). */
#ifndef AKASA_PLUGIN_H
#define AKASA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AKASA_PLUGIN_ABI_VERSION 1u

#if defined(__GNUC__)
#define AKASA_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define AKASA_PLUGIN_EXPORT
#endif

/* What a hook callback returns. */
#define AKASA_DONE 0    /* the answer (if any) is in `answer` */
#define AKASA_PENDING 1 /* host->defer() was called; the answer comes via host->complete() */

/* MQTT 5 reason codes a plugin most often answers with (any spec reason code is allowed). */
#define AKASA_RC_SUCCESS 0x00
#define AKASA_RC_UNSPECIFIED_ERROR 0x80
#define AKASA_RC_IMPLEMENTATION_SPECIFIC_ERROR 0x83
#define AKASA_RC_CLIENT_IDENTIFIER_NOT_VALID 0x85
#define AKASA_RC_BAD_USERNAME_OR_PASSWORD 0x86
#define AKASA_RC_NOT_AUTHORIZED 0x87
#define AKASA_RC_SERVER_UNAVAILABLE 0x88
#define AKASA_RC_TOPIC_FILTER_INVALID 0x8F
#define AKASA_RC_TOPIC_NAME_INVALID 0x90
#define AKASA_RC_QUOTA_EXCEEDED 0x97
#define AKASA_RC_CONNECTION_RATE_EXCEEDED 0x9F

#define AKASA_LOG_DEBUG 0
#define AKASA_LOG_INFO 1
#define AKASA_LOG_WARN 2
#define AKASA_LOG_ERROR 3

typedef struct akasa_str {
    const char* data; /* may be NULL when len is 0 */
    size_t len;
} akasa_str;

/* A configuration option or an MQTT 5 user property. */
typedef struct akasa_kv {
    akasa_str key;
    akasa_str value;
} akasa_kv;

typedef struct akasa_session {
    akasa_str client_id;
    int has_username;
    akasa_str username;
    uint8_t protocol_version; /* 3: MQTT 3.1, 4: 3.1.1, 5: 5.0 */
    akasa_str peer_address;   /* "127.0.0.1:50312", "[::1]:50312" */
    int has_tls_peer_subject;
    akasa_str tls_peer_subject;
    akasa_str listener; /* "mqtt", "mqtts", "ws", "wss" */
} akasa_session;

typedef struct akasa_connect {
    akasa_str client_id;
    int has_username;
    akasa_str username;
    int has_password;
    akasa_str password; /* binary */
    uint16_t keep_alive;
    int clean_start;
    int has_will;
    akasa_str will_topic;
    akasa_str will_payload;
    uint8_t will_qos;
    int will_retain;
} akasa_connect;

typedef struct akasa_publish {
    akasa_str topic;
    akasa_str payload;
    uint8_t qos;
    int retain;
    int dup;
    const akasa_kv* user_properties; /* MQTT 5 only */
    size_t user_property_count;
} akasa_publish;

typedef struct akasa_subscription {
    akasa_str filter;
    uint8_t qos;
    int no_local;
    int retain_as_published;
    uint8_t retain_handling;
} akasa_subscription;

/* Opaque handles owned by the server. */
typedef struct akasa_call akasa_call;             /* the hook call being answered */
typedef struct akasa_answer akasa_answer;         /* where an answer is written */
typedef struct akasa_completion akasa_completion; /* a deferred call, answered later */

typedef struct akasa_plugin_host {
    uint32_t abi_version; /* AKASA_PLUGIN_ABI_VERSION of the server */
    uint32_t struct_size; /* sizeof(akasa_plugin_host) of the server */

    void (*log)(int level, akasa_str message);

    /* Answers. before_connect/before_publish: an error code (>= 0x80) refuses; reason
     * string optional (may be {NULL, 0}). */
    void (*set_reason)(akasa_answer* answer, uint8_t reason_code, akasa_str reason_string);
    /* before_publish: replace the topic / payload. */
    void (*set_publish_topic)(akasa_answer* answer, akasa_str topic);
    void (*set_publish_payload)(akasa_answer* answer, akasa_str payload);
    /* before_subscribe/before_unsubscribe: refuse filter `index` with an error code. */
    void (*set_filter_reason)(akasa_answer* answer, size_t index, uint8_t reason_code);
    /* after_*: act on behalf of the session. */
    void (*add_publish_action)(akasa_answer* answer, akasa_str topic, akasa_str payload,
                               uint8_t qos, int retain);
    void (*add_subscribe_action)(akasa_answer* answer, akasa_str filter, uint8_t qos);
    void (*add_unsubscribe_action)(akasa_answer* answer, akasa_str filter);

    /* Asynchronous answers. defer() during a callback (once), then return AKASA_PENDING.
     * Later, from any thread: write into completion_answer(c), then complete(c), which
     * sends the answer and frees `c`. Call complete() exactly once per defer(): a
     * completion never completed leaks, and its client waits for the server's hook timeout.
     * defer() returns NULL when this call cannot be answered later: answer now instead. */
    akasa_completion* (*defer)(akasa_call* call);
    akasa_answer* (*completion_answer)(akasa_completion* completion);
    void (*complete)(akasa_completion* completion);
} akasa_plugin_host;

/* ---- What a plugin exports ----------------------------------------------------------- */

/* Required. Return AKASA_PLUGIN_ABI_VERSION (of the header the plugin was built with). */
AKASA_PLUGIN_EXPORT uint32_t akasa_plugin_abi_version(void);

/* Required. `host` stays valid until deinit returns; `options` only during the call. Store
 * per-plugin state in *state. Return 0 on success; anything else refuses to start the
 * server (log why with host->log first). */
AKASA_PLUGIN_EXPORT int akasa_plugin_init(const akasa_plugin_host* host, const akasa_kv* options,
                                          size_t option_count, void** state);

/* Required. Called once at shutdown after every worker stopped; free everything. */
AKASA_PLUGIN_EXPORT void akasa_plugin_deinit(void* state);

/* Optional. A SIGHUP reload found this plugin's `options:` changed (its `path` unchanged):
 * put the new options in force. It runs on the main thread while the worker threads keep
 * calling the hook callbacks, so switch in a way that each callback sees either the old or
 * the new options, never a mix (a read-write lock, or an atomic pointer to an immutable copy
 * that is freed only when no callback can hold it; examples/auth_plugin uses a lock). Return 0
 * once the new options are in force. Anything else refuses them: the previous options must
 * stay in force (log why with host->log first), and the whole reload then changes nothing
 * (plugins that took their new options in the same reload are called again with their
 * previous ones). `options` only during the call. A plugin without this export keeps its
 * options until a restart; the server logs "restart needed for plugins[N].options". */
AKASA_PLUGIN_EXPORT int akasa_plugin_reconfigure(void* state, const akasa_kv* options,
                                                 size_t option_count);

/* Optional: per worker thread. */
AKASA_PLUGIN_EXPORT void akasa_plugin_thread_init(void* state, unsigned worker_index);
AKASA_PLUGIN_EXPORT void akasa_plugin_thread_deinit(void* state, unsigned worker_index);

/* Optional hook points: export only those you use. Each returns AKASA_DONE or
 * AKASA_PENDING (after_disconnect returns nothing). */
AKASA_PLUGIN_EXPORT int akasa_plugin_before_connect(void* state, const akasa_session* session,
                                                    const akasa_connect* connect, akasa_call* call,
                                                    akasa_answer* answer);
AKASA_PLUGIN_EXPORT int akasa_plugin_after_connect(void* state, const akasa_session* session,
                                                   int session_present, akasa_call* call,
                                                   akasa_answer* answer);
AKASA_PLUGIN_EXPORT int akasa_plugin_before_publish(void* state, const akasa_session* session,
                                                    const akasa_publish* publish, akasa_call* call,
                                                    akasa_answer* answer);
AKASA_PLUGIN_EXPORT int akasa_plugin_after_publish(void* state, const akasa_session* session,
                                                   const akasa_publish* publish, int changed,
                                                   akasa_call* call, akasa_answer* answer);
AKASA_PLUGIN_EXPORT int akasa_plugin_before_subscribe(void* state, const akasa_session* session,
                                                      const akasa_subscription* subscriptions,
                                                      size_t count, akasa_call* call,
                                                      akasa_answer* answer);
/* reason_codes: the SUBACK codes, one per subscription. */
AKASA_PLUGIN_EXPORT int akasa_plugin_after_subscribe(void* state, const akasa_session* session,
                                                     const akasa_subscription* subscriptions,
                                                     const uint8_t* reason_codes, size_t count,
                                                     akasa_call* call, akasa_answer* answer);
AKASA_PLUGIN_EXPORT int akasa_plugin_before_unsubscribe(void* state, const akasa_session* session,
                                                        const akasa_str* filters, size_t count,
                                                        akasa_call* call, akasa_answer* answer);
AKASA_PLUGIN_EXPORT int akasa_plugin_after_unsubscribe(void* state, const akasa_session* session,
                                                       const akasa_str* filters, size_t count,
                                                       akasa_call* call, akasa_answer* answer);
AKASA_PLUGIN_EXPORT void akasa_plugin_after_disconnect(void* state, const akasa_session* session,
                                                       int taken_over);

/* Function pointer types, for the loader. */
typedef uint32_t (*akasa_plugin_abi_version_fn)(void);
typedef int (*akasa_plugin_init_fn)(const akasa_plugin_host*, const akasa_kv*, size_t, void**);
typedef void (*akasa_plugin_deinit_fn)(void*);
typedef int (*akasa_plugin_reconfigure_fn)(void*, const akasa_kv*, size_t);
typedef void (*akasa_plugin_thread_fn)(void*, unsigned);
typedef int (*akasa_plugin_before_connect_fn)(void*, const akasa_session*, const akasa_connect*,
                                              akasa_call*, akasa_answer*);
typedef int (*akasa_plugin_after_connect_fn)(void*, const akasa_session*, int, akasa_call*,
                                             akasa_answer*);
typedef int (*akasa_plugin_before_publish_fn)(void*, const akasa_session*, const akasa_publish*,
                                              akasa_call*, akasa_answer*);
typedef int (*akasa_plugin_after_publish_fn)(void*, const akasa_session*, const akasa_publish*, int,
                                             akasa_call*, akasa_answer*);
typedef int (*akasa_plugin_before_subscribe_fn)(void*, const akasa_session*,
                                                const akasa_subscription*, size_t, akasa_call*,
                                                akasa_answer*);
typedef int (*akasa_plugin_after_subscribe_fn)(void*, const akasa_session*,
                                               const akasa_subscription*, const uint8_t*, size_t,
                                               akasa_call*, akasa_answer*);
typedef int (*akasa_plugin_unsubscribe_fn)(void*, const akasa_session*, const akasa_str*, size_t,
                                           akasa_call*, akasa_answer*);
typedef void (*akasa_plugin_after_disconnect_fn)(void*, const akasa_session*, int);

#ifdef __cplusplus
}
#endif

#endif /* AKASA_PLUGIN_H */
