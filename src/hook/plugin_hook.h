// PluginHook: a loaded plugin (include/akasa/plugin.h) seen as a Hook. It implements exactly
// the hook points whose callbacks the plugin exports; each call converts the session and
// packet to the C views of the ABI, and the plugin's answer back to a Decision.
//
// Lifetime: load() calls the plugin's init; the destructor calls its deinit and then closes
// the library, so destroy the last reference only after every worker stopped calling it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <akasa/plugin.h>
#include "hook/hook.h"
#include "hook/plugin_loader.h"

namespace akasa::hook {

class PluginHook : public Hook {
  public:
    // Opens `path`, checks the ABI version, resolves the exports, calls init with
    // `options`. Throws PluginError (see plugin_loader.h).
    static std::shared_ptr<PluginHook> load(const std::string& path,
                                            const PluginOptions& options = {});
    ~PluginHook() override;

    std::string_view name() const override { return library_->path(); }
    HookPointSet points() const override { return points_; }

    // Whether the plugin exports akasa_plugin_reconfigure (it can take new options while
    // the server runs).
    bool can_reconfigure() const { return exports_.reconfigure != nullptr; }
    // SIGHUP, main thread: gives the plugin `options`. nullopt when it took them; else why
    // not (it keeps its previous options). Only when can_reconfigure().
    std::optional<std::string> reconfigure(const PluginOptions& options);

    void on_worker_start(unsigned worker_index) override;
    void on_worker_stop(unsigned worker_index) override;

    Outcome before_connect(HookCall& call, mqtt::Connect& connect) override;
    Outcome after_connect(HookCall& call, bool session_present) override;
    Outcome before_publish(HookCall& call, mqtt::Publish& publish) override;
    Outcome after_publish(HookCall& call, const mqtt::Publish& publish, bool changed) override;
    Outcome before_subscribe(HookCall& call, mqtt::Subscribe& subscribe,
                             std::span<mqtt::ReasonCode> reasons) override;
    Outcome after_subscribe(HookCall& call, const mqtt::Subscribe& subscribe,
                            std::span<const std::uint8_t> reason_codes) override;
    Outcome before_unsubscribe(HookCall& call, mqtt::Unsubscribe& unsubscribe,
                               std::span<mqtt::ReasonCode> reasons) override;
    Outcome after_unsubscribe(HookCall& call, const mqtt::Unsubscribe& unsubscribe) override;
    void after_disconnect(const SessionInfo& session, bool taken_over) override;

    // The host function table every plugin receives.
    static const akasa_plugin_host& host();

  private:
    struct Exports {
        akasa_plugin_deinit_fn deinit = nullptr;
        akasa_plugin_reconfigure_fn reconfigure = nullptr;
        akasa_plugin_thread_fn thread_init = nullptr;
        akasa_plugin_thread_fn thread_deinit = nullptr;
        akasa_plugin_before_connect_fn before_connect = nullptr;
        akasa_plugin_after_connect_fn after_connect = nullptr;
        akasa_plugin_before_publish_fn before_publish = nullptr;
        akasa_plugin_after_publish_fn after_publish = nullptr;
        akasa_plugin_before_subscribe_fn before_subscribe = nullptr;
        akasa_plugin_after_subscribe_fn after_subscribe = nullptr;
        akasa_plugin_unsubscribe_fn before_unsubscribe = nullptr;
        akasa_plugin_unsubscribe_fn after_unsubscribe = nullptr;
        akasa_plugin_after_disconnect_fn after_disconnect = nullptr;
    };

    PluginHook(std::unique_ptr<PluginLibrary> library, Exports exports, void* state);

    std::unique_ptr<PluginLibrary> library_;
    Exports exports_;
    void* state_;
    HookPointSet points_ = 0;
};

}  // namespace akasa::hook
