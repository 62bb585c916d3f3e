"""What one client's packets can make the server keep (security issue, item 6), against the
real binary: User Properties per packet, inbound Topic Aliases per connection, client id
length, subscriptions per client and retained messages in total. Each limit answers with
the reason code the spec has for "an implementation or administrative imposed limit"
(0x97 Quota exceeded; 0x85 Client Identifier not valid for the client id; 3.1.1: its
failure codes) and is counted in akasa_limit_hits_total{limit=<config key>}; the memory
measured before the limits existed is bounded (the server's VmRSS, generous bounds)."""

import struct
import unittest

from akasa_harness import AkasaServer, wait_for_log
from hook_test_support import RawClient, plugin_path
from limits_support import (MIB, metric_value, metrics, properties, publish_v5, rss_bytes,
                            topic_alias, user_property)


def v5_client(server, client_id="c5"):
    client = RawClient(server.port, client_id, version=5)
    client.sock.settimeout(60)
    code = client.connect()
    assert code == 0, f"CONNACK {code:#x}"
    return client


def puback_code(client):
    kind, _, body = client.recv_ack()
    assert kind in (4, 5), f"expected PUBACK/PUBREC, got {kind}"
    return body[2] if len(body) > 2 else 0


def disconnect_code(client):
    """The reason code of the DISCONNECT the server sends before it closes."""
    while True:
        kind, _, body = client.recv_packet()
        if kind == 14:
            return body[0] if body else 0


def limit_hits(server, key):
    return metric_value(metrics(server), "akasa_limit_hits_total", f'limit="{key}"')


class UserProperties(unittest.TestCase):
    def test_a_million_user_properties_are_refused_with_quota_exceeded(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            client = v5_client(server)
            subscriber = v5_client(server, "subscriber")
            subscriber.subscribe(["up/t"], qos=0)
            before = rss_bytes(server.proc.pid)
            # One QoS 1 PUBLISH with 1,000,000 empty User Properties (5 MB on the wire).
            many = properties(user_property("", "") * 1_000_000)
            client.sock.sendall(publish_v5("up/t", b"x", qos=1, packet_id=7, props=many))
            self.assertEqual(puback_code(client), 0x97)
            grown = rss_bytes(server.proc.pid) - before
            # Before: decoded, copied into the message and encoded for the subscriber, about
            # +100 MiB. Now refused as soon as the 1025th is seen.
            self.assertLess(grown, 24 * MIB, f"server grew by {grown / MIB:.0f} MiB")
            # The connection is still in use, and the subscriber got nothing but this.
            self.assertEqual(client.publish("up/t", b"ok", qos=1, packet_id=8), 0)
            self.assertEqual(subscriber.next_message()[:2], ("up/t", b"ok"))
            self.assertEqual(limit_hits(server, "max_user_properties"), 1)
            client.close()
            subscriber.close()

    def test_limits_by_count_and_by_bytes(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            client = v5_client(server)
            # The default limits: 1024 properties, 65536 bytes of keys and values.
            at_limit = properties(user_property("k", "v") * 1024)
            client.sock.sendall(publish_v5("up/t", b"x", qos=1, packet_id=1, props=at_limit))
            self.assertEqual(puback_code(client), 0)
            over = properties(user_property("k", "v") * 1025)
            client.sock.sendall(publish_v5("up/t", b"x", qos=1, packet_id=2, props=over))
            self.assertEqual(puback_code(client), 0x97)
            big = properties(user_property("k", "v" * 40000) * 2)
            client.sock.sendall(publish_v5("up/t", b"x", qos=2, packet_id=3, props=big))
            self.assertEqual(puback_code(client), 0x97)  # PUBREC 0x97: no PUBREL follows
            fits = properties(user_property("k", "v" * 60000))
            client.sock.sendall(publish_v5("up/t", b"x", qos=1, packet_id=4, props=fits))
            self.assertEqual(puback_code(client), 0)
            text = metrics(server)
            self.assertEqual(
                metric_value(text, "akasa_limit_hits_total", 'limit="max_user_properties"'), 1)
            self.assertEqual(
                metric_value(text, "akasa_limit_hits_total", 'limit="max_user_property_bytes"'),
                1)
            # QoS 0 has no acknowledgement to refuse with: DISCONNECT 0x97.
            client.sock.sendall(publish_v5("up/t", b"x", props=over))
            self.assertEqual(disconnect_code(client), 0x97)
            client.close()
            wait_for_log(server, "(max_user_properties")


class TopicAliases(unittest.TestCase):
    def test_alias_topics_are_bounded_per_connection(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            client = v5_client(server)
            before = rss_bytes(server.proc.pid)
            # topic_alias_max is 65535: each alias holds a 200-byte topic (13 MB for all),
            # beyond max_topic_alias_bytes (4 MiB) after about 21,000.
            code = None
            for batch in range(0, 65535, 100):
                data = b"".join(
                    publish_v5(f"alias/{n:05d}/" + "a" * 188, b"", props=properties(
                        topic_alias(n + 1)))
                    for n in range(batch, min(batch + 100, 65535)))
                client.sock.sendall(data + b"\xc0\x00")  # then PINGREQ
                kind, _, body = client.recv_packet()
                if kind == 14:
                    code = body[0]
                    break
                self.assertEqual(kind, 13)  # PINGRESP: all of the batch was taken
            self.assertEqual(code, 0x97, "the server must close with DISCONNECT 0x97")
            self.assertGreater(batch, 15000)  # ordinary use of many aliases still works
            grown = rss_bytes(server.proc.pid) - before
            # At most 4 MiB of topics and the aliases' own small entries (before: all 65,535,
            # +18 MiB here, and 4 GiB with 65,535-byte topics).
            self.assertLess(grown, 16 * MIB, f"server grew by {grown / MIB:.0f} MiB")
            self.assertEqual(limit_hits(server, "max_topic_alias_bytes"), 1)
            client.close()


class ClientIdLength(unittest.TestCase):
    def test_long_client_ids_are_refused(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            ok = RawClient(server.port, "i" * 256, version=5)
            self.assertEqual(ok.connect(), 0)
            ok.close()
            v5 = RawClient(server.port, "i" * 257, version=5)
            self.assertEqual(v5.connect(), 0x85)  # Client Identifier not valid
            v5.close()
            v3 = RawClient(server.port, "j" * 257, version=4)
            self.assertEqual(v3.connect(), 0x02)  # Identifier rejected [MQTT-3.1.3-9]
            v3.close()
            self.assertEqual(limit_hits(server, "max_client_id_length"), 2)
            wait_for_log(server, "client id has 257 bytes (max_client_id_length")


class SubscriptionsPerClient(unittest.TestCase):
    def test_default_limit_refuses_the_1025th_filter(self):
        with AkasaServer("worker_threads: 1\n", http="") as server:
            client = v5_client(server)
            codes = client.subscribe([f"s/{i}" for i in range(1025)], qos=1)
            self.assertEqual(codes[:1024], [1] * 1024)
            self.assertEqual(codes[1024], 0x97)
            # Subscribing again to a filter it has replaces it: still allowed.
            self.assertEqual(client.subscribe(["s/7"], packet_id=2, qos=0), [0])
            self.assertEqual(client.unsubscribe(["s/0"], packet_id=3), [0])
            self.assertEqual(client.subscribe(["s/new"], packet_id=4), [1])
            self.assertEqual(limit_hits(server, "max_subscriptions_per_client"), 1)
            client.close()

    def test_v311_gets_the_failure_code(self):
        with AkasaServer("max_subscriptions_per_client: 2\n") as server:
            client = RawClient(server.port, "c3")
            self.assertEqual(client.connect(), 0)
            self.assertEqual(client.subscribe(["a", "b", "c"]), [1, 1, 0x80])
            client.close()

    def test_hook_subscribe_actions_count_too(self):
        # test_plugin.so: after_connect subscribes the session to inbox/<client id>.
        config = ("max_subscriptions_per_client: 1\n"
                  f"plugins:\n  - path: {plugin_path('test_plugin.so')}\n")
        with AkasaServer(config, http="") as server:
            first = RawClient(server.port, "full", version=5, clean=False)
            self.assertEqual(first.connect(), 0)
            self.assertEqual(first.unsubscribe(["inbox/full"]), [0])
            self.assertEqual(first.subscribe(["mine/1"], packet_id=2), [1])
            first.close()
            # The session holds mine/1: the plugin's inbox/full is one too many this time.
            again = RawClient(server.port, "full", version=5, clean=False)
            self.assertEqual(again.connect(), 0)
            again.ping()
            self.assertEqual(limit_hits(server, "max_subscriptions_per_client"), 1)
            self.assertIn("refused a subscription of client full to inbox/full",
                          server.log_text())
            pub = RawClient(server.port, "pub", version=4)
            self.assertEqual(pub.connect(), 0)
            pub.publish("inbox/full", b"not subscribed", qos=1)
            pub.publish("mine/1", b"subscribed", qos=1, packet_id=2)
            self.assertEqual(again.next_message(), ("mine/1", b"subscribed", False))
            again.close()
            pub.close()


class RetainedTotal(unittest.TestCase):
    def test_new_topics_beyond_the_count_are_not_stored(self):
        with AkasaServer("worker_threads: 1\nmax_retained_messages: 3\n", http="") as server:
            client = v5_client(server)
            watcher = v5_client(server, "watcher")
            watcher.subscribe(["r/#"], qos=0)
            for i in range(3):
                self.assertEqual(client.publish(f"r/{i}", b"v1", qos=1, packet_id=i + 1,
                                                retain=True), 0)
            # A fourth topic: refused whole for v5 QoS 1 (not stored, not routed).
            self.assertEqual(client.publish("r/3", b"v1", qos=1, packet_id=4, retain=True), 0x97)
            # Replacing a stored topic still works.
            self.assertEqual(client.publish("r/0", b"v2", qos=1, packet_id=5, retain=True), 0)
            # QoS 0 cannot be refused: delivered to current subscribers, not stored.
            client.publish("r/4", b"live", qos=0, retain=True)
            got = [watcher.next_message()[:2] for _ in range(5)]
            self.assertEqual(got, [("r/0", b"v1"), ("r/1", b"v1"), ("r/2", b"v1"),
                                   ("r/0", b"v2"), ("r/4", b"live")])
            # 3.1.1 has no reason codes: acknowledged, delivered, not stored.
            v3 = RawClient(server.port, "c3")
            self.assertEqual(v3.connect(), 0)
            self.assertEqual(v3.publish("r/5", b"v3", qos=1, retain=True), 0)

            late = v5_client(server, "late")
            late.subscribe(["r/#"], qos=0)
            late.send(0xC0, b"")  # PINGREQ: its PINGRESP follows the retained messages
            stored = []
            while True:
                kind, flags, body = late.recv_packet()
                if kind == 13:
                    break
                self.assertEqual((kind, flags & 1), (3, 1))  # retained PUBLISH
                topic_len = struct.unpack("!H", body[:2])[0]
                stored.append(body[2:2 + topic_len].decode())
            self.assertEqual(sorted(stored), ["r/0", "r/1", "r/2"])
            self.assertEqual(limit_hits(server, "max_retained_messages"), 3)
            text = metrics(server)
            self.assertEqual(metric_value(text, "akasa_retained_messages_current"), 3)
            for c in (client, watcher, v3, late):
                c.close()
            wait_for_log(server, "not storing the retained message")

    def test_retained_bytes_bound_the_memory(self):
        with AkasaServer("worker_threads: 1\nmax_retained_bytes: 8388608\n", http="") as server:
            client = v5_client(server)
            before = rss_bytes(server.proc.pid)
            payload = b"m" * MIB
            codes = [client.publish(f"big/{i}", payload, qos=1, packet_id=i + 1, retain=True)
                     for i in range(100)]
            grown = rss_bytes(server.proc.pid) - before
            # 7 of 1 MiB fit in 8 MiB (each counts its topic and trie nodes too).
            self.assertEqual(codes, [0] * 7 + [0x97] * 93)
            # Before: every one stored, +100 MiB.
            self.assertLess(grown, 48 * MIB, f"server grew by {grown / MIB:.0f} MiB")
            text = metrics(server)
            self.assertLessEqual(metric_value(text, "akasa_retained_bytes_current"), 8 * MIB)
            self.assertEqual(
                metric_value(text, "akasa_limit_hits_total", 'limit="max_retained_bytes"'), 93)
            # Smaller replacements of stored topics go through.
            self.assertEqual(client.publish("big/0", b"small", qos=1, packet_id=200, retain=True),
                             0)
            client.close()


if __name__ == "__main__":
    unittest.main()
