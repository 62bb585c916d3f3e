"""max_topic_levels and max_topic_length against the real binary (docs/security.md).

Security issue 2, "one packet crashes the server": a retained PUBLISH to `x` followed by
65,000 '/', then a SUBSCRIBE to `#`, overflowed the stack of the recursive retained-trie walk,
and with persistence on the crash came back at every restart. Here: with the default limit
the PUBLISH is refused (MQTT 5 QoS 1/2: 0x90 in PUBACK/PUBREC; QoS 0 and 3.1.1: the
connection is closed) and the server keeps serving; filters over the limit get 0x8F (5.0) /
0x80 (3.1.1); a will over it refuses the CONNECT; with the limit raised the same topic is
served; records stored under larger limits are dropped at the restart, which serves on.
Raw sockets, for the exact reason codes."""

import re
import tempfile
import unittest

from akasa_harness import AkasaServer, wait_for_log
from hook_test_support import RawClient, plugin_path

DEEP = "x" + "/" * 65000  # 65,001 levels: the topic of the issue
TOO_DEEP_FILTER = "a/" * 128 + "#"  # 129 levels
DEEPEST_FILTER = "a/" * 127 + "#"  # 128 levels: the default limit exactly
TOO_DEEP_WILL = "w/" * 128 + "x"  # 129 levels


def log_line(text, fragment):
    """The first log line containing `fragment`."""
    for line in text.splitlines():
        if fragment in line:
            return line
    raise AssertionError(f"no log line with {fragment!r}:\n{text}")


def connected(server, client_id, version, **kwargs):
    client = RawClient(server.port, client_id, version=version, **kwargs)
    code = client.connect()
    assert code == 0, f"CONNACK {code:#x} for {client_id}"
    return client


class PublishOverTheLimit(unittest.TestCase):
    def assert_serves(self, server):
        """Another client subscribes to `#` and gets a message: the server is alive, and the
        refused topic was not stored as a retained message (it would arrive first)."""
        watcher = connected(server, "watcher", 4)
        self.assertEqual(watcher.subscribe(["#"]), [1])
        publisher = connected(server, "publisher", 5)
        self.assertEqual(publisher.publish("after/attack", b"fine", qos=1), 0)
        self.assertEqual(watcher.next_message(), ("after/attack", b"fine", False))
        watcher.close()
        publisher.close()

    def test_v311_retained_publish_closes_the_connection_MQTT_3_3_5_2(self):
        with AkasaServer() as server:
            attacker = connected(server, "attacker311", 4)
            attacker.publish(DEEP, b"boom", qos=0, retain=True)
            with self.assertRaises(ConnectionError):  # closed, not a time-out
                attacker.recv_packet()
            attacker.close()
            line = log_line(wait_for_log(server, "max_topic_levels (128)"), "max_topic_levels")
            self.assertIn("attacker311", line)
            self.assertIn("65001 levels, more than max_topic_levels (128)", line)
            self.assertIn("Topic Name invalid", line)
            self.assert_serves(server)

    def test_v5_qos1_and_qos2_are_refused_with_0x90_and_the_connection_stays(self):
        with AkasaServer() as server:
            attacker = connected(server, "attacker5", 5)
            self.assertEqual(attacker.publish(DEEP, b"boom", qos=1, retain=True), 0x90)
            self.assertEqual(attacker.publish(DEEP, b"boom", qos=2, retain=True, packet_id=2),
                             0x90)
            attacker.ping()  # still connected
            self.assertEqual(attacker.subscribe(["#"]), [1])
            line = log_line(wait_for_log(server, "max_topic_levels (128)"), "max_topic_levels")
            self.assertIn("attacker5", line)
            self.assert_serves(server)
            attacker.close()

    def test_v5_qos0_is_refused_with_disconnect_0x90(self):
        with AkasaServer() as server:
            attacker = connected(server, "attacker5q0", 5)
            attacker.publish(DEEP, b"boom", qos=0, retain=True)
            kind, _, body = attacker.recv_packet()
            self.assertEqual((kind, body[0]), (14, 0x90))  # DISCONNECT, Topic Name invalid
            with self.assertRaises(ConnectionError):
                attacker.recv_packet()
            attacker.close()
            self.assert_serves(server)

    def test_max_topic_length_refuses_longer_topics_and_filters(self):
        with AkasaServer("max_topic_length: 16\n") as server:
            client = connected(server, "lengths", 5)
            self.assertEqual(client.publish("a" * 16, qos=1), 0)
            self.assertEqual(client.publish("a" * 17, qos=1, packet_id=2), 0x90)
            self.assertEqual(client.subscribe(["b" * 16, "b" * 17]), [1, 0x8F])
            line = log_line(server.log_text(), "17 bytes")
            self.assertIn("more than max_topic_length (16)", line)
            self.assertIn("lengths", line)
            client.close()

    def test_the_same_topic_is_served_when_the_limit_allows_it(self):
        """The attack with max_topic_levels raised to the maximum: the server stores the
        topic and walks it for `#` without recursion (trie_walk.h)."""
        with AkasaServer("max_topic_levels: 65535\n") as server:
            publisher = connected(server, "deep-publisher", 5)
            self.assertEqual(publisher.publish(DEEP, b"deep", qos=1, retain=True), 0)
            watcher = connected(server, "deep-watcher", 5)
            self.assertEqual(watcher.subscribe(["#", DEEP], qos=0), [0, 0])
            self.assertEqual(watcher.next_message(), (DEEP, b"deep", True))
            self.assertEqual(watcher.next_message(), (DEEP, b"deep", True))  # one per filter
            watcher.ping()
            publisher.close()
            watcher.close()


class FiltersOverTheLimit(unittest.TestCase):
    def test_v5_subscribe_and_unsubscribe_get_0x8f_for_that_filter_only(self):
        with AkasaServer() as server:
            client = connected(server, "filters5", 5)
            self.assertEqual(
                client.subscribe([TOO_DEEP_FILTER, DEEPEST_FILTER, "$share/g/" + DEEPEST_FILTER]),
                [0x8F, 1, 1])
            self.assertEqual(client.unsubscribe([TOO_DEEP_FILTER, DEEPEST_FILTER]), [0x8F, 0x00])
            line = log_line(server.log_text(), "in SUBSCRIBE")
            self.assertIn("filters5", line)
            self.assertIn("129 levels, more than max_topic_levels (128)", line)
            self.assertIn("in UNSUBSCRIBE", server.log_text())
            client.ping()
            client.close()

    def test_v311_subscribe_gets_0x80_for_that_filter_only(self):
        with AkasaServer() as server:
            client = connected(server, "filters311", 4)
            self.assertEqual(client.subscribe([TOO_DEEP_FILTER, "plain/+"]), [0x80, 1])
            self.assertEqual(client.unsubscribe([TOO_DEEP_FILTER]), [])  # an UNSUBACK
            client.ping()
            client.close()


class WillOverTheLimit(unittest.TestCase):
    def test_v5_connect_is_refused_with_0x90(self):
        with AkasaServer() as server:
            client = RawClient(server.port, "will5", version=5, will=(TOO_DEEP_WILL, "bye"))
            self.assertEqual(client.connect(), 0x90)
            line = log_line(server.log_text(), "will topic")
            self.assertIn("will5", line)
            self.assertIn("129 levels, more than max_topic_levels (128)", line)
            client.close()

    def test_v311_connect_is_closed_without_connack_MQTT_3_2_2_6(self):
        with AkasaServer() as server:
            client = RawClient(server.port, "will311", version=4, will=(TOO_DEEP_WILL, "bye"))
            with self.assertRaises(ConnectionError):
                client.connect()
            self.assertIn("closed without CONNACK",
                          log_line(wait_for_log(server, "will311"), "will311"))
            client.close()
            connected(server, "after-will", 4).close()


class HooksOverTheLimit(unittest.TestCase):
    """Topics a plugin chooses for a session pass the same check (max_topic_length 16)."""

    def test_publish_and_subscribe_actions_over_the_limit_are_not_applied(self):
        # test_plugin.so: after_connect subscribes the session to inbox/<client id>; a
        # publish to echo/X makes it publish echoed/X (two bytes longer).
        config = f"max_topic_length: 16\nplugins:\n  - path: {plugin_path('test_plugin.so')}\n"
        with AkasaServer(config) as server:
            client = connected(server, "client-14-bytes", 5)  # inbox/...: 21 bytes
            line = log_line(wait_for_log(server, "hook subscribe action"), "hook subscribe action")
            self.assertIn("21 bytes, more than max_topic_length (16)", line)
            watcher = connected(server, "w", 5)  # inbox/w fits
            self.assertEqual(watcher.subscribe(["echoed/#", "echo/#"]), [1, 1])
            self.assertEqual(client.publish("echo/0123456789", b"p", qos=1), 0)  # 15 bytes
            self.assertEqual(watcher.next_message(), ("echo/0123456789", b"p", False))
            line = log_line(wait_for_log(server, "hook publish action"), "hook publish action")
            self.assertIn("client-14-bytes", line)
            self.assertIn("17 bytes, more than max_topic_length (16)", line)
            self.assertEqual(client.publish("echo/short", b"q", qos=1, packet_id=2), 0)
            self.assertEqual(watcher.next_message(), ("echo/short", b"q", False))
            self.assertEqual(watcher.next_message(), ("echoed/short", b"q", False))
            client.close()
            watcher.close()

    def test_a_rewritten_publish_over_the_limit_is_refused_with_0x90(self):
        config = f"""max_topic_length: 16
plugins:
  - path: {plugin_path('auth_plugin.so')}
    options:
      users: "alice:secret"
      rewrite_from: legacy/
      rewrite_to: v2/much/longer/
"""
        with AkasaServer(config) as server:
            client = connected(server, "rewritten", 5, username="alice", password="secret")
            self.assertEqual(client.publish("legacy/xy", b"p", qos=1), 0x90)  # v2/much/longer/xy
            line = log_line(server.log_text(), "a hook rewrote")
            self.assertIn("rewritten", line)
            self.assertIn("17 bytes, more than max_topic_length (16)", line)
            client.close()


class RecoveryUnderSmallerLimits(unittest.TestCase):
    def test_records_over_the_new_limit_are_dropped_and_the_server_serves(self):
        """Stored under max_topic_levels 65535, every kind of record with the topic of the
        issue: the retained message, two sessions' subscriptions to it, a message queued for
        one (offline), a message inflight to the other (online, not acknowledging) and a
        delayed will. Restarted with the default limit, the server must start (the crash
        used to repeat at every restart), drop those six records with one warning, keep the
        rest, and serve; the next restart finds nothing left to drop."""
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store:
            server = AkasaServer("max_topic_levels: 65535\nworker_threads: 1\n",
                                 persistence_dir=store)
            with server:
                keeper = connected(server, "keeper", 5, clean=False)
                self.assertEqual(keeper.subscribe([DEEP, "normal/#"]), [1, 1])
                keeper.close()
                wait_for_log(server, "client keeper disconnected")
                holder = connected(server, "holder", 5, clean=False)
                self.assertEqual(holder.subscribe([DEEP]), [1])
                delay_60s = b"\x05\x18\x00\x00\x00\x3c"  # Will Delay Interval 60
                willer = connected(server, "willer", 5, clean=False,
                                   will=(DEEP, "gone", delay_60s))
                publisher = connected(server, "publisher", 5)
                self.assertEqual(publisher.publish(DEEP, b"deep", qos=1, retain=True), 0)
                self.assertEqual(
                    publisher.publish("normal/r", b"kept", qos=1, retain=True, packet_id=2), 0)
                kind, flags, _ = holder.recv_packet()  # sent, never acknowledged: inflight
                self.assertEqual((kind, (flags >> 1) & 3), (3, 1))
                for client in (publisher, holder, willer):
                    client.close()
                self.assertEqual(server.stop(), 0)

                with open(server.config_path) as f:
                    config = f.read()
                with open(server.config_path, "w") as f:
                    f.write(config.replace("max_topic_levels: 65535\n", ""))
                server.restart()
                line = log_line(server.log_text(), "dropped from the store")
                self.assertIn("dropped from the store 6 records", line)
                self.assertIn("max_topic_levels (128)", line)
                self.assertIn("65001 levels", line)

                keeper = connected(server, "keeper", 5, clean=False)
                self.assertEqual(keeper.next_message(), ("normal/r", b"kept", False))
                holder = connected(server, "holder", 5, clean=False)
                holder.send(0xC0, b"")  # PINGREQ: an inflight message would be resent before
                self.assertEqual(holder.recv_packet()[0], 13)
                watcher = connected(server, "watcher", 5)
                self.assertEqual(watcher.subscribe(["#"]), [1])
                self.assertEqual(watcher.next_message(), ("normal/r", b"kept", True))
                publisher = connected(server, "publisher", 5)
                self.assertEqual(publisher.publish("normal/after", b"x", qos=1), 0)
                self.assertEqual(keeper.next_message(), ("normal/after", b"x", False))
                self.assertEqual(watcher.next_message(), ("normal/after", b"x", False))
                for client in (keeper, holder, watcher, publisher):
                    client.close()
                self.assertEqual(server.stop(), 0)

                server.restart()  # returns once it listens: recovery is over and logged
                log = server.log_text()
                self.assertEqual(len(re.findall("persistence: recovered", log)), 3)
                self.assertEqual(len(re.findall("dropped from the store", log)), 1)


if __name__ == "__main__":
    unittest.main()
