// Representative packets of every type for a protocol version, shared by the round-trip
// tests and fuzz/make_corpus.cpp (the seed corpus). All strings are literals, so the views
// stay valid for the whole program.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mqtt/packets.h"

namespace akasa::mqtt::testing {

struct NamedPacket {
    std::string name;  // e.g. "publish_qos1", unique per version
    Packet packet;
};

// Properties of PUBLISH and of the Will: every message property.
inline Properties message_properties() {
    Properties p;
    p.payload_format_indicator = 1;
    p.message_expiry_interval = 3600;
    p.content_type = "application/json";
    p.response_topic = "replies/42";
    p.correlation_data = std::string_view("\x00\x01\xff", 3);
    p.user_properties = {{"origin", "sensor-7"}, {"origin", "duplicate keys are kept"}};
    return p;
}

inline std::vector<NamedPacket> sample_packets(ProtocolVersion version) {
    const bool v5 = version == ProtocolVersion::V5;
    std::vector<NamedPacket> out;

    Connect minimal;
    minimal.version = version;
    minimal.protocol_name = version == ProtocolVersion::V31 ? "MQIsdp" : "MQTT";
    minimal.client_id = "c1";
    minimal.keep_alive = 60;
    out.push_back({"connect_minimal", minimal});

    Connect full = minimal;
    full.clean_start = false;
    full.client_id = "client-\xc3\xa9";  // é
    full.username = "alice";
    full.password = std::string_view("p\x00ss", 4);
    Will will;
    will.topic = "clients/c1/status";
    will.payload = "offline";
    will.qos = QoS::AtLeastOnce;
    will.retain = true;
    if (v5) {
        will.properties = message_properties();
        will.properties.will_delay_interval = 30;
        full.properties.session_expiry_interval = 600;
        full.properties.receive_maximum = 100;
        full.properties.maximum_packet_size = 65536;
        full.properties.topic_alias_maximum = 10;
        full.properties.request_response_information = 1;
        full.properties.request_problem_information = 0;
        full.properties.authentication_method = "SCRAM-SHA-256";
        full.properties.authentication_data = "n,,n=alice,r=abc";
        full.properties.user_properties = {{"k", "v"}};
    }
    full.will = will;
    out.push_back({"connect_full", full});

    Connack connack;
    connack.session_present = version != ProtocolVersion::V31;
    if (v5) {
        auto& p = connack.properties;
        p.session_expiry_interval = 0;
        p.assigned_client_identifier = "auto-1234";
        p.server_keep_alive = 30;
        p.response_information = "resp/";
        p.server_reference = "other.example:1883";
        p.reason_string = "welcome";
        p.receive_maximum = 65535;
        p.topic_alias_maximum = 16;
        p.maximum_qos = 1;
        p.retain_available = 1;
        p.maximum_packet_size = 1048576;
        p.wildcard_subscription_available = 1;
        p.subscription_identifier_available = 0;
        p.shared_subscription_available = 1;
        p.user_properties = {{"a", "b"}};
    }
    out.push_back({"connack", connack});
    Connack refused;
    refused.reason_code = v5 ? static_cast<uint8_t>(ReasonCode::NotAuthorized)
                             : static_cast<uint8_t>(ConnectReturnCode::NotAuthorized);
    out.push_back({"connack_refused", refused});

    Publish qos0;
    qos0.topic = "sensors/7/temp";
    qos0.payload = "21.5";
    out.push_back({"publish_qos0", qos0});
    Publish qos1 = qos0;
    qos1.qos = QoS::AtLeastOnce;
    qos1.packet_id = 1;
    qos1.retain = true;
    qos1.payload = "";
    out.push_back({"publish_qos1_retain_empty", qos1});
    Publish qos2 = qos0;
    qos2.qos = QoS::ExactlyOnce;
    qos2.dup = true;
    qos2.packet_id = 65535;
    if (v5) {
        qos2.properties = message_properties();
        qos2.properties.subscription_identifiers = {1, 268435455};
    }
    out.push_back({"publish_qos2_dup", qos2});
    if (v5) {
        Publish aliased = qos0;
        aliased.topic = "";
        aliased.properties.topic_alias = 3;
        out.push_back({"publish_topic_alias", aliased});
    }

    PubAck puback;
    puback.packet_id = 7;
    out.push_back({"puback", puback});
    PubRec pubrec;
    pubrec.packet_id = 8;
    PubRel pubrel;
    pubrel.packet_id = 9;
    PubComp pubcomp;
    pubcomp.packet_id = 10;
    if (v5) {
        PubAck with_reason = puback;
        with_reason.reason_code = ReasonCode::NoMatchingSubscribers;
        out.push_back({"puback_reason", with_reason});
        PubAck with_props = puback;
        with_props.reason_code = ReasonCode::QuotaExceeded;
        with_props.properties.reason_string = "too many";
        with_props.properties.user_properties = {{"x", "y"}};
        out.push_back({"puback_properties", with_props});
        pubrec.reason_code = ReasonCode::PayloadFormatInvalid;
        pubrel.reason_code = ReasonCode::PacketIdentifierNotFound;
        pubcomp.properties.reason_string = "done";
    }
    out.push_back({"pubrec", pubrec});
    out.push_back({"pubrel", pubrel});
    out.push_back({"pubcomp", pubcomp});

    Subscribe subscribe;
    subscribe.packet_id = 11;
    subscribe.topics.push_back({"a/+/c", {QoS::AtMostOnce}});
    subscribe.topics.push_back({"a/#", {QoS::AtLeastOnce}});
    SubscribeTopic third{"$share/group/x/y", {QoS::ExactlyOnce}};
    if (v5) {
        subscribe.topics[0].options.no_local = true;
        subscribe.topics[0].options.retain_as_published = true;
        subscribe.topics[0].options.retain_handling = 2;
        subscribe.topics[1].options.retain_handling = 1;
        subscribe.properties.subscription_identifiers = {42};
        subscribe.properties.user_properties = {{"s", "t"}};
    }
    subscribe.topics.push_back(third);
    out.push_back({"subscribe", subscribe});

    Suback suback;
    suback.packet_id = 11;
    suback.reason_codes = {0, 1, 2, 0x80};
    if (v5) {
        suback.reason_codes.push_back(static_cast<uint8_t>(ReasonCode::TopicFilterInvalid));
        suback.properties.reason_string = "partial";
    }
    out.push_back({"suback", suback});

    Unsubscribe unsubscribe;
    unsubscribe.packet_id = 12;
    unsubscribe.topic_filters = {"a/+/c", "a/#"};
    if (v5) unsubscribe.properties.user_properties = {{"u", "1"}};
    out.push_back({"unsubscribe", unsubscribe});

    Unsuback unsuback;
    unsuback.packet_id = 12;
    if (v5) {
        unsuback.reason_codes = {0x00, 0x11};
        unsuback.properties.reason_string = "ok";
    }
    out.push_back({"unsuback", unsuback});

    out.push_back({"pingreq", Pingreq{}});
    out.push_back({"pingresp", Pingresp{}});
    out.push_back({"disconnect", Disconnect{}});
    if (v5) {
        Disconnect with_will;
        with_will.reason_code = ReasonCode::DisconnectWithWill;
        out.push_back({"disconnect_with_will", with_will});
        Disconnect with_props;
        with_props.reason_code = ReasonCode::ServerMoved;
        with_props.properties.server_reference = "b.example";
        with_props.properties.session_expiry_interval = 10;
        with_props.properties.reason_string = "moving";
        out.push_back({"disconnect_properties", with_props});

        out.push_back({"auth_success", Auth{}});
        Auth auth;
        auth.reason_code = ReasonCode::ContinueAuthentication;
        auth.properties.authentication_method = "SCRAM-SHA-256";
        auth.properties.authentication_data = "r=abc,s=salt,i=4096";
        out.push_back({"auth_continue", auth});
    }
    return out;
}

inline const char* version_name(ProtocolVersion version) {
    switch (version) {
        case ProtocolVersion::V31:
            return "v31";
        case ProtocolVersion::V311:
            return "v311";
        case ProtocolVersion::V5:
            return "v5";
    }
    return "unknown";
}

}  // namespace akasa::mqtt::testing
