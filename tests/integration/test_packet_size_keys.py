"""max_packet_size_server / max_packet_size_client with the Rust Akasa's meaning (issue 16
item 1), both directions, MQTT 3.1.1 and 5.0, against the real binary:
- `max_packet_size_server` is the largest packet the server accepts; a v5 CONNACK announces
  it; a larger packet closes the connection (v5: DISCONNECT 0x95 first);
- `max_packet_size_client` limits what the server sends to a client whose CONNECT states no
  Maximum Packet Size (a v5 client that states one gets its own limit)."""

import struct
import unittest

from akasa_harness import AkasaServer
from hook_test_support import RawClient
from mqtt_wire import mqtt_string, packet

SERVER_LIMIT = 1024
CLIENT_LIMIT = 300


def connect_v5(port, client_id, maximum_packet_size=None):
    c = RawClient(port, client_id, 5)
    props = b"" if maximum_packet_size is None else b"\x27" + struct.pack("!I", maximum_packet_size)
    body = mqtt_string("MQTT") + bytes([5, 0x02]) + struct.pack("!H", 60)
    body += bytes([len(props)]) + props + mqtt_string(client_id)
    c.sock.sendall(packet(0x10, body))
    kind, _, connack = c.recv_packet()
    assert kind == 2 and connack[1] == 0, connack
    return c, connack


class PacketSizeKeys(unittest.TestCase):
    def server(self):
        return AkasaServer(f"max_packet_size_server: {SERVER_LIMIT}\n"
                           f"max_packet_size_client: {CLIENT_LIMIT}\n")

    def test_server_limit_is_announced_and_enforced_on_what_clients_send(self):
        with self.server() as server:
            c, connack = connect_v5(server.port, "big5")
            self.assertIn(b"\x27" + struct.pack("!I", SERVER_LIMIT), connack)
            self.assertEqual(c.publish("t", b"x" * 500, qos=1), 0)  # fits: accepted
            c.publish("t", b"x" * (SERVER_LIMIT + 10), qos=0)
            kind, _, body = c.recv_packet()
            self.assertEqual((kind, body[0]), (14, 0x95))  # DISCONNECT, packet too large
            c.close()
            v3 = RawClient(server.port, "big3", 4)
            self.assertEqual(v3.connect(), 0)
            v3.publish("t", b"x" * (SERVER_LIMIT + 10), qos=0)
            with self.assertRaises(ConnectionError):
                v3.recv_packet()
            v3.close()

    def test_client_limit_applies_to_clients_that_state_none(self):
        with self.server() as server:
            v3 = RawClient(server.port, "small3", 4)
            self.assertEqual(v3.connect(), 0)
            v3.subscribe(["sized/#"])
            v5, _ = connect_v5(server.port, "small5")
            v5.subscribe(["sized/#"])
            own, _ = connect_v5(server.port, "own5", maximum_packet_size=SERVER_LIMIT)
            own.subscribe(["sized/#"])
            publisher = RawClient(server.port, "pub", 4)
            self.assertEqual(publisher.connect(), 0)
            publisher.publish("sized/big", b"b" * 500, qos=1)  # > CLIENT_LIMIT
            publisher.publish("sized/small", b"s" * 50, qos=1)
            # Without a limit of their own: only the small one arrives.
            self.assertEqual(v3.next_message(), ("sized/small", b"s" * 50, False))
            self.assertEqual(v5.next_message(), ("sized/small", b"s" * 50, False))
            # With its own Maximum Packet Size (larger than max_packet_size_client): both.
            self.assertEqual(own.next_message(), ("sized/big", b"b" * 500, False))
            self.assertEqual(own.next_message(), ("sized/small", b"s" * 50, False))
            for c in (v3, v5, own, publisher):
                c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
