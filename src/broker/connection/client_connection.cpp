#include "broker/connection/client_connection.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "broker/connection/accepted_requests.h"
#include "broker/connection/subscription_admission.h"
#include "broker/mqtt5/mqtt5_limits.h"
#include "broker/mqtt5/mqtt5_options.h"
#include "broker/mqtt5/mqtt5_reason_strings.h"
#include "broker/persist/persist_writer.h"
#include "broker/session/session.h"
#include "broker/sys/sys_tree.h"
#include "broker/topic_limits.h"
#include "broker/worker/worker.h"
#include "mqtt/encoder.h"
#include "mqtt/topic.h"
#include "util/log_json.h"

namespace akasa::broker {

using mqtt::PacketType;
using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

ClientConnection::ClientConnection(Worker& worker, std::unique_ptr<net::Transport> transport)
    : worker_(&worker), generation_(&worker.generation()), transport_(std::move(transport)) {
    connected_at_ = last_packet_at_ = worker.now();
    interest_ = EPOLLIN;
    worker_->loop().add(transport_->fd(), interest_, this);
}

ClientConnection::~ClientConnection() {
    // A closed WebSocket / TLS connection reads the client's goodbye before its socket
    // closes (net::ClosingSockets); plain TCP closes at once.
    if (transport_ && state_ == State::Closed) {
        worker_->closing_sockets().linger(std::move(transport_), worker_->now());
    }
}

void ClientConnection::rebind(Worker& worker) {
    worker_ = &worker;
}

void ClientConnection::hand_over_to(std::uint32_t owner, ConnectRequest&& request) {
    migrating_ = true;
    uncommon().migration_target = owner;
    uncommon().pending_migration = std::make_unique<ConnectRequest>(std::move(request));
}

ClientConnection::Handover ClientConnection::take_handover() {
    output_.store_committed();
    migrating_ = false;
    Handover handover{uncommon_->migration_target, std::move(*uncommon_->pending_migration)};
    uncommon_->pending_migration.reset();
    return handover;
}

// --- Input ---

void ClientConnection::on_io(std::uint32_t events) {
    if (state_ == State::Closed) return;
    // log_format: json: what this client's events log carries its id (once known) and address.
    std::optional<util::LogFieldsScope> log_fields;
    if (util::json_log_fields_wanted()) log_fields.emplace(client_id(), peer());
    if (events & EPOLLOUT) flush();
    if (worker_->shutting_down()) return;
    const bool hung_up = (events & (EPOLLERR | EPOLLHUP)) != 0;
    if (state_ != State::Closed && (hung_up || ((events & EPOLLIN) && !input_paused()))) {
        read_input();
    }
    if (hung_up && state_ != State::Closed && input_paused()) {
        // Reset while its reading is held for a subscriber: read_input() stopped at the held
        // bytes and never reached the socket's error, which epoll reports on every poll
        // whatever the interest. The held tail can no longer be completed or answered, so
        // the connection ends now instead of spinning the loop until the pause ends.
        drop_output();
        close(CloseReason{"connection lost while its reading was held", std::nullopt, true});
    }
    if (migrating_ && state_ != State::Closed) worker_->migrate(*this);
}

void ClientConnection::read_input() {
    if (!input_.empty()) {
        // What a throttle pause left unhandled goes first: reading more before it is handled
        // would grow the buffer by a read for every message handled.
        handle_input({});
        if (state_ == State::Closed || input_paused() || migrating_ || waiting_for_answer() ||
            lists_.input) {
            return;  // lists_.input: stopped at the routing budget, goes on later
        }
    }
    auto scratch = worker_->read_scratch();
    // What is left in input_ now is the start of a packet the last read cut off. A small one
    // goes to the front of the scratch and the read lands right behind it, so the packets
    // are handled from the scratch as usual. Appending the read to input_ instead copies
    // every read of a client that sends faster than we read (its reads fill the scratch and
    // end inside a packet), and gives each such client a 64 KB buffer of its own: 500 of
    // them in a fan-in past capacity are 32 MB of input that no cache holds.
    const std::size_t carried = input_.size() <= kCarriedTailMax ? input_.size() : 0;
    // The read itself starts at a cache line, as it does without a carried tail.
    const std::size_t read_at = (carried + 63) & ~std::size_t{63};
    if (carried > 0) std::memcpy(scratch.data() + read_at - carried, input_.data(), carried);
    auto room = scratch.subspan(read_at);
    // While publishers wait for a congested subscriber, every other read is small: the
    // clients not paused yet (up to all of them in one loop iteration) may feed it too.
    if (worker_->throttle().any_paused()) {
        room = room.first(std::min(room.size(), PublisherThrottle::kCongestedReadSize));
    }
    const auto result = transport_->read(room.data(), room.size());
    switch (result.status) {
        case net::IoResult::Status::would_block:
            flow_.caught_up();  // nothing unread left
            // Even without MQTT bytes the read may have made the transport answer (pongs):
            // a client that takes none of it is read no more.
            hold_reading_if_output_full();
            return;
        case net::IoResult::Status::closed:
            close(CloseReason{"connection closed by the client", std::nullopt, true});
            return;
        case net::IoResult::Status::error: {
            // A TLS / WebSocket / PROXY layer refusing the bytes says why (layer_error).
            const std::string& why = transport_->layer_error();
            close(CloseReason{
                why.empty() ? std::string("read failed: ") + std::strerror(result.error) : why,
                std::nullopt, true});
            return;
        }
        case net::IoResult::Status::ok:
            break;
    }
    auto& counters = worker_->counters();
    counters.add(counters.bytes_in, result.bytes);
    if (carried > 0) {
        input_.clear();  // the tail is in the scratch now
        input_.shrink_if_idle();
    }
    handle_input({scratch.data() + read_at - carried, carried + result.bytes});
    if (state_ == State::Closed) return;
    // Everything the client had sent is read and handled: the worker keeps up with it. (A
    // read that filled the scratch does not end "behind" alone; it does not start it either:
    // a publisher whose messages each go to one subscriber is left to TCP back-pressure,
    // since receiving costs almost what routing does. docs/architecture.md, "When the
    // worker itself falls behind".)
    if (!result.more_waiting && input_.empty()) flow_.caught_up();
    // Layer replies the socket did not take (TLS handshake, WebSocket pong): flush later.
    if (transport_->has_pending_output()) worker_->mark_dirty(*this);
    hold_reading_if_output_full();
    // A layer ended right behind the bytes just handled: no socket event would report it.
    if (!input_paused() && !migrating_ && transport_->has_buffered_input()) {
        read_input();
    }
}

void ClientConnection::handle_input(std::span<const std::uint8_t> fresh) {
    auto& throttle = worker_->throttle();
    throttle.begin_read();
    worker_->begin_routing_pass();
    if (input_.empty()) {
        // The common case: whole packets straight from the shared scratch buffer; only an
        // unhandled tail is copied into this connection's own buffer.
        const std::size_t used = process(fresh);
        if (state_ != State::Closed && used < fresh.size()) input_.append(fresh.subspan(used));
    } else {
        input_.append(fresh);
        process_buffered_input();
    }
    if (state_ != State::Closed && !input_.empty() && worker_->routing_budget_spent()) {
        shed_rest_if_behind();
        if (state_ != State::Closed && !input_.empty()) worker_->continue_input_later(*this);
    }
    if (state_ != State::Closed) hold_reading_if_output_full();
    ClientConnection* congested = throttle.reader_must_wait_for();
    if (state_ != State::Closed && congested && congested != this &&
        flow_.pause_for_subscribers()) {
        throttle.add_paused(*this, *congested);
        update_interest();
    }
    const SessionId remote = throttle.reader_must_wait_for_remote();
    if (state_ != State::Closed && remote != 0 && flow_.pause_for_subscribers()) {
        throttle.add_paused_for_remote(*this, remote);
        update_interest();
    }
}

void ClientConnection::hold_reading_if_output_full() {
    if (state_ == State::Closed) return;
    // This client does not read what we send (answers, deliveries, pongs): stop reading
    // from it until its output drains (flush), instead of buffering without bound.
    if (flow_.hold_if_full(unsent_output(), limits().output_pause)) update_interest();
}

bool ClientConnection::output_full() const {
    return pending_output() >= limits().output_pause;
}

bool ClientConnection::output_fits(const Message& message) const {
    const std::size_t pending = pending_output();
    if (pending + message.size <= limits().output) return true;
    // Beyond the limit one message still goes, so that no message is too large for a client
    // that reads: into an empty output, or, when its payload is sent by reference (it costs
    // no copy: the message exists anyway), when no other such payload waits.
    return message.payload.size() >= ConnectionOutput::kReferencedPayload
               ? output_.no_referenced_payload()
               : pending == 0;
}

bool ClientConnection::must_wait_for_subscriber() const {
    const auto& throttle = worker_->throttle();
    const ClientConnection* congested = throttle.reader_must_wait_for();
    return (congested && congested != this) || throttle.reader_must_wait_for_remote() != 0;
}

void ClientConnection::resume_input() {
    if (state_ == State::Closed || input_paused() || migrating_ || waiting_for_answer() ||
        input_.empty()) {
        return;
    }
    handle_input({});
    if (migrating_ && state_ != State::Closed) worker_->migrate(*this);
}

std::size_t ClientConnection::congestion_queue() const {
    return ConnectionFlow::congestion_queue(worker_->queue_limit(*session_));
}

ConnectionFlow::Load ClientConnection::load() const {
    ConnectionFlow::Load load;
    load.output = pending_output();
    load.output_pause = limits().output_pause;
    if (session_) {
        load.has_session = true;
        load.queued = session_->outbox.queued_size();
        load.queue_cap = congestion_queue();
    }
    return load;
}

bool ClientConnection::congested() const {
    return ConnectionFlow::congested(load());
}

bool ClientConnection::drained() const {
    return ConnectionFlow::drained(load());
}

void ClientConnection::report_congestion() {
    bool was_reported = false;
    if (!flow_.congestion_seen(worker_->now(), was_reported)) {
        // Not draining at all: stop holding publishers for this client (its own output and
        // queue limits drop its messages from now on), so it cannot slow the others.
        list_congested(false);
        if (was_reported) worker_->resume_publishers(this, true);
        return;
    }
    list_congested(true);
    worker_->throttle().subscriber_congested(*this);
}

void ClientConnection::list_congested(bool congested) {
    if (!session_ || !flow_.set_listed(congested)) return;
    if (congested) {
        worker_->context().congested.add(session_->id());
    } else {
        worker_->context().congested.remove(session_->id());
        worker_->wake_others();  // their publishers waiting for this client may resume
    }
}

void ClientConnection::pause_for_remote_subscriber(bool pause) {
    flow_.remote_pause(pause);
    update_interest();
    if (!flow_.remote_paused() && !input_.empty()) worker_->schedule_input(*this);
}

void ClientConnection::resume_reading_for_subscribers() {
    if (!flow_.resume_for_subscribers()) return;
    update_interest();
    // What the pause left unhandled: no socket event reports it.
    if (!input_.empty()) worker_->schedule_input(*this);
}

void ClientConnection::process_buffered_input() {
    if (input_.empty() || state_ == State::Closed) return;
    const std::size_t used = process({input_.data(), input_.size()});
    if (state_ == State::Closed) return;
    input_.consume(used);
    input_.shrink_if_idle();
}

void ClientConnection::shed_rest_if_behind() {
    if (!flow_.fell_behind(worker_->now())) return;
    worker_->set_shedding(true);
    process_buffered_input();
    worker_->set_shedding(false);
}

const std::string& ClientConnection::client_id() const {
    static const std::string kNone;
    return session_ ? session_->client_id() : kNone;
}

bool ClientConnection::set_inbound_alias(std::uint16_t alias, std::string_view topic) {
    if (!topic_aliases_) topic_aliases_ = std::make_unique<InboundAliases>();
    auto& aliases = *topic_aliases_;
    const auto it = aliases.topics.find(alias);
    const std::size_t bytes =
        aliases.bytes - (it == aliases.topics.end() ? 0 : it->second.size()) + topic.size();
    if (bytes > limits().topic_alias_bytes) {
        // The client decides which aliases exist [MQTT-3.3.2-12]: forgetting one would break
        // its later PUBLISHes, so the connection ends with the reason.
        worker_->limit_hit(MemoryLimit::TopicAliasBytes,
                           "closing connection of client {} from {}: its Topic Aliases would "
                           "hold {} bytes of topics",
                           client_id(), peer(), bytes);
        close(CloseReason{"Quota exceeded: Topic Aliases hold more than max_topic_alias_bytes",
                          ReasonCode::QuotaExceeded, true});
        return false;
    }
    if (it == aliases.topics.end()) {
        aliases.topics.emplace(alias, std::string(topic));
    } else {
        it->second.assign(topic);
    }
    aliases.bytes = bytes;
    return true;
}

void ClientConnection::count_user_property_refusal(const mqtt::DecodeError& error) {
    const MemoryLimit limit =
        std::string_view(error.message) == mqtt::kTooManyUserProperties.message
            ? MemoryLimit::UserProperties
            : MemoryLimit::UserPropertyBytes;
    worker_->limit_hit(limit, "refused a packet of client {} from {}: {}",
                       client_id().empty() ? "(not connected)" : client_id(), peer(),
                       error.message);
}

const std::string* ClientConnection::inbound_alias(std::uint16_t alias) const {
    if (!topic_aliases_) return nullptr;
    const auto it = topic_aliases_->topics.find(alias);
    return it == topic_aliases_->topics.end() ? nullptr : &it->second;
}

std::size_t ClientConnection::process(std::span<const std::uint8_t> data) {
    // Before CONNECT the peer is unauthenticated: a smaller cap keeps a crowd of
    // half-open clients from making us buffer max_packet_size_server bytes each.
    std::uint32_t max_size = config().max_packet_size_server;
    if (state_ == State::AwaitingConnect) max_size = std::min(max_size, kMaxConnectSize);
    std::size_t pos = 0;
    // A PUBLISH that found a subscriber congested ends the read: what follows it stays
    // unhandled (and unacknowledged) in input_ until this client resumes, so a publisher
    // adds one message, not a whole read, to a queue that is full already.
    while (state_ != State::Closed && !migrating_ && !waiting_for_answer() &&
           !must_wait_for_subscriber() &&
           (!worker_->routing_budget_spent() || worker_->shedding()) && pos < data.size()) {
        auto rest = data.subspan(pos);
        const auto header =
            mqtt::decode_fixed_header(rest, max_size, version_ == mqtt::ProtocolVersion::V31);
        if (header.status == mqtt::HeaderStatus::NeedMore) break;
        if (header.status == mqtt::HeaderStatus::Error) {
            protocol_violation(header.error.reason, header.error.message);
            break;
        }
        if (rest.size() < header.header.packet_size()) break;
        pos += header.header.packet_size();
        last_packet_at_ = worker_->now();
        handle_packet(header.header,
                      rest.subspan(header.header.header_size, header.header.remaining_length));
    }
    return pos;
}

void ClientConnection::handle_packet(const mqtt::FixedHeader& header,
                                     std::span<const std::uint8_t> body) {
    if (state_ == State::AwaitingConnect) {
        if (auth_ && auth_->pending_connect) {
            handle_packet_while_authenticating(header, body);  // enhanced_auth.cpp
            return;
        }
        if (header.type != PacketType::Connect) {
            // [MQTT-3.1.0-1]: the first packet must be CONNECT.
            close(CloseReason{"first packet is not CONNECT", std::nullopt, false});
            return;
        }
        handle_connect(header, body);
        return;
    }
    if (header.type == PacketType::Connect) {
        protocol_violation(ReasonCode::ProtocolError, "second CONNECT [MQTT-3.1.0-2]");
        return;
    }
    if (header.type == PacketType::Publish) {
        if (worker_->shedding() && header.publish_qos() == 0 && version_ != ProtocolVersion::V5) {
            // The worker is behind on this client: its QoS 0 PUBLISH is dropped unread,
            // since dropping has to cost far less than routing for the worker to catch up
            // (decoding first made it cost half as much, and a worker that fell behind
            // dropped everything from then on). A v5 one is decoded (handle_publish drops
            // it after): it may set a Topic Alias that later PUBLISHes use.
            worker_->counters().add(worker_->counters().messages_in[0]);
            worker_->shed_publish(*this);
            return;
        }
        handle_publish(header, body);
        return;
    }
    mqtt::Packet& packet = worker_->packet_scratch();
    if (auto error = mqtt::decode_packet(header, body, version_, packet, limits().decode)) {
        if (error->reason == ReasonCode::QuotaExceeded) count_user_property_refusal(*error);
        protocol_violation(error->reason, error->message);
        return;
    }
    switch (header.type) {
        case PacketType::PubAck:
        case PacketType::PubRec:
        case PacketType::PubComp:
            handle_ack(packet);
            break;
        case PacketType::PubRel:
            handle_pubrel(std::get<mqtt::PubRel>(packet));
            break;
        case PacketType::Subscribe:
            handle_subscribe(std::get<mqtt::Subscribe>(packet));
            break;
        case PacketType::Unsubscribe:
            handle_unsubscribe(std::get<mqtt::Unsubscribe>(packet));
            break;
        case PacketType::Pingreq:
            send(mqtt::Pingresp{});
            break;
        case PacketType::Disconnect:
            handle_disconnect(std::get<mqtt::Disconnect>(packet));
            break;
        case PacketType::Auth:
            handle_auth(std::get<mqtt::Auth>(packet));  // enhanced_auth.cpp
            break;
        default:
            protocol_violation(ReasonCode::ProtocolError, "packet type only a server may send");
            break;
    }
}

void ClientConnection::protocol_violation(ReasonCode reason, const char* why) {
    spdlog::info("closing connection of client {} from {}: {} ({})",
                 client_id().empty() ? "(not connected)" : client_id(), peer(),
                 mqtt::to_string(reason), why);
    std::optional<ReasonCode> disconnect;
    if (mqtt::is_error(reason)) disconnect = reason;
    close(CloseReason{std::string(mqtt::to_string(reason)) + ": " + why, disconnect, true});
}

// --- PUBLISH from the client ---

void ClientConnection::handle_publish(const mqtt::FixedHeader& header,
                                      std::span<const std::uint8_t> body) {
    mqtt::Publish& publish = worker_->publish_scratch();
    if (auto error = mqtt::decode_publish(header, body, version_, publish, limits().decode)) {
        if (error->reason == ReasonCode::QuotaExceeded) {
            // Too many User Properties (max_user_properties / max_user_property_bytes):
            // refused like a PUBLISH the server does not accept, 0x97 Quota exceeded in the
            // PUBACK / PUBREC; a QoS 0 one cannot be answered, so the client is told why in a
            // DISCONNECT (as for an invalid payload format).
            count_user_property_refusal(*error);
            if (publish.qos != QoS::AtMostOnce) return refuse_publish(publish, error->reason);
        }
        protocol_violation(error->reason, error->message);
        return;
    }
    const auto& config = this->config();
    const bool v5 = version_ == ProtocolVersion::V5;
    const auto qos = static_cast<std::uint8_t>(publish.qos);
    if (qos > config.max_allowed_qos) {
        return protocol_violation(ReasonCode::QoSNotSupported,
                                  "PUBLISH QoS above max_allowed_qos [MQTT-3.2.2-11]");
    }
    if (publish.retain && !config.retain_available) {
        return protocol_violation(ReasonCode::RetainNotSupported,
                                  "retained PUBLISH but retain is not available [MQTT-3.2.2-14]");
    }
    if (!publish.properties.subscription_identifiers.empty()) {
        return protocol_violation(
            ReasonCode::ProtocolError,
            "Subscription Identifier in PUBLISH from a client [MQTT-3.3.4-6]");
    }
    std::string_view topic = publish.topic;
    if (v5 && publish.properties.topic_alias) {
        const std::uint16_t alias = *publish.properties.topic_alias;
        if (alias == 0 || alias > config.topic_alias_max) {
            return protocol_violation(ReasonCode::TopicAliasInvalid,
                                      "Topic Alias out of range [MQTT-3.3.2-9]");
        }
        if (!topic.empty()) {
            if (!set_inbound_alias(alias, topic)) return;  // closed: max_topic_alias_bytes
        } else if (const std::string* known = inbound_alias(alias)) {
            topic = *known;
        } else {
            return protocol_violation(ReasonCode::ProtocolError,
                                      "unknown Topic Alias with an empty topic");
        }
    }
    if (!mqtt::validate_topic_name(topic)) {
        return protocol_violation(ReasonCode::TopicNameInvalid, "invalid topic name");
    }
    if (const auto breach = topic_limits().check_name(topic)) {
        return refuse_topic_over_limits(publish, topic, *breach);
    }
    if (v5 && !mqtt5::payload_format_ok(config, publish.properties, publish.payload)) {
        // validate_payload_format (mqtt5_options.h): acknowledged with 0x99, not routed.
        if (publish.qos != QoS::AtMostOnce) {
            return refuse_publish(publish, ReasonCode::PayloadFormatInvalid);
        }
        return protocol_violation(ReasonCode::PayloadFormatInvalid,
                                  "payload is not UTF-8 but its Payload Format Indicator is 1");
    }
    auto& counters = worker_->counters();
    counters.add(counters.messages_in[qos]);
    if (sys::is_server_topic(topic)) {
        // The server's own topics (src/broker/sys/), whatever the ACL grants, as mosquitto
        // does: v5 QoS 1/2 get 0x87, 3.x and QoS 0 are dropped silently.
        return refuse_publish(publish, ReasonCode::NotAuthorized);
    }
    if (worker_->shedding() && publish.qos == QoS::AtMostOnce) {
        worker_->shed_publish(*this);  // the worker is behind on this client
        return;
    }
    if (hooks_ && publish_hooked()) {
        publish.topic = topic;                             // hooks see the alias resolved
        return publish_with_hooks(header, body, publish);  // connection_hooks.cpp
    }
    accept_publish(publish, topic);
}

void ClientConnection::refuse_topic_over_limits(const mqtt::Publish& publish,
                                                std::string_view topic,
                                                const TopicLimitBreach& breach) {
    const std::string why =
        fmt::format("PUBLISH topic \"{}\" has {}", topic_for_log(topic), breach.describe());
    if (version_ == ProtocolVersion::V5 && publish.qos != QoS::AtMostOnce) {
        spdlog::info("refused a PUBLISH of client {} from {} (Topic Name invalid): {}", client_id(),
                     peer(), why);
        return refuse_publish(publish, ReasonCode::TopicNameInvalid);  // PUBACK / PUBREC 0x90
    }
    // v5 QoS 0: DISCONNECT 0x90, as validate_payload_format does with 0x99. 3.x: no way to
    // tell the client, so close rather than acknowledge what is dropped [MQTT-3.3.5-2].
    protocol_violation(ReasonCode::TopicNameInvalid, why.c_str());
}

bool ClientConnection::filter_within_limits(std::string_view filter,
                                            std::string_view packet) const {
    const auto breach = topic_limits().check_filter(filter);
    if (!breach) return true;
    log_refused_filter(packet,
                       fmt::format("\"{}\" has {}", topic_for_log(filter), breach->describe()));
    return false;
}

void ClientConnection::log_refused_filter(std::string_view packet, std::string_view why) const {
    spdlog::info("refused a filter of client {} from {} in {} (Topic Filter invalid): {}",
                 client_id(), peer(), packet, why);
}

void ClientConnection::accept_publish(const mqtt::Publish& publish, std::string_view topic) {
    const auto& config = this->config();
    const bool v5 = version_ == ProtocolVersion::V5;
    if (publish.qos == QoS::ExactlyOnce) {
        if (session_->awaiting_release(publish.packet_id)) {
            // A resend of a message already received: acknowledge, do not deliver again
            // [MQTT-4.3.3-9].
            send(mqtt::PubRec{publish.packet_id, ReasonCode::Success, {}});
            return;
        }
        if (v5 && session_->awaiting_pubrel.size() >= config.max_inflight_server) {
            return protocol_violation(ReasonCode::ReceiveMaximumExceeded,
                                      "more unacknowledged QoS 2 than Receive Maximum "
                                      "[MQTT-3.3.4-9]");
        }
        session_->add_awaiting_release(publish.packet_id);
        // Stored with the queued copies, before the PUBREC (persist_writer.h).
        worker_->persist().qos2_received(*session_, publish.packet_id);
    }

    // A v5 QoS 1/2 PUBLISH whose retained message the retained store cannot take is
    // refused whole (0x97 Quota exceeded, not routed): the client learns it failed and may
    // try again. A 3.x or QoS 0 one cannot be told: it still reaches the subscribers.
    const bool all_or_nothing = v5 && publish.qos != QoS::AtMostOnce;
    if (!publish_accepted(*worker_, publish, topic, session_->id(), all_or_nothing)) {
        if (publish.qos == QoS::ExactlyOnce) {  // no PUBREL follows a PUBREC with an error
            session_->remove_awaiting_release(publish.packet_id);
            worker_->persist().qos2_released(*session_, publish.packet_id);
        }
        return refuse_publish(publish, ReasonCode::QuotaExceeded);
    }

    if (publish.qos == QoS::AtLeastOnce) {
        send(mqtt::PubAck{publish.packet_id, ReasonCode::Success, {}});
    } else if (publish.qos == QoS::ExactlyOnce) {
        send(mqtt::PubRec{publish.packet_id, ReasonCode::Success, {}});
    }
}

// --- Acknowledgements ---

void ClientConnection::handle_ack(const mqtt::Packet& packet) {
    PacketType type = mqtt::packet_type(packet);
    std::uint16_t id = 0;
    if (auto* a = std::get_if<mqtt::PubAck>(&packet)) id = a->packet_id;
    if (auto* r = std::get_if<mqtt::PubRec>(&packet)) id = r->packet_id;
    if (auto* c = std::get_if<mqtt::PubComp>(&packet)) id = c->packet_id;
    auto& persist = worker_->persist();
    switch (session_->outbox.acknowledge(type, id)) {
        case Outbox::AckResult::Completed:
            persist.inflight_completed(*session_, id);
            pump();
            break;
        case Outbox::AckResult::Released:
            persist.inflight_released(*session_, id);
            send(mqtt::PubRel{id, ReasonCode::Success, {}});
            break;
        case Outbox::AckResult::UnknownId:
            // Late duplicates are harmless; a PUBREC still needs its PUBREL.
            if (type == PacketType::PubRec) {
                send(mqtt::PubRel{id, ReasonCode::PacketIdentifierNotFound, {}});
            }
            break;
        case Outbox::AckResult::WrongPacket:
            protocol_violation(ReasonCode::ProtocolError,
                               "acknowledgement does not match the message's QoS");
            break;
    }
}

void ClientConnection::handle_pubrel(const mqtt::PubRel& pubrel) {
    const bool known = session_->remove_awaiting_release(pubrel.packet_id);
    if (known) worker_->persist().qos2_released(*session_, pubrel.packet_id);  // before PUBCOMP
    send(mqtt::PubComp{
        pubrel.packet_id, known ? ReasonCode::Success : ReasonCode::PacketIdentifierNotFound, {}});
}

// --- SUBSCRIBE / UNSUBSCRIBE ---

void ClientConnection::handle_subscribe(const mqtt::Subscribe& subscribe,
                                        std::span<const ReasonCode> hook_reasons) {
    if (hooks_ && hook_reasons.empty() && subscribe_hooked()) {
        return subscribe_with_hooks(subscribe);  // connection_hooks.cpp; comes back here
    }
    const auto& config = this->config();
    const bool v5 = version_ == ProtocolVersion::V5;
    const std::uint32_t identifier = subscribe.properties.subscription_identifiers.empty()
                                         ? 0
                                         : subscribe.properties.subscription_identifiers.front();
    if (identifier != 0 && !config.subscription_id_available) {
        return protocol_violation(ReasonCode::SubscriptionIdentifiersNotSupported,
                                  "subscription identifiers are not available");
    }
    struct RetainedSend {
        std::string filter;
        StoredSubscription sub;
    };
    std::vector<RetainedSend> retained;
    mqtt::Suback suback;
    suback.packet_id = subscribe.packet_id;
    suback.reason_codes.reserve(subscribe.topics.size());
    std::optional<ReasonCode> first_refusal;  // explained in the SUBACK's reason string
    auto refuse = [&](ReasonCode code) {
        suback.reason_codes.push_back(v5 ? static_cast<std::uint8_t>(code) : mqtt::kSubackFailure);
        if (!first_refusal) first_refusal = code;
    };
    for (const auto& topic : subscribe.topics) {
        const std::string_view filter = topic.filter;
        if (const auto i = static_cast<std::size_t>(&topic - subscribe.topics.data());
            i < hook_reasons.size() && mqtt::is_error(hook_reasons[i])) {
            refuse(hook_reasons[i]);  // a hook or the ACL refused it
            continue;
        }
        const auto admission =
            admit_subscription(*worker_, generation(), *session_,
                               {filter, topic.options, identifier, SharedNoLocal::ProtocolError});
        if (admission.refusal == ReasonCode::ProtocolError) {
            return protocol_violation(ReasonCode::ProtocolError, admission.why.c_str());
        }
        if (!admission.admitted()) {
            if (admission.refusal == ReasonCode::TopicFilterInvalid) {
                log_refused_filter("SUBSCRIBE", admission.why);
            }
            refuse(admission.refusal);
            continue;
        }
        suback.reason_codes.push_back(static_cast<std::uint8_t>(admission.stored.options.qos));
        if (admission.retained_due) retained.push_back({std::string(filter), admission.stored});
    }
    if (v5 && first_refusal) {
        suback.properties.reason_string = mqtt5::subscribe_refusal_text(*first_refusal);
    }
    send(suback);
    for (const auto& r : retained)
        worker_->send_retained(*session_, r.filter, r.sub);
    if (hooks_ && !hook_reasons.empty()) after_subscribe_hooks(subscribe, suback.reason_codes);
}

void ClientConnection::handle_unsubscribe(const mqtt::Unsubscribe& unsubscribe,
                                          std::span<const ReasonCode> hook_reasons) {
    if (hooks_ && hook_reasons.empty() && unsubscribe_hooked()) {
        return unsubscribe_with_hooks(unsubscribe);  // connection_hooks.cpp; comes back here
    }
    mqtt::Unsuback unsuback;
    unsuback.packet_id = unsubscribe.packet_id;
    std::size_t index = 0;
    for (auto filter : unsubscribe.topic_filters) {
        if (const auto i = index++; i < hook_reasons.size() && mqtt::is_error(hook_reasons[i])) {
            // Refused by a hook: v5 says why; 3.x UNSUBACK carries no codes.
            if (version_ == ProtocolVersion::V5) {
                unsuback.reason_codes.push_back(static_cast<std::uint8_t>(hook_reasons[i]));
            }
            continue;
        }
        if (auto why = filter_refusal(topic_limits(), filter)) {
            // Malformed (`#/a`, `a+/b`) or beyond the topic limits: refused like the same
            // filter in a SUBSCRIBE (v5 0x8F), not answered "no subscription existed".
            // 3.x UNSUBACK carries no codes.
            log_refused_filter("UNSUBSCRIBE", *why);
            if (version_ == ProtocolVersion::V5) {
                unsuback.reason_codes.push_back(
                    static_cast<std::uint8_t>(ReasonCode::TopicFilterInvalid));
            }
            continue;
        }
        const bool existed = unsubscribe_accepted(*worker_, *session_, filter);
        if (version_ == ProtocolVersion::V5) {
            unsuback.reason_codes.push_back(static_cast<std::uint8_t>(
                existed ? ReasonCode::Success : ReasonCode::NoSubscriptionExisted));
        }
    }
    send(unsuback);
    if (hooks_ && !hook_reasons.empty()) after_unsubscribe_hooks(unsubscribe);
}

// --- DISCONNECT, close, takeover ---

void ClientConnection::handle_disconnect(const mqtt::Disconnect& disconnect) {
    const bool v5 = version_ == ProtocolVersion::V5;
    if (v5 && disconnect.properties.session_expiry_interval) {
        const std::uint32_t requested = *disconnect.properties.session_expiry_interval;
        if (session_expiry_ == 0 && requested != 0) {
            return protocol_violation(ReasonCode::ProtocolError,
                                      "Session Expiry Interval set on DISCONNECT after 0 in "
                                      "CONNECT [MQTT-3.14.2-2]");
        }
        session_->expiry_interval = std::min(requested, config().max_session_expiry_interval);
    }
    const bool with_will = v5 && disconnect.reason_code == ReasonCode::DisconnectWithWill;
    std::string text = "client disconnected";
    if (v5 && disconnect.reason_code != ReasonCode::NormalDisconnection) {
        text += std::string(" (") + mqtt::to_string(disconnect.reason_code) + ")";
    }
    // A normal DISCONNECT discards the will [MQTT-3.1.2-10]; 0x04 asks for it.
    close(CloseReason{std::move(text), std::nullopt, with_will});
}

void ClientConnection::begin_shutdown() {
    if (state_ == State::Closed) return;
    if (state_ == State::Connected && version_ == ProtocolVersion::V5) {
        mqtt::Disconnect disconnect{ReasonCode::ServerShuttingDown, {}};
        disconnect.properties.reason_string = "server shutting down";
        send(disconnect);
    }
    transport_->server_going_away();
    // No more reading: level-triggered EPOLLIN would otherwise wake the drain loop forever.
    flow_.hold();
    update_interest();
}

MessagePtr ClientConnection::take_will_for_shutdown() {
    if (state_ != State::Connected || !uncommon_ || !uncommon_->will || !session_) return nullptr;
    // A v5 Will Delay ends early when the session ends [MQTT-3.1.3-9]: without a stored
    // session it ends with the process.
    const bool outlives_restart = worker_->persist().enabled() && session_->stored;
    if (uncommon_->will_delay > 0 && outlives_restart) return nullptr;
    return std::move(uncommon_->will);
}

void ClientConnection::close_for_takeover() {
    close(CloseReason{"session taken over by a new connection", ReasonCode::SessionTakenOver, true,
                      true});
}

void ClientConnection::close(const CloseReason& reason) {
    if (state_ == State::Closed) return;
    const bool was_connected = state_ == State::Connected;
    if (reason.disconnect && was_connected && version_ == ProtocolVersion::V5) {
        // The server may send DISCONNECT only after CONNACK [MQTT-3.14.0-1]. The reason
        // string is dropped when the client's Maximum Packet Size says so [MQTT-3.14.2-3].
        mqtt::Disconnect disconnect{*reason.disconnect, {}};
        disconnect.properties.reason_string = reason.text;
        send(disconnect);
    }
    flush();                              // best effort: what the socket takes now
    if (state_ == State::Closed) return;  // the flush failed and closed already
    state_ = State::Closed;
    if (flow_.reported()) worker_->resume_publishers(this, true);
    list_congested(false);
    // The will (if any) is published before the line is logged: tests rely on that order.
    // The session (and its client id) may end with the detach.
    const std::string client_id = was_connected ? this->client_id() : std::string();
    if (session_) detach_session(reason.publish_will, reason.taken_over);
    if (hooks_) hooks_connection_closed(was_connected, reason.taken_over);  // after_disconnect
    if (was_connected) {
        spdlog::info("client {} disconnected from {}: {}", client_id, peer(), reason.text);
    }
    worker_->retire(*this);
}

void ClientConnection::detach_session(bool publish_will, bool taken_over) {
    Session& session = *session_;
    session_ = nullptr;
    MessagePtr will;
    std::uint32_t will_delay = 0;
    if (uncommon_) {
        will = std::move(uncommon_->will);
        will_delay = uncommon_->will_delay;
    }
    worker_->session_disconnected(session, std::move(will), will_delay, publish_will, taken_over);
}

void ClientConnection::tick(Clock::time_point now) {
    if (state_ == State::Closed) return;
    const auto& config = this->config();
    if (state_ == State::AwaitingConnect) {
        // A CONNECT waiting for a hook's answer is bounded by hook_timeout instead, one
        // waiting for its password check by the bounded queue of the hashing threads.
        if (!migrating_ && !waiting_for_answer() && now - connected_at_ >= config.connect_timeout) {
            spdlog::info("closing connection from {}: no CONNECT within {}s", peer(),
                         config.connect_timeout.count());
            close(CloseReason{"no CONNECT in time", std::nullopt, false});
        }
        return;
    }
    // Every remote pause is answered by a resume within kStalledAfter (its subscriber drains
    // or is declared stalled); a few ticks without one means it was lost with its worker's
    // session: read again rather than hang.
    if (flow_.give_up_lost_remote_pauses()) {
        update_interest();
        if (!input_.empty()) worker_->schedule_input(*this);  // no socket event reports it
    }
    if (input_paused() || worker_->keep_alive_suspended()) {
        last_packet_at_ = now;  // we are not reading: its silence is ours, not the client's
    } else if (keep_alive_ != 0 &&
               now - last_packet_at_ >= std::chrono::milliseconds(keep_alive_ * 1500)) {
        // [MQTT-3.1.2-24]: one and a half times the keep alive without a packet.
        close(CloseReason{"keep alive timeout", ReasonCode::KeepAliveTimeout, true});
        return;
    }
    if (version_ != ProtocolVersion::V5 && session_ && session_->outbox.inflight_size() > 0) {
        // 3.x allows resending unacknowledged messages; MQTT 5 forbids it except on
        // reconnect [MQTT-4.4.0-1], so only 3.x connections get inflight_timeout resends.
        for (auto& entry : session_->outbox.inflight()) {
            if (now - entry.sent_at >= config.inflight_timeout) {
                send_inflight(entry, true);
                entry.sent_at = now;
            }
        }
    }
}

// --- Output ---

template <class Packet>
void ClientConnection::send(const Packet& packet) {
    if (version_ == ProtocolVersion::V5) {
        // [MQTT-3.1.2-24] and [MQTT-3.1.2-29]: see mqtt5_limits.h.
        std::optional<Packet> trimmed;
        const Packet* fitted = mqtt5::fit_for_client(packet, client_max_packet_size_,
                                                     request_problem_information_, trimmed);
        if (!fitted) {
            spdlog::warn("not sending a {} to client {}: larger than its Maximum Packet Size {}",
                         mqtt::to_string(mqtt::packet_type(mqtt::Packet(packet))), client_id(),
                         client_max_packet_size_);
            return;
        }
        mqtt::encode(*fitted, version_, output_.bytes());
    } else {
        mqtt::encode(packet, version_, output_.bytes());
    }
    awaits_store();  // every packet sent here is an answer or a PUBREL
    output_unoffered_ = true;
    worker_->mark_dirty(*this);
}

// connect_handler.cpp and enhanced_auth.cpp send through the same template.
template void ClientConnection::send<mqtt::Connack>(const mqtt::Connack&);
template void ClientConnection::send<mqtt::Auth>(const mqtt::Auth&);

bool ClientConnection::write_delivery(Delivery& delivery, std::uint16_t packet_id, bool dup) {
    const bool v5 = version_ == ProtocolVersion::V5;
    const auto form =
        worker_->publish_encoder().encode(delivery, v5, topic_aliases_out_.get(), worker_->now());
    auto& counters = worker_->counters();
    if (form.size > client_max_packet_size_) {
        form.forget_alias();
        counters.add(counters.dropped_too_large);
        return false;
    }
    output_.append_publish(form.bytes, form.packet_id_offset, packet_id, dup,
                           form.by_reference ? &delivery.message : nullptr);
    // QoS 2: sent before its publisher's PUBREC is stored, a crash would deliver it twice
    // (the publisher sends it again as a new message).
    if (delivery.qos == QoS::ExactlyOnce) awaits_store();
    output_unoffered_ = true;
    counters.add(counters.messages_out[static_cast<std::uint8_t>(delivery.qos)]);
    worker_->mark_dirty(*this, true);
    return true;
}

void ClientConnection::awaits_store() {
    if (const auto& persist = worker_->persist(); persist.enabled()) {
        output_.await_store(persist.generation());
    }
}

bool ClientConnection::waits_for_store() const {
    return output_.awaits_store() && worker_->persist().pending(output_.awaited_generation());
}

void ClientConnection::deliver(Delivery&& delivery) {
    if (hooks_ && !hook_may_deliver(*delivery.message)) {  // the ACL's read check
        // Done with: its stored copy must not come back after a restart.
        worker_->persist().queued_dropped(*session_, delivery);
        return;
    }
    auto& counters = worker_->counters();
    auto& outbox = session_->outbox;
    const Message& message = *delivery.message;
    if (delivery.qos == QoS::AtMostOnce) {
        if (outbox.has_queued()) {
            // Behind queued QoS 1/2 messages, to keep the publisher's order; not behind
            // messages queued in the store only (a QoS 0 message is never stored).
            const std::size_t limit = worker_->config().max_in_mem_pending_messages;
            if (outbox.stored_only_size() > 0 || outbox.pending_size() >= limit) {
                counters.add(counters.dropped_qos0);
            } else if (!worker_->context().queue_budget.fits(Outbox::budget_cost(message),
                                                             worker_->limits().queue_bytes_total)) {
                worker_->count_queue_drop(*session_, Worker::QueueDrop::TotalBytes);
            } else if (!outbox.enqueue(std::move(delivery), limit, worker_->limits().queue_bytes)) {
                worker_->count_queue_drop(*session_, Worker::QueueDrop::Bytes);
            }
            return;
        }
        // Output written since the last write to the socket (earlier deliveries of this
        // read or inbox batch) is not output the client "has not taken" yet: one large
        // message takes it past the limit at once, and every message behind it would be
        // dropped though the client reads. Offered to the socket first, once.
        if (!output_fits(message)) {
            if (output_unoffered_ && !waits_for_store() && !write_output()) {
                worker_->mark_dirty(*this);  // lost: its flush closes it, not this routing pass
            }
            if (!output_fits(message)) {
                // Past max_output_buffer_bytes the client is not reading at all: drop rather
                // than hold its messages or stall every publisher for one stuck subscriber.
                counters.add(counters.dropped_qos0);
                worker_->limit_hit(MemoryLimit::OutputBuffer,
                                   "dropping QoS 0 messages for client {} from {}: {} bytes of "
                                   "output it has not taken",
                                   client_id(), peer(), pending_output());
                return;
            }
        }
        // A full output does not pause the publishers for QoS 0 (it does for QoS 1/2): what
        // the client cannot take is dropped above, and its publishers, and every other
        // subscriber of theirs, go on at their pace.
        write_delivery(delivery, 0, false);
        return;
    }
    if (sends_at_once(message)) {
        auto& entry = outbox.start(std::move(delivery), worker_->now());
        worker_->persist().inflight_started(*session_, entry, worker_->now());
        send_inflight(entry, false);
        return;
    }
    std::size_t limit = worker_->queue_limit(*session_);
    // A client that drains, but slowly (not stalled): its publishers are being paused, and
    // what they sent before the pause took hold is kept (kInTransitAllowance). A stored
    // session's queue keeps its configured bound (max_in_db_pending_messages, large already;
    // past its in-memory head it is in the store only: Worker::queue_delivery).
    if (!flow_.stalled(worker_->now()) && !session_->stored) {
        limit *= ConnectionFlow::kInTransitAllowance;
    }
    const bool queued =
        worker_->queue_delivery(*session_, std::move(delivery), limit) != Worker::Queued::Dropped;
    // Also after a drop: the publisher that sent it pauses (unless this client stalled),
    // rather than having everything else it sends dropped too.
    if (!queued || congested()) report_congestion();
}

bool ClientConnection::sends_at_once(const Message& message) const {
    const auto& outbox = session_->outbox;
    return !outbox.has_queued() && outbox.has_window_room(window_) && !output_full() &&
           output_fits(message);
}

void ClientConnection::pump() {
    // Nothing may follow the DISCONNECT of a shutdown.
    if (!session_ || state_ != State::Connected || worker_->shutting_down()) return;
    auto& outbox = session_->outbox;
    std::size_t expired = 0;
    while (true) {
        // The head drained: the next deliveries of the stored-only tail come back from the
        // store (this may commit the store batches, and a failed commit closes connections).
        if (outbox.stored_only_size() > 0) {
            worker_->refill_queue(*session_);
            if (state_ != State::Connected) return;
        }
        if (!(outbox.pending_size() > 0 && outbox.has_window_room(window_) && !output_full() &&
              output_fits(*outbox.front_pending()->message))) {
            break;
        }
        auto next = outbox.next_pending(worker_->now(), expired);
        if (!next) break;
        if (hooks_ && !hook_may_deliver(*next->message)) {  // queued while offline
            worker_->persist().queued_dropped(*session_, *next);
            continue;
        }
        if (next->qos == QoS::AtMostOnce) {
            write_delivery(*next, 0, false);
            continue;
        }
        auto& entry = outbox.start(std::move(*next), worker_->now());
        worker_->persist().inflight_started(*session_, entry, worker_->now());
        send_inflight(entry, false);
    }
    if (expired) worker_->counters().add(worker_->counters().dropped_expired, expired);
    if (!outbox.has_queued()) session_->queue_overflow_reported = false;
}

void ClientConnection::send_inflight(InflightEntry& entry, bool dup) {
    if (entry.stage == InflightEntry::Stage::AwaitPubComp) {
        send(mqtt::PubRel{entry.packet_id, ReasonCode::Success, {}});
        return;
    }
    // A resend passes the ACL's read check again, like a first send: the session may have
    // been resumed by another user (allow_session_takeover_by_other_user) or the ACL reloaded.
    const bool readable = !dup || !hooks_ || hook_may_deliver(*entry.delivery.message);
    if (!readable || !write_delivery(entry.delivery, entry.packet_id, dup)) {
        // Not readable, or too large for this client [MQTT-3.1.2-25]: discarded as if
        // delivered.
        const std::uint16_t id = entry.packet_id;  // discard() destroys the entry
        session_->outbox.discard(id);
        worker_->persist().inflight_completed(*session_, id);
    }
}

void ClientConnection::resend_inflight() {
    // [MQTT-4.4.0-1]: on session resumption, unacknowledged PUBLISH (with DUP) and PUBREL
    // packets are sent again, in their original order.
    if (session_->outbox.inflight_size() == 0) return;
    auto& inflight = session_->outbox.inflight();
    std::vector<std::uint16_t> ids;
    for (auto& entry : inflight)
        ids.push_back(entry.packet_id);
    for (auto id : ids) {
        for (auto& entry : inflight) {
            if (entry.packet_id != id) continue;
            entry.sent_at = worker_->now();
            send_inflight(entry, true);
            break;
        }
    }
}

void ClientConnection::drop_output() {
    output_.discard();
}

bool ClientConnection::write_output() {
    output_unoffered_ = false;
    if (transport_->has_pending_output()) {
        // Bytes the transport encoded earlier (TLS records, WebSocket frames) go first.
        const auto sent = transport_->flush();
        if (sent.status == net::IoResult::Status::closed ||
            sent.status == net::IoResult::Status::error) {
            return false;
        }
    }
    const auto written = output_.write_to(*transport_);
    if (written.lost) return false;
    worker_->counters().add(worker_->counters().bytes_out, written.written);
    flow_.took_output(written.written, worker_->now());
    return true;
}

void ClientConnection::flush() {
    if (state_ == State::Closed) return;
    // No acknowledgement leaves before the store holds what it stands for (persist_writer.h).
    if (output_.awaits_store()) {
        if (waits_for_store() && !worker_->commit_persistence()) {
            drop_output();
            close(CloseReason{"the persistent store refused a write", std::nullopt, true});
            return;
        }
        output_.store_committed();
    }
    if (!write_output()) {
        drop_output();
        close(CloseReason{"connection lost while writing", std::nullopt, true});
        return;
    }
    if (flow_.held() && unsent_output() < limits().output_pause && !worker_->shutting_down() &&
        !waiting_for_answer()) {
        flow_.release();
        if (!input_.empty()) worker_->schedule_input(*this);  // no socket event reports it
    }
    update_interest();
    if (!output_full() && session_ && session_->outbox.has_queued()) pump();
    if (flow_.congested_now() && state_ != State::Closed && drained()) {
        flow_.end_congestion();
        list_congested(false);  // publishers on other workers resume (congested_sessions.h)
    }
    if (flow_.reported() && state_ != State::Closed && drained()) {
        // Stays set while publishers wait for it: each drain resumes the next batch.
        worker_->resume_publishers(this);
        flow_.set_reported(worker_->throttle().any_waiting_for(*this));
    }
}

void ClientConnection::update_interest() {
    if (state_ == State::Closed || migrating_) return;
    const bool reading = !input_paused();
    std::uint32_t wanted = (reading ? std::uint32_t{EPOLLIN} : 0u) |
                           (has_pending_output() ? std::uint32_t{EPOLLOUT} : 0u);
    if (wanted == interest_) return;
    interest_ = wanted;
    worker_->loop().modify(transport_->fd(), interest_, this);
}

}  // namespace akasa::broker
