#include "mqtt/types.h"

namespace akasa::mqtt {

const char* to_string(ReasonCode code) {
    switch (code) {
        case ReasonCode::Success:
            return "Success";
        case ReasonCode::GrantedQoS1:
            return "Granted QoS 1";
        case ReasonCode::GrantedQoS2:
            return "Granted QoS 2";
        case ReasonCode::DisconnectWithWill:
            return "Disconnect with Will Message";
        case ReasonCode::NoMatchingSubscribers:
            return "No matching subscribers";
        case ReasonCode::NoSubscriptionExisted:
            return "No subscription existed";
        case ReasonCode::ContinueAuthentication:
            return "Continue authentication";
        case ReasonCode::ReAuthenticate:
            return "Re-authenticate";
        case ReasonCode::UnspecifiedError:
            return "Unspecified error";
        case ReasonCode::MalformedPacket:
            return "Malformed Packet";
        case ReasonCode::ProtocolError:
            return "Protocol Error";
        case ReasonCode::ImplementationSpecificError:
            return "Implementation specific error";
        case ReasonCode::UnsupportedProtocolVersion:
            return "Unsupported Protocol Version";
        case ReasonCode::ClientIdentifierNotValid:
            return "Client Identifier not valid";
        case ReasonCode::BadUserNameOrPassword:
            return "Bad User Name or Password";
        case ReasonCode::NotAuthorized:
            return "Not authorized";
        case ReasonCode::ServerUnavailable:
            return "Server unavailable";
        case ReasonCode::ServerBusy:
            return "Server busy";
        case ReasonCode::Banned:
            return "Banned";
        case ReasonCode::ServerShuttingDown:
            return "Server shutting down";
        case ReasonCode::BadAuthenticationMethod:
            return "Bad authentication method";
        case ReasonCode::KeepAliveTimeout:
            return "Keep Alive timeout";
        case ReasonCode::SessionTakenOver:
            return "Session taken over";
        case ReasonCode::TopicFilterInvalid:
            return "Topic Filter invalid";
        case ReasonCode::TopicNameInvalid:
            return "Topic Name invalid";
        case ReasonCode::PacketIdentifierInUse:
            return "Packet Identifier in use";
        case ReasonCode::PacketIdentifierNotFound:
            return "Packet Identifier not found";
        case ReasonCode::ReceiveMaximumExceeded:
            return "Receive Maximum exceeded";
        case ReasonCode::TopicAliasInvalid:
            return "Topic Alias invalid";
        case ReasonCode::PacketTooLarge:
            return "Packet too large";
        case ReasonCode::MessageRateTooHigh:
            return "Message rate too high";
        case ReasonCode::QuotaExceeded:
            return "Quota exceeded";
        case ReasonCode::AdministrativeAction:
            return "Administrative action";
        case ReasonCode::PayloadFormatInvalid:
            return "Payload format invalid";
        case ReasonCode::RetainNotSupported:
            return "Retain not supported";
        case ReasonCode::QoSNotSupported:
            return "QoS not supported";
        case ReasonCode::UseAnotherServer:
            return "Use another server";
        case ReasonCode::ServerMoved:
            return "Server moved";
        case ReasonCode::SharedSubscriptionsNotSupported:
            return "Shared Subscriptions not supported";
        case ReasonCode::ConnectionRateExceeded:
            return "Connection rate exceeded";
        case ReasonCode::MaximumConnectTime:
            return "Maximum connect time";
        case ReasonCode::SubscriptionIdentifiersNotSupported:
            return "Subscription Identifiers not supported";
        case ReasonCode::WildcardSubscriptionsNotSupported:
            return "Wildcard Subscriptions not supported";
    }
    return "Unknown reason code";
}

const char* to_string(PacketType type) {
    switch (type) {
        case PacketType::Connect:
            return "CONNECT";
        case PacketType::Connack:
            return "CONNACK";
        case PacketType::Publish:
            return "PUBLISH";
        case PacketType::PubAck:
            return "PUBACK";
        case PacketType::PubRec:
            return "PUBREC";
        case PacketType::PubRel:
            return "PUBREL";
        case PacketType::PubComp:
            return "PUBCOMP";
        case PacketType::Subscribe:
            return "SUBSCRIBE";
        case PacketType::Suback:
            return "SUBACK";
        case PacketType::Unsubscribe:
            return "UNSUBSCRIBE";
        case PacketType::Unsuback:
            return "UNSUBACK";
        case PacketType::Pingreq:
            return "PINGREQ";
        case PacketType::Pingresp:
            return "PINGRESP";
        case PacketType::Disconnect:
            return "DISCONNECT";
        case PacketType::Auth:
            return "AUTH";
    }
    return "UNKNOWN";
}

const char* to_string(ConnectReturnCode code) {
    switch (code) {
        case ConnectReturnCode::Accepted:
            return "Connection accepted";
        case ConnectReturnCode::UnacceptableProtocolVersion:
            return "Connection refused, unacceptable protocol version";
        case ConnectReturnCode::IdentifierRejected:
            return "Connection refused, identifier rejected";
        case ConnectReturnCode::ServerUnavailable:
            return "Connection refused, server unavailable";
        case ConnectReturnCode::BadUserNameOrPassword:
            return "Connection refused, bad user name or password";
        case ConnectReturnCode::NotAuthorized:
            return "Connection refused, not authorized";
    }
    return "Unknown return code";
}

ConnectReturnCode to_connect_return_code(ReasonCode code) {
    switch (code) {
        case ReasonCode::Success:
            return ConnectReturnCode::Accepted;
        case ReasonCode::UnsupportedProtocolVersion:
            return ConnectReturnCode::UnacceptableProtocolVersion;
        case ReasonCode::ClientIdentifierNotValid:
            return ConnectReturnCode::IdentifierRejected;
        case ReasonCode::BadUserNameOrPassword:
        case ReasonCode::BadAuthenticationMethod:
            return ConnectReturnCode::BadUserNameOrPassword;
        case ReasonCode::NotAuthorized:
        case ReasonCode::Banned:
            return ConnectReturnCode::NotAuthorized;
        default:
            return ConnectReturnCode::ServerUnavailable;
    }
}

}  // namespace akasa::mqtt
