#include "broker/connection/auth_exchange.h"

#include <fmt/format.h>

#include "auth/saslprep.h"

namespace akasa::broker {

using mqtt::ReasonCode;

bool AuthExchange::offered(const config::Config& config, std::string_view method) {
    for (const auto mechanism : config.sasl_mechanisms) {
        if (config::to_string(mechanism) == method) return true;
    }
    return false;
}

AuthExchange::AuthExchange(const config::Config& config, std::string method)
    : config_(config), method_(std::move(method)) {}

AuthStep AuthExchange::begin(std::optional<std::string_view> data) {
    // SCRAM-SHA-256 is the only mechanism (offered() checked the name against the config).
    const auto& users = config_.scram_users;
    scram_ = std::make_unique<auth::ScramServer>(
        [&users](std::string_view name) -> std::optional<auth::ScramCredentials> {
            const auto it = auth::find_prepared_user(users, name);  // name: SASLprep'd
            if (it == users.end()) return std::nullopt;
            const config::ScramUser& user = it->second;
            if (user.stored_form()) {
                return auth::ScramCredentials{user.stored_key, user.server_key, user.salt,
                                              user.iterations};
            }
            return auth::ScramCredentials::from_salted_password(user.hashed_password, user.salt,
                                                                user.iterations);
        });
    if (!data) {
        scram_.reset();
        return AuthStep{AuthStep::Kind::Failure,
                        {},
                        ReasonCode::NotAuthorized,
                        "SCRAM-SHA-256 needs the client-first message as Authentication Data"};
    }
    auto result = scram_->start(*data);
    if (!result.ok()) return failure(result);
    return AuthStep{AuthStep::Kind::Continue, std::move(result.message), ReasonCode::Success, {}};
}

AuthStep AuthExchange::advance(std::optional<std::string_view> data) {
    if (!scram_) {
        return AuthStep{AuthStep::Kind::Failure,
                        {},
                        ReasonCode::ProtocolError,
                        "AUTH 0x18 with no authentication exchange in progress"};
    }
    auto result = scram_->finish(data.value_or(std::string_view{}));
    if (!result.ok()) return failure(result);
    std::string user = scram_->username();
    scram_.reset();
    if (!username_.empty() && user != username_) {
        // A re-authentication proves the identity of the connection; it cannot change it.
        return AuthStep{
            AuthStep::Kind::Failure,
            {},
            ReasonCode::NotAuthorized,
            fmt::format("re-authentication as user '{}' on a connection of '{}'", user, username_)};
    }
    username_ = std::move(user);
    return AuthStep{AuthStep::Kind::Success, std::move(result.message), ReasonCode::Success, {}};
}

AuthStep AuthExchange::failure(const auth::ScramResult& result) {
    scram_.reset();
    const auto reason = result.error == auth::ScramError::InvalidProof
                            ? ReasonCode::BadUserNameOrPassword
                            : ReasonCode::NotAuthorized;
    return AuthStep{
        AuthStep::Kind::Failure,
        {},
        reason,
        fmt::format("SCRAM-SHA-256: {} ({})", auth::to_string(*result.error), result.message)};
}

}  // namespace akasa::broker
