// libFuzzer target for the ACL file (hook/acl/acl_rules.h): AclRules::parse, then check()
// of clients and topics against the parsed rules so the matcher runs too (see
// fuzz/README.md). Input: the ACL file, optionally followed by a NUL byte and NUL-separated
// queries: a username (empty: none), a client id, then topics and filters. The parser
// refuses NUL bytes, so the separator takes nothing away from the file's language.
// Every query runs for a few fixed clients too, and every rule's own filter is queried.
// Properties checked, aborting on a violation (ASan/UBSan check memory and UB):
//  1. parse() either returns rules or throws AclFileError naming the source and the line
//     (anything else escaping is a crash, as it would end the server on a SIGHUP reload).
//  2. For a topic name without wildcards, subscribing to it is allowed exactly when reading
//     it is: the filter relations used for SUBSCRIBE agree with the topic matcher.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "hook/acl/acl_rules.h"
#include "mqtt/topic.h"
#include "text/utf8.h"

namespace {

using namespace akasa::hook::acl;
namespace mqtt = akasa::mqtt;
namespace text = akasa::text;

[[noreturn]] void fail(const char* what) {
    akasa::fuzz::fail("acl_rules_fuzz", what);
}

struct Client {
    std::optional<std::string_view> username;
    std::string_view client_id;
};

void check_topic(const AclRules& rules, const Client& c, std::string_view topic) {
    // Only what the broker passes: a valid topic name for Read/Write (a PUBLISH, a delivery),
    // a valid filter for Subscribe (a SUBSCRIBE).
    const bool name = mqtt::validate_topic_name(topic);
    if (name) {
        (void)rules.check(c.username, c.client_id, topic, Access::Write);
    }
    if (mqtt::validate_topic_filter(topic)) {
        const bool subscribe = rules.check(c.username, c.client_id, topic, Access::Subscribe);
        if (name && !topic.starts_with("$share/") &&
            subscribe != rules.check(c.username, c.client_id, topic, Access::Read)) {
            fail("Subscribe and Read disagree on a topic name");
        }
    }
}

std::vector<std::string_view> split_on_nul(std::string_view text) {
    std::vector<std::string_view> fields;
    while (true) {
        const std::size_t nul = text.find('\0');
        fields.push_back(text.substr(0, nul));
        if (nul == std::string_view::npos) return fields;
        text.remove_prefix(nul + 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string_view file = input.substr(0, nul);
    std::optional<AclRules> rules;
    try {
        rules.emplace(AclRules::parse(file, "fuzz.acl"));
    } catch (const AclFileError& e) {
        if (!std::string_view(e.what()).starts_with("fuzz.acl:") || !e.line()) {
            fail("a parse error without the source and line");
        }
        return 0;
    }

    std::vector<Client> clients = {
        {std::nullopt, "c1"}, {"alice", "c1"}, {"bob", "dev/1"}, {"a+b", "c2"}, {"u", "#"}};
    std::vector<std::string_view> topics = {"a/b", "alice/x", "$SYS/broker",
                                            "#",   "+/b",     "$share/g/a/#"};
    if (nul != std::string_view::npos) {
        const auto fields = split_on_nul(input.substr(nul + 1));
        // Names as a CONNECT carries them: MQTT UTF-8 strings.
        std::optional<std::string_view> username;
        if (!fields[0].empty()) username = fields[0];
        const std::string_view client_id = fields.size() > 1 ? fields[1] : "";
        if ((!username || text::is_well_formed_utf8_without_nul(*username)) &&
            text::is_well_formed_utf8_without_nul(client_id)) {
            clients.push_back({username, client_id});
        }
        for (std::size_t i = 2; i < fields.size(); ++i)
            topics.push_back(fields[i]);
    }
    std::vector<std::string> rule_filters;
    std::vector<const std::vector<AclRule>*> lists = {&rules->anonymous_rules(),
                                                      &rules->patterns()};
    for (const Client& client : clients) {
        if (client.username) lists.push_back(rules->user_rules(*client.username));
    }
    for (const auto* list : lists) {
        if (!list) continue;
        for (const AclRule& rule : *list)
            rule_filters.push_back(rule.filter);
    }
    for (const Client& client : clients) {
        for (std::string_view topic : topics)
            check_topic(*rules, client, topic);
        for (const std::string& filter : rule_filters)
            check_topic(*rules, client, filter);
    }
    return 0;
}
