#include "config/config.h"

namespace akasa::config {

std::string_view to_string(ProxyMode mode) {
    switch (mode) {
        case ProxyMode::None:
            return "null";
        case ProxyMode::Normal:
            return "Normal";
        case ProxyMode::TlsTermination:
            return "TlsTermination";
    }
    return "?";
}

std::string_view to_string(SharedSubscriptionMode mode) {
    switch (mode) {
        case SharedSubscriptionMode::Random:
            return "Random";
        case SharedSubscriptionMode::HashClientId:
            return "HashClientId";
        case SharedSubscriptionMode::HashTopicName:
            return "HashTopicName";
    }
    return "?";
}

std::string_view to_string(SaslMechanism mechanism) {
    switch (mechanism) {
        case SaslMechanism::ScramSha256:
            return "SCRAM-SHA-256";
    }
    return "?";
}

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::Trace:
            return "trace";
        case LogLevel::Debug:
            return "debug";
        case LogLevel::Info:
            return "info";
        case LogLevel::Warn:
            return "warn";
        case LogLevel::Error:
            return "error";
    }
    return "?";
}

std::string_view to_string(LogFormat format) {
    switch (format) {
        case LogFormat::Text:
            return "text";
        case LogFormat::Json:
            return "json";
    }
    return "?";
}

}  // namespace akasa::config
