// One client's network connection, speaking MQTT: reads and decodes packets from its
// Transport, handles each (CONNECT in connect_handler.cpp, the rest in
// client_connection.cpp), and writes the answers and deliveries into one output buffer
// that the worker flushes once per loop iteration. Lives on one worker thread; may be
// handed, between two reads, to the worker owning its session (see Worker::migrate).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/config_generation.h"
#include "broker/connection/auth_exchange.h"
#include "broker/connection/connect_request.h"
#include "broker/flow/connection_flow.h"
#include "broker/hooks/hook_session.h"
#include "broker/mqtt5/mqtt5_topic_aliases.h"
#include "broker/output/connection_output.h"
#include "broker/routing/message.h"
#include "broker/session/outbox.h"
#include "mqtt/decoder.h"
#include "mqtt/packets.h"
#include "net/byte_buffer.h"
#include "net/event_loop.h"
#include "net/transport.h"

namespace akasa::broker {

class Worker;
class Session;
struct TopicLimitBreach;
struct PendingLogin;  // password_check.cpp

// Why a connection ends, for the log line and for the will [MQTT-3.1.2-8].
struct CloseReason {
    std::string text;                            // "client disconnected", "keep alive timeout"
    std::optional<mqtt::ReasonCode> disconnect;  // v5: send DISCONNECT with this code first
    bool publish_will = true;                    // false after a normal DISCONNECT
    bool taken_over = false;                     // a new connection took the session over
};

class ClientConnection final : public net::IoHandler {
  public:
    enum class State : std::uint8_t { AwaitingConnect, Connected, Closed };

    // The largest CONNECT accepted (it is read before authentication).
    static constexpr std::uint32_t kMaxConnectSize = 1 << 20;
    // A cut-off packet start up to this size is moved in front of the next read (read_input);
    // a longer one (a large packet arriving over many reads) collects in input_.
    static constexpr std::size_t kCarriedTailMax = 16 * 1024;

    ClientConnection(Worker& worker, std::unique_ptr<net::Transport> transport);
    ~ClientConnection();

    void on_io(std::uint32_t events) override;

    State state() const { return state_; }
    Session* session() const { return session_; }
    const std::string& peer() const { return transport_->peer_address(); }
    // The session's client id while one is attached, else empty.
    const std::string& client_id() const;
    mqtt::ProtocolVersion version() const { return version_; }
    int fd() const { return transport_->fd(); }
    // The config generation of this connection's worker when it was accepted, kept for its
    // whole life (config_generation.h): what its CONNACK announced stays true after a SIGHUP,
    // and every packet of it meets the same limits. Session queues are the worker's
    // (Worker::queue_limit): a session outlives its connections.
    const ConfigGeneration& generation() const { return *generation_; }
    const config::Config& config() const { return generation_->config; }
    const MessagePathLimits& limits() const { return generation_->limits; }
    const TopicLimits& topic_limits() const { return generation_->topic_limits; }

    // --- Called by the worker (same thread) ---

    // Sends or queues one delivery for this connection's session.
    void deliver(Delivery&& delivery);
    // A QoS 1/2 delivery of `message` now would be sent at once (no queue ahead of it,
    // window and output room), not queued.
    bool sends_at_once(const Message& message) const;
    // Writes buffered output once; arms EPOLLOUT if the socket is full.
    void flush();
    // Ends the connection: optional v5 DISCONNECT, will handling, session detach, log line.
    void close(const CloseReason& reason);
    // Once per second: connect timeout, keep alive, v3 inflight resend.
    void tick(Clock::time_point now);
    // Another worker's subscriber that this client feeds is congested (pause) or drained
    // (resume): see publisher_throttle.h.
    void pause_for_remote_subscriber(bool pause);
    // --- Handover between workers (worker_sessions.cpp) ---
    // The session lives on worker `owner`: once the current read is finished (on_io) the
    // connection goes there with `request` (Worker::migrate).
    void hand_over_to(std::uint32_t owner, ConnectRequest&& request);
    struct Handover {
        std::uint32_t target = 0;
        ConnectRequest request;
    };
    // Worker::migrate: the pending handover, taken. The output no longer waits for this
    // worker's store batch (the caller committed it): its generation means nothing there.
    Handover take_handover();
    // Worker::adopt: the connection now belongs to `worker` (its loop, its sessions).
    void rebind(Worker& worker);
    // ...and is polled by that worker's loop again, with the events it wanted before.
    void poll_on(net::EventLoop& loop) { loop.add(transport_->fd(), interest_, this); }
    // Handles the packets that came after its CONNECT in its buffer.
    void handle_pending_input() { handle_input({}); }

    // --- The worker's bookkeeping: the lists of the current loop iteration holding it ---
    struct WorkerLists {
        bool dirty = false;     // Worker::dirty_: output to flush at the end of the iteration
        bool delivery = false;  // ... and that output holds a delivery (flushed first)
        bool held = false;      // Worker::held_: output waiting for the open store batch
        bool input = false;     // Worker::resumed_input_: unhandled input to handle
    };
    WorkerLists& worker_lists() { return lists_; }
    // Handles what a throttle pause left in its input (Worker::schedule_input).
    void resume_input();
    // The output holds an answer that stands for a write of the open store batch.
    bool output_awaits_store() const { return output_.awaits_store(); }
    // Forgets all output: the store refused what it stood for, or the connection is lost.
    void drop_output();
    // Publishers paused for a subscriber are forgotten with it (Worker::release).
    bool paused_for_subscribers() const { return flow_.paused_for_subscribers(); }
    void forget_subscriber_pause() { flow_.resume_for_subscribers(); }
    // A congested subscriber this connection fed drained (Worker::resume_publishers).
    void resume_reading_for_subscribers();
    // CONNACK with `reason`, then close. `quiet`: logged at debug level only (the refusals of
    // a blocked address, logged once when the block began).
    void refuse_connect(mqtt::ProtocolVersion version, mqtt::ReasonCode reason, const char* why,
                        bool quiet = false);
    // After CONNECT is accepted on the owning worker: attach the session, send CONNACK,
    // resend inflight messages and send what is queued.
    void start_session(Session& session, const ConnectRequest& request, bool session_present);
    // False when even the smallest CONNACK for `request` exceeds the client's Maximum
    // Packet Size: the connection must close before it touches any session.
    bool connack_fits(const ConnectRequest& request) const;
    // Server shutdown, first step: v5 clients get DISCONNECT 0x8B queued (closing follows
    // once the output drained or a deadline passed).
    void begin_shutdown();
    // Server shutdown, before that: the will this connection would leave if it ended now,
    // taken from it; null when it has none, or when its delay must keep running in the
    // stored session (published after the restart, docs/persistence.md).
    MessagePtr take_will_for_shutdown();
    bool has_pending_output() const { return !output_.empty() || transport_->has_pending_output(); }
    // The old connection of a session taken over by a new one [MQTT-3.1.4-3].
    void close_for_takeover();
    // Output the client has not taken yet: copied bytes and referenced payloads.
    std::size_t pending_output() const { return output_.pending(); }
    // Memory held for input not handled yet (a packet's start, input left by a pause).
    std::size_t input_buffer_capacity() const { return input_.capacity(); }
    // Past the pause point (ConnectionFlow::kOutputPause): see there.
    bool output_full() const;
    // `message` may be written now without taking the output past max_output_buffer_bytes.
    // An empty output takes any one message, and a large payload (sent by reference) is
    // taken when no other is waiting, so a client that reads gets messages of any size while
    // one that does not holds at most the limit plus one.
    bool output_fits(const Message& message) const;
    // Output or queue past the point where the publishers feeding this client pause.
    bool congested() const;
    std::size_t congestion_queue() const;  // the queue limit congestion is measured against
    // Well below that point again: the publishers paused for this client may resume.
    bool drained() const;
    // What the congestion checks look at (connection_flow.h).
    ConnectionFlow::Load load() const;
    std::uint32_t client_max_packet_size() const { return client_max_packet_size_; }
    // v5 outbound topic aliases; null when the client allows none (mqtt5_topic_aliases.h).
    OutboundTopicAliases* topic_aliases_out() const { return topic_aliases_out_.get(); }
    // The output holds an acknowledgement (or a QoS 2 PUBLISH) written while the worker's
    // store batch is open: it may stand for a write of that batch, so it leaves only after
    // the batch is committed (persist_writer.h). PUBLISHes of QoS 0/1 do not wait: a crash
    // before the commit means their publisher was not acknowledged and sends again.
    bool waits_for_store() const;

    // Sends as many queued deliveries as the window and output allow.
    void pump();

    // connection_hooks.cpp: an asynchronous hook answer for this connection arrived, or its
    // time ran out (`blocking`: the connection waited for it).
    void on_hook_answer(hook::CompletedCall call);
    void on_hook_timeout(std::uint64_t call_id, bool blocking);

    // password_check.cpp: the answer of a hashing thread for this connection's CONNECT
    // (Error: the check itself failed, e.g. OpenSSL could not allocate).
    enum class PasswordVerdict : std::uint8_t { Passed, Failed, Error };
    void on_password_checked(PasswordVerdict verdict);

  private:
    void read_input();
    // What this client has not taken, the transport's encoded bytes included.
    std::size_t unsent_output() const {
        return pending_output() + transport_->pending_output_size();
    }
    // Stops reading while unsent_output() is past the soft limit (flush() resumes).
    void hold_reading_if_output_full();
    // Writes what the socket takes now (the transport's bytes first); false when the
    // connection is lost (the caller closes it, or leaves that to flush()).
    bool write_output();
    // Reading is held: by our own full output, a congested local subscriber, or remote ones.
    bool input_paused() const { return flow_.input_paused(); }
    // Handles `fresh` bytes (after any left in input_), then pauses this client if what it
    // sent found a subscriber congested (publisher_throttle.h).
    void handle_input(std::span<const std::uint8_t> fresh);
    // Whether the packet just handled found a subscriber congested: process() stops there.
    bool must_wait_for_subscriber() const;
    // Decodes and handles every complete packet in `data`; returns bytes consumed.
    std::size_t process(std::span<const std::uint8_t> data);
    void process_buffered_input();
    // The pass stopped at the routing budget: when the worker has been behind on this
    // client for ConnectionFlow::kShedAfter, the rest of its input is handled now with its
    // QoS 0 PUBLISHes dropped.
    void shed_rest_if_behind();
    void handle_packet(const mqtt::FixedHeader& header, std::span<const std::uint8_t> body);

    // connect_handler.cpp. `password_checked`: the CONNECT comes back from its password
    // check on a hashing thread (password_check.cpp), which it passed.
    void handle_connect(const mqtt::FixedHeader& header, std::span<const std::uint8_t> body,
                        bool password_checked = false);
    // The CONNACK for `request`, with the optional properties its Maximum Packet Size leaves
    // no room for taken out (mqtt5/connack_fit.h); false (logged) when it still does not fit.
    struct ConnackParts {
        mqtt::Connack connack;
        std::optional<std::string> response_information;  // viewed by connack
    };
    bool build_connack(const ConnectRequest& request, bool session_present,
                       ConnackParts& parts) const;
    // An authenticated CONNECT: the before_connect hooks when there are any, then attach.
    void connect_authenticated(const mqtt::FixedHeader& header, std::span<const std::uint8_t> body,
                               mqtt::Connect& connect, ConnectRequest&& request);

    // password_check.cpp: the password of a CONNECT, checked here when that is cheap and on
    // the broker's hashing threads when it is PBKDF2 (Pending: the connection reads nothing
    // more until on_password_checked()); failed logins counted per address.
    enum class PasswordCheck : std::uint8_t { Passed, Failed, Pending, Busy };
    PasswordCheck check_password(const mqtt::FixedHeader& header,
                                 std::span<const std::uint8_t> body, std::string_view username,
                                 std::string_view password);
    bool login_pending() const { return uncommon_ && uncommon_->pending_login; }
    // The client's address is blocked for failed logins (auth.max_failed_logins).
    bool login_blocked() const;
    void count_failed_login();
    // An asynchronous answer (a hook's, a password check's) is awaited: nothing more is read.
    bool waiting_for_answer() const { return hook_waiting() || login_pending(); }

    // enhanced_auth.cpp: enhanced authentication (AUTH packets) [MQTT-4.12].
    // Authentication comes before the before_connect hooks, so that every hook (the ACL
    // included) sees the authenticated user, never an unverified CONNECT User Name.
    void begin_enhanced_auth(std::string_view method, std::optional<std::string_view> data,
                             const mqtt::FixedHeader& header, std::span<const std::uint8_t> body,
                             ConnectRequest&& request);
    void handle_packet_while_authenticating(const mqtt::FixedHeader& header,
                                            std::span<const std::uint8_t> body);
    void handle_auth(const mqtt::Auth& auth);
    void apply_auth_step(AuthStep step);

    void handle_publish(const mqtt::FixedHeader& header, std::span<const std::uint8_t> body);
    void handle_ack(const mqtt::Packet& packet);
    void handle_pubrel(const mqtt::PubRel& pubrel);
    // `hook_reasons`: one per filter once the before_* hooks ran (an error refuses it).
    void handle_subscribe(const mqtt::Subscribe& subscribe,
                          std::span<const mqtt::ReasonCode> hook_reasons = {});
    void handle_unsubscribe(const mqtt::Unsubscribe& unsubscribe,
                            std::span<const mqtt::ReasonCode> hook_reasons = {});
    // The PUBLISH once validated (and accepted by the hooks): store, route, acknowledge.
    void accept_publish(const mqtt::Publish& publish, std::string_view topic);
    void handle_disconnect(const mqtt::Disconnect& disconnect);
    void protocol_violation(mqtt::ReasonCode reason, const char* why);
    // max_topic_levels / max_topic_length (topic_limits.h). A PUBLISH topic over them is
    // refused: v5 QoS 1/2 with 0x90 in the acknowledgement, otherwise (no acknowledgement can
    // say why) by closing the connection. `topic` is the name after alias resolution.
    void refuse_topic_over_limits(const mqtt::Publish& publish, std::string_view topic,
                                  const TopicLimitBreach& breach);
    // Whether an UNSUBSCRIBE filter is within the topic limits, before its hooks run (they
    // see malformed filters too); logs the refusal when not. `packet` names the packet.
    bool filter_within_limits(std::string_view filter, std::string_view packet) const;
    // A filter of `packet` refused as Topic Filter invalid, and `why` (filter_refusal()).
    void log_refused_filter(std::string_view packet, std::string_view why) const;
    // The topic a v5 client bound to `alias` earlier, or null.
    const std::string* inbound_alias(std::uint16_t alias) const;
    // Binds `alias` to `topic`; false (the connection closed, DISCONNECT 0x97) when the
    // aliases would hold more than max_topic_alias_bytes.
    bool set_inbound_alias(std::uint16_t alias, std::string_view topic);
    // A packet refused for its User Properties (mqtt::DecodeLimits): counted and logged.
    void count_user_property_refusal(const mqtt::DecodeError& error);

    void send_inflight(InflightEntry& entry, bool dup);
    // Writes one delivery through the worker's encode-once cache (publish_encoder.h); false
    // (nothing written) when the PUBLISH exceeds the client's Maximum Packet Size.
    bool write_delivery(Delivery& delivery, std::uint16_t packet_id, bool dup);
    void resend_inflight();
    template <class Packet>
    void send(const Packet& packet);
    // What was just written must wait for the worker's open store batch (waits_for_store).
    void awaits_store();
    void update_interest();
    // This client is congested: the publisher being read now pauses (publisher_throttle.h).
    void report_congestion();
    // Adds this client's session to, or removes it from, the broker's congested sessions.
    void list_congested(bool congested);
    void detach_session(bool publish_will, bool taken_over);

    // connection_hooks.cpp: the engine's calls into the hook layer (hook_services.h), run
    // by the hook pipeline (hooks/hook_pipeline.h) through HookHost.
    class HookHost;
    bool hook_waiting() const { return hooks_ && hooks_->parked.has_value(); }
    void connect_with_hooks(const mqtt::FixedHeader& header, std::span<const std::uint8_t> body,
                            mqtt::Connect& connect, ConnectRequest&& request);
    void after_connect_hooks(bool session_present);
    bool publish_hooked() const;
    void publish_with_hooks(const mqtt::FixedHeader& header, std::span<const std::uint8_t> body,
                            mqtt::Publish& publish);
    // A PUBLISH the before_publish hooks passed (`changed`: rewritten): routed, then the
    // after_publish hooks.
    void finish_publish(mqtt::Publish& publish, bool changed);
    void refuse_publish(const mqtt::Publish& publish, mqtt::ReasonCode reason);
    bool subscribe_hooked() const;
    void subscribe_with_hooks(const mqtt::Subscribe& subscribe);
    void after_subscribe_hooks(const mqtt::Subscribe& subscribe,
                               std::span<const std::uint8_t> reason_codes);
    bool unsubscribe_hooked() const;
    void unsubscribe_with_hooks(const mqtt::Unsubscribe& unsubscribe);
    void after_unsubscribe_hooks(const mqtt::Unsubscribe& unsubscribe);
    void hooks_connection_closed(bool was_connected, bool taken_over);
    // The ACL's read check for a message about to be sent to this client.
    bool hook_may_deliver(const Message& message);
    // A parked packet was handled: read again (or follow the session to its worker).
    void unpark_and_continue();
    void apply_actions(std::vector<hook::Action>& actions);

    // The fields are grouped by size so that none is padded: scenario e of
    // docs/benchmarks.md counts the bytes of an idle connection.
    Worker* worker_;
    const ConfigGeneration* generation_;
    std::unique_ptr<net::Transport> transport_;
    Session* session_ = nullptr;

    net::ByteBuffer input_;  // unparsed tail of earlier reads (usually empty)
    ConnectionOutput output_;
    ConnectionFlow flow_;

    Clock::time_point connected_at_;
    Clock::time_point last_packet_at_;

    // v5 inbound topic aliases (a map, not a vector indexed by alias: one PUBLISH with
    // alias 65535 must not cost 65,535 empty strings), allocated by the first alias: an
    // empty map is 56 bytes on every idle connection. `bytes`: the topics' bytes, held to
    // max_topic_alias_bytes (65,535 aliases of 65,535-byte topics would be 4 GiB).
    struct InboundAliases {
        std::unordered_map<std::uint16_t, std::string> topics;
        std::size_t bytes = 0;
    };
    std::unique_ptr<InboundAliases> topic_aliases_;
    std::unique_ptr<OutboundTopicAliases> topic_aliases_out_;  // allocated when allowed
    std::unique_ptr<AuthExchange> auth_;  // v5 enhanced authentication, when CONNECT asked
    std::unique_ptr<HookSession> hooks_;  // from CONNECT on, when any hook is configured
    // What a connection needs only while it has a will, moves to another worker or waits
    // for its password check.
    struct Uncommon {
        MessagePtr will;  // published when the connection ends without DISCONNECT
        std::uint32_t will_delay = 0;
        std::uint32_t migration_target = 0;  // the worker pending_migration goes to
        // Heap-held: a ConnectRequest is 128 bytes that only a connection in transit needs.
        std::unique_ptr<ConnectRequest> pending_migration;
        // The CONNECT whose password a hashing thread checks; its answer finds the
        // connection through a weak_ptr to it, and finds nothing once it is gone.
        std::shared_ptr<PendingLogin> pending_login;
    };
    std::unique_ptr<Uncommon> uncommon_;
    Uncommon& uncommon() {
        if (!uncommon_) uncommon_ = std::make_unique<Uncommon>();
        return *uncommon_;
    }

    std::uint32_t interest_ = 0;  // current epoll events
    // Settled at CONNECT.
    std::uint32_t client_max_packet_size_ = 268435460;
    std::uint32_t session_expiry_ = 0;
    std::uint16_t keep_alive_ = 0;
    std::uint16_t window_ = 10;  // how many QoS 1/2 messages may be unacknowledged

    State state_ = State::AwaitingConnect;
    mqtt::ProtocolVersion version_ = mqtt::ProtocolVersion::V311;
    bool request_problem_information_ = true;
    WorkerLists lists_;
    // Output was written since the last write to the socket (see the QoS 0 drop in deliver).
    bool output_unoffered_ = false;
    bool migrating_ = false;  // set by Worker::attach; on_io hands over once it returns
};

}  // namespace akasa::broker
