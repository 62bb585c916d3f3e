"""Persistence of what hooks change (docs/persistence.md, "In the broker"): a subscription and
a retained message created by after_* hook *actions* go through the same path as a client's
SUBSCRIBE / PUBLISH, so they survive kill -9; and a queued message the ACL refuses at send
time is done with in the store too (it does not come back after a restart).
The test plugin is tests/unit/hook/plugins/test_plugin.c: after_connect subscribes the
session to "inbox/<client id>" (QoS 1); a publish to "keep/X" makes the session publish
"kept/X" retained at QoS 1."""

import os
import signal
import tempfile
import unittest

from akasa_harness import AkasaServer
from hook_test_support import RawClient, plugin_path, wait_for_log

WORKERS = "worker_threads: 2\n"


def plugin_yaml():
    return f"{WORKERS}plugins:\n  - path: {plugin_path('test_plugin.so')}\n"


def connect(server, client_id, clean=True):
    client = RawClient(server.port, client_id, 4, clean=clean)
    code = client.connect()
    assert code == 0, f"{client_id}: CONNACK {code}"
    return client


def publishes_until_pingresp(client):
    """The PUBLISH packets the server sends before answering a PINGREQ, as (topic,
    payload), acknowledged: a round trip that shows what a connection was given, including
    nothing."""
    got = []
    while client.held:
        topic, payload, _ = client.next_message()
        got.append((topic, payload))
    client.send(0xC0, b"")
    while True:
        kind, flags, body = client.recv_packet()
        if kind == 13:
            return got
        if kind == 3:
            client.held.append((kind, flags, body))
            topic, payload, _ = client.next_message()
            got.append((topic, payload))


def last_recovery_line(server):
    lines = [line for line in server.log_text().splitlines() if "persistence: recovered" in line]
    assert lines, "no recovery line in the log"
    return lines[-1]


class HookActionPersistenceTests(unittest.TestCase):
    def test_hook_action_subscription_and_retained_message_survive_kill9(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store:
            with AkasaServer(plugin_yaml(), persistence_dir=store) as server:
                # A stored session (clean session 0): the after_connect action subscribes it
                # to inbox/dev; a delivery shows the subscription exists (and the batch that
                # stored it was committed before anything after it left).
                dev = connect(server, "dev", clean=False)
                pub = connect(server, "pub")
                self.assertEqual(pub.publish("inbox/dev", b"hello", qos=1), 0)
                self.assertEqual(dev.next_message(), ("inbox/dev", b"hello", False))
                # The after_publish action publishes kept/a retained; its PUBACK comes after
                # the batch holding the action's retained message is written.
                watcher = connect(server, "watcher")
                watcher.subscribe(["kept/#"])
                self.assertEqual(dev.publish("keep/a", b"v1", qos=1), 0)
                self.assertEqual(watcher.next_message(), ("kept/a", b"v1", False))
                for c in (dev, pub, watcher):
                    c.close()

                server.kill9()
                server.restart()

                # While dev is offline: only the recovered subscription can queue this.
                pub = connect(server, "pub")
                self.assertEqual(pub.publish("inbox/dev", b"while offline", qos=1), 0)
                reader = connect(server, "reader")
                reader.subscribe(["kept/#"])
                self.assertEqual(reader.next_message(), ("kept/a", b"v1", True))
                dev = connect(server, "dev", clean=False)
                self.assertEqual(dev.next_message(), ("inbox/dev", b"while offline", False))
                for c in (pub, reader, dev):
                    c.close()

    def test_hook_action_clearing_a_retained_message_survives_kill9(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store:
            with AkasaServer(plugin_yaml(), persistence_dir=store) as server:
                dev = connect(server, "dev")
                self.assertEqual(dev.publish("keep/b", b"v1", qos=1), 0)
                self.assertEqual(dev.publish("keep/b", b"", qos=1, packet_id=2), 0)  # clears
                dev.close()
                server.kill9()
                server.restart()
                self.assertIn(" 0 retained messages", last_recovery_line(server))
                reader = connect(server, "reader")
                reader.subscribe(["kept/#"])
                self.assertEqual(publishes_until_pingresp(reader), [])
                reader.close()


class AclDropPersistenceTests(unittest.TestCase):
    def test_queued_message_the_acl_refuses_at_send_time_does_not_come_back(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store, \
                tempfile.TemporaryDirectory(prefix="akasa-acl-") as acl_dir:
            acl = os.path.join(acl_dir, "acl")
            with open(acl, "w") as f:
                f.write("topic readwrite #\n")
            with AkasaServer(f"{WORKERS}acl_file: {acl}\n", persistence_dir=store) as server:
                dev = connect(server, "dev", clean=False)
                self.assertEqual(dev.subscribe(["t/#"]), [1])
                dev.close()
                pub = connect(server, "pub")
                self.assertEqual(pub.publish("t/x", b"m1", qos=1), 0)  # queued and stored
                pub.close()
                # The ACL changes while dev is away: the queued message may not be sent.
                with open(acl, "w") as f:
                    f.write("topic write #\n")
                server.proc.send_signal(signal.SIGHUP)
                wait_for_log(server, "reloaded")
                dev = connect(server, "dev", clean=False)
                self.assertEqual(publishes_until_pingresp(dev), [])  # refused by the ACL
                dev.close()

                # The ACL allows it again at the restart: had the store kept the refused
                # message, it would be delivered now.
                with open(acl, "w") as f:
                    f.write("topic readwrite #\n")
                server.kill9()
                server.restart()
                self.assertIn(" 0 queued", last_recovery_line(server))
                dev = connect(server, "dev", clean=False)
                self.assertEqual(publishes_until_pingresp(dev), [])
                dev.close()


if __name__ == "__main__":
    unittest.main()
