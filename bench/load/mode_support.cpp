#include "mode_support.h"

#include <unistd.h>

namespace akasa::bench {

std::string check_common_options(const CommonOptions& common) {
    if (!common.tls && (!common.ca_file.empty() || !common.cert_file.empty())) {
        return "--cafile and --cert need --tls";
    }
    if (!common.key_file.empty() && common.cert_file.empty()) return "--key needs --cert";
    if (common.mqtt_version != 4 && common.mqtt_version != 5) {
        return "--mqtt must be 3.1.1 or 5";
    }
    if (common.threads < 1 || common.threads > 64) return "--threads must be 1..64";
    if (common.source_ips < 1 || common.source_ips > 254) return "--source-ips must be 1..254";
    if (common.connect_concurrency < 1) return "--connect-concurrency must be at least 1";
    return {};
}

WorkerSettings make_worker_settings(const CommonOptions& common) {
    WorkerSettings settings;
    settings.broker = resolve_broker(common.host, common.port);
    settings.source_ips = common.source_ips;
    settings.connect_concurrency = common.connect_concurrency;
    settings.version =
        common.mqtt_version == 5 ? mqtt::ProtocolVersion::V5 : mqtt::ProtocolVersion::V311;
    settings.keepalive_s = common.keepalive_s;
    if (common.tls) {
        settings.layers.tls =
            make_client_tls_context(common.ca_file, common.cert_file, common.key_file);
    }
    settings.layers.websocket = common.websocket;
    settings.layers.host = common.host;
    settings.layers.ws_path = common.ws_path;
    return settings;
}

std::string client_id_prefix(const CommonOptions& common) {
    if (!common.client_id_prefix.empty()) return common.client_id_prefix;
    return "akb-" + std::to_string(getpid()) + "-";
}

LatencySummary summarize(const LatencyHistogram& histogram) {
    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
    LatencySummary summary;
    summary.p50_us = us(histogram.quantile(0.50));
    summary.p90_us = us(histogram.quantile(0.90));
    summary.p99_us = us(histogram.quantile(0.99));
    summary.p999_us = us(histogram.quantile(0.999));
    summary.max_us = us(histogram.max());
    summary.mean_us = histogram.mean() / 1000.0;
    return summary;
}

}  // namespace akasa::bench
