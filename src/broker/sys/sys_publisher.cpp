#include "broker/sys/sys_publisher.h"

#include <utility>

#include "broker/worker/worker.h"

namespace akasa::broker::sys {

SysPublisher::SysPublisher(std::chrono::seconds interval, std::string version,
                           std::function<SysSample()> sample)
    : interval_(interval), sample_(std::move(sample)), tree_(std::move(version)) {}

void SysPublisher::on_tick(Worker& worker) {
    const Clock::time_point now = worker.now();
    if (last_ && now - *last_ < interval_) return;
    const double elapsed = last_ ? std::chrono::duration<double>(now - *last_).count() : 0.0;
    last_ = now;
    for (const SysMessage& m : tree_.update(sample_(), elapsed)) {
        // QoS 0 and retained, as mosquitto sends them; no publishing session.
        worker.publish_will(Message::create(m.topic, m.payload, mqtt::QoS::AtMostOnce,
                                            /*retain=*/true, /*publisher=*/0));
    }
}

}  // namespace akasa::broker::sys
