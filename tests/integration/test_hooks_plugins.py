"""Hooks and plugins in the real binary (issue 6): the example plugin (examples/auth_plugin:
authentication from its options, a topic prefix rewrite) and the test plugin
(tests/unit/hook/plugins/test_plugin.c: refusals per connect, publish and filter, actions
of after_connect and after_publish, after_disconnect events), in MQTT 3.1.1 and 5.0, the
`hook.enable_*` flags, and plugins that cannot load."""

import os
import subprocess
import tempfile
import unittest

from akasa_harness import AkasaServer, BINARY, free_port
from hook_test_support import RawClient, plugin_path, wait_for_log

# CONNACK codes: 3.1.1 return codes and their MQTT 5 reason codes.
V3_BAD_CREDENTIALS, V3_NOT_AUTHORIZED = 4, 5
V5_BAD_CREDENTIALS, V5_NOT_AUTHORIZED = 0x86, 0x87


def example_plugin_yaml(extra_options=""):
    return f"""
plugins:
  - path: {plugin_path('auth_plugin.so')}
    options:
      users: "alice:secret,bob:hunter2"
      rewrite_from: legacy/
      rewrite_to: v2/
{extra_options}"""


def test_plugin_yaml(options="", extra=""):
    return f"""
plugins:
  - path: {plugin_path('test_plugin.so')}
    options: {{{options}}}
{extra}"""


class ExamplePluginTests(unittest.TestCase):
    def test_authenticates_against_its_user_list(self):
        with AkasaServer(example_plugin_yaml()) as server:
            for version, bad in ((4, V3_BAD_CREDENTIALS), (5, V5_BAD_CREDENTIALS)):
                ok = RawClient(server.port, f"a{version}", version, "alice", "secret")
                self.assertEqual(ok.connect(), 0)
                ok.close()
                wrong = RawClient(server.port, f"w{version}", version, "alice", "wrong")
                self.assertEqual(wrong.connect(), bad)
                wrong.close()
                unknown = RawClient(server.port, f"u{version}", version, "mallory", "x")
                self.assertEqual(unknown.connect(), bad)
                unknown.close()
            self.assertIn("plugin: " + plugin_path("auth_plugin.so") + ": ready",
                          server.log_text())

    def test_rewrites_a_topic_prefix(self):
        with AkasaServer(example_plugin_yaml()) as server:
            sub = RawClient(server.port, "sub", 5, "bob", "hunter2")
            self.assertEqual(sub.connect(), 0)
            self.assertEqual(sub.subscribe(["v2/#", "legacy/#"]), [1, 1])
            pub = RawClient(server.port, "pub", 4, "alice", "secret")
            self.assertEqual(pub.connect(), 0)
            self.assertEqual(pub.publish("legacy/room/1", b"hi", qos=1), 0)
            self.assertEqual(sub.next_message(), ("v2/room/1", b"hi", False))
            pub.publish("v2/direct", b"as is", qos=1)  # nothing reached legacy/# meanwhile
            self.assertEqual(sub.next_message(), ("v2/direct", b"as is", False))
            sub.close()
            pub.close()


class TestPluginTests(unittest.TestCase):
    def test_refuses_a_connect(self):
        with AkasaServer(test_plugin_yaml()) as server:
            for version, code in ((4, V3_NOT_AUTHORIZED), (5, V5_NOT_AUTHORIZED)):
                client = RawClient(server.port, f"d{version}", version, "denied", "x")
                self.assertEqual(client.connect(), code)
                client.close()

    def test_refused_publish_v5_gets_0x87_and_v3_is_dropped_silently(self):
        with AkasaServer(test_plugin_yaml()) as server:
            sub = RawClient(server.port, "sub", 4)
            self.assertEqual(sub.connect(), 0)
            sub.subscribe(["blocked/#", "open/#"])
            v5 = RawClient(server.port, "v5", 5)
            self.assertEqual(v5.connect(), 0)
            self.assertEqual(v5.publish("blocked/a", b"1", qos=1), 0x87)  # PUBACK
            self.assertEqual(v5.publish("blocked/a", b"2", qos=2, packet_id=2), 0x87)  # PUBREC
            v3 = RawClient(server.port, "v3", 4)
            self.assertEqual(v3.connect(), 0)
            self.assertEqual(v3.publish("blocked/b", b"3", qos=1), 0)  # acknowledged, dropped
            self.assertEqual(v3.publish("blocked/b", b"4", qos=2, packet_id=3), 0)
            v3.publish("open/c", b"5", qos=1)
            # Nothing of the refused publishes reached the subscriber: the next is open/c.
            self.assertEqual(sub.next_message(), ("open/c", b"5", False))
            for c in (sub, v5, v3):
                c.close()

    def test_refuses_a_subscribe_per_filter(self):
        with AkasaServer(test_plugin_yaml()) as server:
            v5 = RawClient(server.port, "v5", 5)
            self.assertEqual(v5.connect(), 0)
            self.assertEqual(v5.subscribe(["a/b", "private/x", "c/#"], qos=1), [1, 0x87, 1])
            v3 = RawClient(server.port, "v3", 4)
            self.assertEqual(v3.connect(), 0)
            self.assertEqual(v3.subscribe(["private/y", "a/b"], qos=1), [0x80, 1])
            v5.close()
            v3.close()

    def test_refuses_an_unsubscribe_per_filter(self):
        with AkasaServer(test_plugin_yaml()) as server:
            v5 = RawClient(server.port, "v5", 5)
            self.assertEqual(v5.connect(), 0)
            v5.subscribe(["locked/a", "free/a"])
            self.assertEqual(v5.unsubscribe(["locked/a", "free/a"]), [0x87, 0])
            # locked/a is still subscribed, free/a is not.
            pub = RawClient(server.port, "pub", 4)
            self.assertEqual(pub.connect(), 0)
            pub.publish("free/a", b"gone", qos=1)
            pub.publish("locked/a", b"kept", qos=1)
            self.assertEqual(v5.next_message(), ("locked/a", b"kept", False))
            v5.close()
            pub.close()

    def test_a_hook_pending_without_deferring_refuses_every_filter(self):
        # A broken plugin says "pending" but can never answer: the chain stops there, so the
        # hooks after it (an ACL) never decide; the filters are refused, as at hook_timeout.
        with AkasaServer(test_plugin_yaml()) as server:
            v5 = RawClient(server.port, "v5", 5)
            self.assertEqual(v5.connect(), 0)
            self.assertEqual(v5.subscribe(["broken/x", "a/b"]), [0x83, 0x83])
            self.assertEqual(v5.subscribe(["a/b"], packet_id=2), [1])
            self.assertEqual(v5.unsubscribe(["broken/x", "a/b"], packet_id=3), [0x83, 0x83])
            self.assertEqual(v5.unsubscribe(["a/b"], packet_id=4), [0])
            v3 = RawClient(server.port, "v3", 4)
            self.assertEqual(v3.connect(), 0)
            self.assertEqual(v3.subscribe(["broken/x"]), [0x80])
            v5.close()
            v3.close()

    def test_after_connect_action_subscribes_the_client(self):
        with AkasaServer(test_plugin_yaml()) as server:
            for version in (4, 5):
                client = RawClient(server.port, f"dev{version}", version)
                self.assertEqual(client.connect(), 0)
                pub = RawClient(server.port, f"pub{version}", 4)
                self.assertEqual(pub.connect(), 0)
                pub.publish(f"inbox/dev{version}", b"for you", qos=1)
                self.assertEqual(client.next_message(), (f"inbox/dev{version}", b"for you", False))
                client.close()
                pub.close()

    def test_after_publish_action_publishes_on_behalf_of_the_session(self):
        with AkasaServer(test_plugin_yaml()) as server:
            sub = RawClient(server.port, "sub", 5)
            self.assertEqual(sub.connect(), 0)
            sub.subscribe(["echoed/#"])
            pub = RawClient(server.port, "pub", 4)
            self.assertEqual(pub.connect(), 0)
            pub.publish("echo/ping", b"payload", qos=1)
            self.assertEqual(sub.next_message(), ("echoed/ping", b"payload", False))
            sub.close()
            pub.close()

    def test_after_disconnect_sees_takeover(self):
        with tempfile.TemporaryDirectory() as tmp:
            events = os.path.join(tmp, "events")
            with AkasaServer(test_plugin_yaml(f"events_file: {events}")) as server:
                first = RawClient(server.port, "same", 4)
                self.assertEqual(first.connect(), 0)
                second = RawClient(server.port, "same", 4)
                self.assertEqual(second.connect(), 0)
                second.send(0xE0, b"")  # DISCONNECT
                wait_for_log(server, "client same disconnected from")
                second.close()
                first.close()
                server.stop()
            with open(events) as f:
                lines = f.read().splitlines()
            self.assertEqual(lines[:2], ["disconnect same taken_over=1 listener=mqtt",
                                         "disconnect same taken_over=0 listener=mqtt"])

    def test_enable_flags_turn_points_off(self):
        flags = "hook:\n  enable_publish: false\n  enable_subscribe: false\n"
        with AkasaServer(test_plugin_yaml(extra=flags)) as server:
            v5 = RawClient(server.port, "v5", 5)
            self.assertEqual(v5.connect(), 0)
            self.assertEqual(v5.subscribe(["private/x", "blocked/#"]), [1, 1])
            pub = RawClient(server.port, "pub", 5)
            self.assertEqual(pub.connect(), 0)
            self.assertEqual(pub.publish("blocked/a", b"through", qos=1), 0)
            self.assertEqual(v5.next_message(), ("blocked/a", b"through", False))
            pub.close()
            denied = RawClient(server.port, "d", 5, "denied", "x")
            self.assertEqual(denied.connect(), V5_NOT_AUTHORIZED)  # before_connect still on
            v5.close()
            denied.close()


def start_with(extra_yaml):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "akasa.yaml")
        with open(path, "w") as f:
            f.write(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                    f"auth:\n  enable: false\n{extra_yaml}")
        return subprocess.run([BINARY, "start", "--config", path], capture_output=True,
                              text=True, timeout=20)


class PluginStartErrorTests(unittest.TestCase):
    def assert_refused(self, extra_yaml, *fragments):
        result = start_with(extra_yaml)
        self.assertNotEqual(result.returncode, 0)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)

    def test_missing_plugin_is_named(self):
        self.assert_refused("plugins:\n  - path: /nonexistent/p.so\n", "/nonexistent/p.so",
                            "no such file")

    def test_plugin_of_another_abi_version_is_refused(self):
        path = plugin_path("test_plugin_bad_abi.so")
        self.assert_refused(f"plugins:\n  - path: {path}\n", path, "ABI version 999")

    def test_plugin_whose_init_fails_is_refused(self):
        path = plugin_path("test_plugin.so")
        self.assert_refused(f"plugins:\n  - path: {path}\n    options: {{fail_init: yes}}\n",
                            path, "akasa_plugin_init failed")

    def test_bad_plugins_key_is_named(self):
        self.assert_refused("plugins:\n  - opts: {}\n", "plugins[0]")


if __name__ == "__main__":
    unittest.main()
