#include "config/default_config.h"

#include <string_view>

namespace akasa::config {
namespace {

// Everything before the auth section. Keep in step with config.h: the round-trip test
// compares the parsed document with a default Config.
constexpr std::string_view kListeners =
    R"(# Akasa configuration (YAML). Every key is shown with its default value.
# Reference: docs/configuration.md. Unknown keys and wrong types are rejected at start.
# Addresses are IPv4:port or [IPv6]:port (no host names). Relative paths are relative to
# the directory the server is started from.

listeners:                    # at least one of mqtt, mqtts, ws, wss must be set
  mqtt:                       # MQTT over plain TCP; null disables it
    addr: 127.0.0.1:1883      # 0.0.0.0:1883 (or [::]:1883) to accept remote clients
    reuse_port: true          # SO_REUSEPORT: one listening socket per worker thread
    proxy_mode: null          # null | Normal | TlsTermination (PROXY protocol v2 header)
    proxy_allowed_sources: null   # with proxy_mode: the proxies' addresses or networks,
                              # e.g. [10.0.0.0/8, "::1"]; others are closed. null: any source
  mqtts: null                 # MQTT over TLS, for example:
  #  addr: 0.0.0.0:8883
  #  reuse_port: true
  #  proxy: false             # a PROXY v2 header precedes the TLS handshake
  #  proxy_allowed_sources: null   # with proxy: true, as for mqtt
  #  ca_file: null            # CA for client certificates; required when verify_peer is true
  #  key_file: /path/to/key.pem
  #  cert_file: /path/to/cert.pem
  #  verify_peer: false       # ask for client certificates and verify them against ca_file
  #  fail_if_no_peer_cert: false   # with verify_peer: refuse clients that send none
  ws: null                    # MQTT over WebSocket, same keys as mqtt, plus:
  #  path: null               # the one URL path that upgrades, e.g. /mqtt; null: any path
  #  allowed_origins: null    # web pages that may connect, e.g. ["https://app.example.com"];
                              # null: any. Clients that send no Origin (not browsers) always may
  wss: null                   # MQTT over WebSocket over TLS, same keys as mqtts, plus
                              # path and allowed_origins as for ws
  http:                       # health check and metrics; null disables it
    addr: 127.0.0.1:8081
    reuse_port: true
    prometheus: true          # serve GET /metrics in the Prometheus text format

)";

constexpr std::string_view kAuthEnabled = R"(auth:
  enable: true                # clients must log in with a user of password_file
  # The file must exist before the server starts. Create it with
  #   akasa insert-password --create --path ./passwords --username NAME
  # and add more users with the same command without --create.
  password_file: ./passwords
)";

constexpr std::string_view kAuthDisabled = R"(auth:
  enable: false               # anonymous clients allowed; true requires password_file
  password_file: null         # create one with: akasa insert-password --create --path FILE --username NAME
)";

// Ours, the same in both documents: where logins are checked and how failures are limited
// (docs/security.md, "Logins").
constexpr std::string_view kAuthOurs =
    R"(  hash_threads: 0             # threads checking passwords off the event loops; 0: half the worker threads
  max_pending_logins: 1024    # password checks waiting for those threads; more: Server busy
  max_failed_logins: 10       # failed logins from one address within failed_login_window that
                              # block it for failed_login_block seconds; 0: no limit
  failed_login_window: 60     # seconds
  failed_login_block: 300     # seconds
  failed_login_addresses: 65536   # addresses tracked at most (the oldest is forgotten first)

)";

constexpr std::string_view kRest =
    R"(scram_users: {}                # MQTT v5 enhanced authentication (SCRAM-SHA-256) users, e.g.:
#  alice:                     # printed by: akasa scram-password --username alice
#    stored_key: <64 hex digits: SHA-256(HMAC(SaltedPassword, "Client Key"))>
#    server_key: <64 hex digits: HMAC(SaltedPassword, "Server Key")>
#    iterations: 4096         # at least 4096
#    salt: 73616c74           # hex
#  bob:                       # Akasa's form (password-equivalent: prefer the one above)
#    hashed_password: <64 hex digits: SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations)>
#    iterations: 4096
#    salt: 626f62
sasl_mechanisms: [SCRAM-SHA-256]
check_v310_client_id_length: false   # MQTT 3.1: refuse client ids longer than 23 characters
shared_subscription_mode: Random     # Random | HashClientId | HashTopicName
max_allowed_qos: 2                   # 0..2
inflight_timeout: 15                 # seconds before an unacknowledged message is resent
max_inflight_client: 10              # receive maximum assumed for clients that announce none
max_inflight_server: 10              # receive maximum the server announces
max_in_mem_pending_messages: 256     # messages queued per session before dropping
max_in_db_pending_messages: 65536    # messages queued per session in the persistent store
min_keep_alive: 10                   # MQTT v5: a smaller keep alive is raised to this
max_keep_alive: 65535                # MQTT v5: a larger keep alive is lowered to this
multiple_subscription_id_in_publish: false   # send every matching subscription id, not one
max_session_expiry_interval: 4294967295      # seconds; MQTT v5 clients asking more get this
max_packet_size_client: 268435460    # largest packet sent to a client that states no limit (bytes)
max_packet_size_server: 268435460    # largest packet accepted from a client (bytes)
topic_alias_max: 65535               # MQTT v5 topic aliases a client may use (0: none)
retain_available: true
shared_subscription_available: true
subscription_id_available: true
wildcard_subscription_available: true
hook:                                # which hook points are called
  enable_before_connect: true
  enable_after_connect: true
  enable_after_disconnect: true
  enable_publish: true
  enable_subscribe: true
  enable_unsubscribe: true

# ----- Keys of this implementation (not in the original Akasa) -----
worker_threads: 0                    # event-loop threads; 0: one per CPU the process may use
connect_timeout: 10                  # seconds a new connection has to send its CONNECT
v3_session_expiry_interval: 0        # seconds an offline MQTT 3.x persistent session is kept; 0: forever
log_level: info                      # trace | debug | info | warn | error
log_format: text                     # text | json (one JSON object per line)
log_file: null                       # append the log to this file (reopened on SIGHUP); null: stderr
log_syslog: null                     # or send it to this syslog socket, e.g. /dev/log
max_connections: 0                   # refuse connections beyond this many; 0: unlimited
validate_payload_format: false       # v5: refuse (0x99) payloads marked UTF-8 that are not
allow_session_takeover_by_other_user: false  # another user's CONNECT may take a session over
response_information: null           # v5: CONNACK Response Information when requested, e.g.
                                     # "reply/{client_id}/"; null: none
acl_file: null                       # Mosquitto-format ACL file (docs/plugins.md); null: no ACL
plugins: []                          # shared libraries loaded at start, in order, e.g.:
#  - path: /usr/lib/akasa/auth_plugin.so
#    options: {users: "alice:secret"}    # free-form, passed to the plugin as text
hook_timeout: 5                      # seconds an asynchronous hook answer may take (>= 1)
max_topic_levels: 128                # topic names and filters with more levels are refused
max_topic_length: 65535              # ... and with more bytes (65535: the protocol's maximum)
sys_interval: 10                     # seconds between $SYS/broker/... publications; 0: none
# Memory limits: what one client can make the server hold (docs/security.md, "Limits").
# Where allowed, 0 means no limit.
max_output_buffer_bytes: 8388608     # output waiting for one client (>= 65536); beyond it QoS 0
                                     # is dropped and QoS 1/2 waits; one packet always fits
max_in_mem_pending_bytes: 67108864   # bytes of the messages queued per session
max_in_mem_pending_bytes_total: 1073741824   # bytes all sessions' queues hold in memory
                                     # together (1 GiB); past it stored sessions queue in the
                                     # store only and other sessions' new messages are dropped
max_user_properties: 1024            # MQTT v5 User Properties in one packet
max_user_property_bytes: 65536       # their keys and values together, in one packet
max_topic_alias_bytes: 4194304       # MQTT v5: topic bytes one connection's Topic Aliases hold
max_client_id_length: 256            # longer client ids are refused (0, or 23..65535)
max_subscriptions_per_client: 1024   # subscriptions one session may hold
max_retained_messages: 1000000       # retained messages of the whole server
max_retained_bytes: 1073741824       # bytes they hold together (1 GiB)
persistence:                         # the embedded store (docs/persistence.md); remove the
                                     # section (or enable: false) to keep everything in memory
  enable: true
  dir: ./data                        # created if missing
  sync: none                         # none: survives a process crash (kill -9)
                                     # interval: plus an fsync every sync_interval_ms
                                     # always: fsync before every acknowledgement (power cut)
  sync_interval_ms: 1000             # 1..3600000, used by sync: interval
)";

}  // namespace

std::string default_config_yaml(bool allow_anonymous) {
    std::string document;
    document.reserve(kListeners.size() + kAuthEnabled.size() + kAuthOurs.size() + kRest.size());
    document += kListeners;
    document += allow_anonymous ? kAuthDisabled : kAuthEnabled;
    document += kAuthOurs;
    document += kRest;
    return document;
}

}  // namespace akasa::config
