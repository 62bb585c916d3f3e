#include "broker/mqtt5/mqtt5_options.h"

#include "text/utf8.h"

namespace akasa::broker::mqtt5 {

bool payload_format_ok(const config::Config& config, const mqtt::Properties& properties,
                       std::string_view payload) {
    if (!config.validate_payload_format || properties.payload_format_indicator != 1) return true;
    return text::is_well_formed_utf8(payload);
}

std::optional<std::string> response_information(const config::Config& config,
                                                std::string_view client_id) {
    if (!config.response_information) return std::nullopt;
    static constexpr std::string_view kPlaceholder = "{client_id}";
    std::string text = *config.response_information;
    for (auto at = text.find(kPlaceholder); at != std::string::npos;
         at = text.find(kPlaceholder, at + client_id.size())) {
        text.replace(at, kPlaceholder.size(), client_id);
    }
    return text;
}

}  // namespace akasa::broker::mqtt5
