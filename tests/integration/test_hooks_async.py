"""Asynchronous hook answers in the real binary (issue 6 item 2), with the test plugin
(tests/unit/hook/plugins/test_plugin.c): a CONNECT answered from another thread; a CONNECT
held until another client's publish releases it, the server serving everyone meanwhile and
the held client's pipelined packets handled in order afterwards; and hook_timeout refusing a
CONNECT that is never answered (v5 0x88 Server unavailable, 3.1.1 return code 3)."""

import select
import struct
import unittest

from akasa_harness import AkasaServer
from hook_test_support import RawClient, _str, plugin_path, wait_for_log


def config(timeout=1):
    # log_level debug: the server logs when it parks a call, which the tests wait for.
    return f"""
plugins:
  - path: {plugin_path('test_plugin.so')}
hook_timeout: {timeout}
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


if __name__ == "__main__":
    unittest.main()
