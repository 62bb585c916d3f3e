"""Asynchronous hook answers in the real binary (issue 6 item 2), with the test plugin
(tests/unit/hook/plugins/test_plugin.c): a CONNECT answered from another thread; a CONNECT
held until another client's publish releases it, the server serving everyone meanwhile and
the held client's pipelined packets handled in order afterwards; and hook_timeout refusing a
CONNECT that is never answered (v5 0x88 Server unavailable, 3.1.1 return code 3). Then every
other hook point answered later: PUBLISH, SUBSCRIBE and UNSUBSCRIBE wait for their answer (a
rewrite, a refusal, refusals per filter), a PUBLISH never answered is refused at hook_timeout,
and after_connect / after_publish actions arrive late; with the plugin loaded twice both copies
answer later, the second after the first (the packet waits twice)."""

import select
import struct
import unittest

from akasa_harness import AkasaServer
from hook_test_support import RawClient, _str, plugin_path, wait_for_log


def config(timeout=1, copies=1):
    # log_level debug: the server logs when it parks a call, which the tests wait for.
    plugins = "".join(f"  - path: {plugin_path('test_plugin.so')}\n" for _ in range(copies))
    return f"""
plugins:
{plugins}hook_timeout: {timeout}
log_level: debug
"""


class AsyncHookTests(unittest.TestCase):
    def test_connect_answered_from_another_thread(self):
        with AkasaServer(config()) as server:
            for version, bad in ((4, 4), (5, 0x86)):
                ok = RawClient(server.port, f"ok{version}", version, "async", "ok")
                self.assertEqual(ok.connect(), 0)
                self.assertEqual(ok.subscribe(["a/b"]), [1])  # a working session
                ok.close()
                refused = RawClient(server.port, f"no{version}", version, "async", "bad")
                self.assertEqual(refused.connect(), bad)
                refused.close()

    def test_connection_waits_while_others_are_served(self):
        with AkasaServer(config(timeout=30)) as server:
            held = RawClient(server.port, "held", 5, "hold", "x")
            # CONNECT and a SUBSCRIBE right behind it, in one write.
            connect = (_str("MQTT") + bytes([5, 0xC2]) + struct.pack("!H", 60) + b"\x00" +
                       _str("held") + _str("hold") + _str("x"))
            subscribe = struct.pack("!H", 7) + b"\x00" + _str("after/held") + b"\x01"
            held.sock.sendall(bytes([0x10, len(connect)]) + connect +
                              bytes([0x82, len(subscribe)]) + subscribe)
            wait_for_log(server, "before_connect hook for held from")  # parked

            # Others are served meanwhile: connect, subscribe, publish, receive.
            other = RawClient(server.port, "other", 4)
            self.assertEqual(other.connect(), 0)
            other.subscribe(["room/#"])
            other.publish("room/1", b"while held", qos=1)
            self.assertEqual(other.next_message(), ("room/1", b"while held", False))
            # The held client has had no answer: the plugin has not answered yet.
            readable, _, _ = select.select([held.sock], [], [], 0)
            self.assertEqual(readable, [])

            other.publish("test/release", b"", qos=1)  # the plugin answers the held CONNECT
            self.assertEqual(held.connack(), 0)
            kind, _, suback = held.recv_packet()  # the pipelined SUBSCRIBE, handled after
            self.assertEqual(kind, 9)
            self.assertEqual(suback[-1], 1)
            other.publish("after/held", b"hello", qos=1)
            self.assertEqual(held.next_message(), ("after/held", b"hello", False))
            held.close()
            other.close()

    def test_after_subscribe_answered_from_another_thread_with_an_action(self):
        with AkasaServer(config()) as server:
            for version in (4, 5):
                client = RawClient(server.port, f"c{version}", version)
                self.assertEqual(client.connect(), 0)
                # The plugin defers after_subscribe and answers with a publish action.
                self.assertEqual(client.subscribe(["deferred/#"]), [1])
                self.assertEqual(client.next_message(), ("deferred/done", b"ok", False))
                client.close()

    def test_unanswered_connect_is_refused_at_hook_timeout(self):
        with AkasaServer(config()) as server:
            for version, code in ((5, 0x88), (4, 3)):
                client = RawClient(server.port, f"never{version}", version, "never", "x")
                self.assertEqual(client.connect(), code)
                client.close()
            self.assertIn("not answered within hook_timeout (1s): refused", server.log_text())
            # The server is still fine.
            ok = RawClient(server.port, "after", 4)
            self.assertEqual(ok.connect(), 0)
            ok.close()



class LaterAnswersAtEveryPoint(unittest.TestCase):
    """The test plugin answers what starts with "slow/" from another thread; loaded twice
    (`copies=2`) each copy does, so the packet waits for one answer, then for the next."""

    def test_publish_waits_for_a_rewrite_or_a_refusal(self):
        for copies, suffix in ((1, "/ok"), (2, "/ok/ok")):
            with self.subTest(copies=copies), AkasaServer(config(copies=copies)) as server:
                sub = RawClient(server.port, "sub", 5)
                self.assertEqual(sub.connect(), 0)
                sub.subscribe(["slow/#"])
                v5 = RawClient(server.port, "v5", 5)
                self.assertEqual(v5.connect(), 0)
                self.assertEqual(v5.publish("slow/a", b"one", qos=1), 0)
                self.assertEqual(sub.next_message(), ("slow/a" + suffix, b"one", False))
                self.assertEqual(v5.publish("slow/deny", b"no", qos=1, packet_id=2), 0x87)
                self.assertEqual(v5.publish("slow/deny", b"no", qos=2, packet_id=3), 0x87)
                # 3.1.1 cannot be told: acknowledged and dropped.
                v3 = RawClient(server.port, "v3", 4)
                self.assertEqual(v3.connect(), 0)
                self.assertEqual(v3.publish("slow/deny", b"no", qos=1), 0)
                self.assertEqual(v3.publish("slow/b", b"two", qos=2, packet_id=2), 0)
                self.assertEqual(sub.next_message(), ("slow/b" + suffix, b"two", False))
                for client in (sub, v5, v3):
                    client.close()

    def test_packets_behind_a_waiting_publish_are_handled_after_it(self):
        with AkasaServer(config()) as server:
            sub = RawClient(server.port, "sub", 4)
            self.assertEqual(sub.connect(), 0)
            sub.subscribe(["slow/#", "fast/#"])
            pub = RawClient(server.port, "pub", 4)
            self.assertEqual(pub.connect(), 0)
            first = _str("slow/first") + struct.pack("!H", 1) + b"1"
            second = _str("fast/second") + struct.pack("!H", 2) + b"2"
            pub.sock.sendall(bytes([0x32, len(first)]) + first + bytes([0x32, len(second)]) +
                             second)
            self.assertEqual(sub.next_message(), ("slow/first/ok", b"1", False))
            self.assertEqual(sub.next_message(), ("fast/second", b"2", False))
            sub.close()
            pub.close()

    def test_a_publish_never_answered_is_refused_at_hook_timeout(self):
        with AkasaServer(config()) as server:
            client = RawClient(server.port, "p", 5)
            self.assertEqual(client.connect(), 0)
            self.assertEqual(client.publish("slow/never", b"x", qos=1), 0x83)
            self.assertIn("before_publish hook for p from", server.log_text())
            self.assertEqual(client.publish("a/b", b"y", qos=1, packet_id=2), 0)  # reads again
            client.close()

    def test_subscribe_waits_for_its_answers_per_filter(self):
        for copies in (1, 2):
            with self.subTest(copies=copies), AkasaServer(config(copies=copies)) as server:
                v5 = RawClient(server.port, "v5", 5)
                self.assertEqual(v5.connect(), 0)
                self.assertEqual(v5.subscribe(["slow/#", "slow/no/y", "private/z", "a/b"]),
                                 [1, 0x87, 0x87, 1])
                v3 = RawClient(server.port, "v3", 4)
                self.assertEqual(v3.connect(), 0)
                self.assertEqual(v3.subscribe(["slow/no", "slow/x"]), [0x80, 1])
                v3.publish("slow/q", b"hi", qos=1)  # rewritten on its way
                self.assertEqual(v5.next_message(), ("slow/q" + "/ok" * copies, b"hi", False))
                for client in (v5, v3):
                    client.close()

    def test_unsubscribe_waits_for_its_answers_per_filter(self):
        for copies in (1, 2):
            with self.subTest(copies=copies), AkasaServer(config(copies=copies)) as server:
                v5 = RawClient(server.port, "v5", 5)
                self.assertEqual(v5.connect(), 0)
                self.assertEqual(v5.subscribe(["slow/keep/#", "slow/go/#"]), [1, 1])
                self.assertEqual(v5.unsubscribe(["slow/keep/#", "slow/go/#", "other"]),
                                 [0x87, 0, 0x11])
                pub = RawClient(server.port, "pub", 4)
                self.assertEqual(pub.connect(), 0)
                pub.publish("slow/go/1", b"gone", qos=1)
                pub.publish("slow/keep/1", b"kept", qos=1, packet_id=2)
                self.assertEqual(v5.next_message(), ("slow/keep/1" + "/ok" * copies, b"kept",
                                                     False))
                for client in (v5, pub):
                    client.close()

    def test_after_connect_and_after_publish_actions_arrive_later(self):
        for copies in (1, 2):
            with self.subTest(copies=copies), AkasaServer(config(copies=copies)) as server:
                # Its late answer subscribes the session to late/late1, then publishes there.
                late = RawClient(server.port, "late1", 4)
                self.assertEqual(late.connect(), 0)
                for _ in range(copies):
                    self.assertEqual(late.next_message(), ("late/late1", b"ok", False))
                watcher = RawClient(server.port, "watcher", 5)
                self.assertEqual(watcher.connect(), 0)
                watcher.subscribe(["answered/#"])
                pub = RawClient(server.port, "pub", 5)
                self.assertEqual(pub.connect(), 0)
                self.assertEqual(pub.publish("slow/a", b"x", qos=1), 0)
                topic = "answered/slow/a" + "/ok" * copies
                for _ in range(copies):  # one action per copy, the second after the first
                    self.assertEqual(watcher.next_message(), (topic, b"ok", False))
                for client in (late, watcher, pub):
                    client.close()


if __name__ == "__main__":
    unittest.main()
