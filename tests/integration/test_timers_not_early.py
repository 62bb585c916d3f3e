"""No timer fires before its deadline (issue 16 item 12), against the real binary: wills with
a Will Delay Interval of 2 s, from clients that close at staggered moments (so every phase
of the server's 1-second tick is covered), reach a watcher no earlier than 2 s after their
connection closed [MQTT-3.1.3-9]. Only a lower bound is checked: a slow machine can make a
will late, never early."""

import socket
import struct
import time
import unittest

from akasa_harness import AkasaServer
from hook_test_support import RawClient
from mqtt_wire import mqtt_string, packet

DELAY = 2


def connect_with_delayed_will(port, client_id):
    props = b"\x11" + struct.pack("!I", 60)  # Session Expiry Interval: outlives the close
    will_props = b"\x18" + struct.pack("!I", DELAY)  # Will Delay Interval
    body = mqtt_string("MQTT") + bytes([5, 0x06]) + struct.pack("!H", 60)
    body += bytes([len(props)]) + props + mqtt_string(client_id)
    body += bytes([len(will_props)]) + will_props + mqtt_string(f"timers/{client_id}")
    body += mqtt_string("gone")
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(packet(0x10, body))
    assert sock.recv(64)[:1] == b"\x20"
    return sock


class TimersNotEarly(unittest.TestCase):
    def test_delayed_wills_never_arrive_before_their_delay(self):
        with AkasaServer() as server:
            watcher = RawClient(server.port, "watcher", 4)
            self.assertEqual(watcher.connect(), 0)
            watcher.subscribe(["timers/#"], qos=0)
            clients = [connect_with_delayed_will(server.port, f"c{i}") for i in range(8)]
            closed_at = {}
            for i, sock in enumerate(clients):
                time.sleep(0.13)  # 8 x 0.13 s spreads the closes over one tick
                closed_at[f"timers/c{i}"] = time.monotonic()
                sock.close()
            early = []
            for _ in clients:
                topic, payload, _ = watcher.next_message()
                waited = time.monotonic() - closed_at[topic]
                self.assertEqual(payload, b"gone")
                if waited < DELAY:
                    early.append((topic, round(waited, 3)))
            self.assertEqual(early, [], "wills published before their Will Delay Interval")
            watcher.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
