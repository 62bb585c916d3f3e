"""MQTT 3.1 clients may set DUP on a resent SUBSCRIBE, UNSUBSCRIBE or PUBREL.

3.1 framed those packets as QoS 1 with a DUP flag; 3.1.1 fixed their flags to 0010. A 3.1
connection that resends them must be served, while a 3.1.1 connection that sets the same bit
is malformed [MQTT-3.8.1-1] and closed. Raw sockets: no client library sends these bytes.
"""

import socket
import unittest

from akasa_harness import AkasaServer
from mqtt_wire import read_exactly


def connect_packet(protocol_name, level, client_id):
    name = protocol_name.encode()
    cid = client_id.encode()
    body = (len(name).to_bytes(2, "big") + name + bytes([level, 0x02]) + (30).to_bytes(2, "big")
            + len(cid).to_bytes(2, "big") + cid)
    return bytes([0x10, len(body)]) + body


def subscribe_packet(first_byte, packet_id, topic):
    t = topic.encode()
    body = packet_id.to_bytes(2, "big") + len(t).to_bytes(2, "big") + t + b"\x01"
    return bytes([first_byte, len(body)]) + body


class Mqtt31Dup(unittest.TestCase):
    def open(self, server, name, level, client_id):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(connect_packet(name, level, client_id))
        self.assertEqual(read_exactly(sock, 4), b"\x20\x02\x00\x00")
        return sock

    def test_v31_resent_subscribe_unsubscribe_and_pubrel_with_dup_are_served(self):
        with AkasaServer() as server:
            sock = self.open(server, "MQIsdp", 3, "dup31")
            sock.sendall(subscribe_packet(0x8A, 7, "a/b"))  # SUBSCRIBE, QoS 1, DUP
            self.assertEqual(read_exactly(sock, 5), b"\x90\x03\x00\x07\x01")
            sock.sendall(b"\xaa\x07\x00\x08\x00\x03a/b")  # UNSUBSCRIBE, QoS 1, DUP
            self.assertEqual(read_exactly(sock, 4), b"\xb0\x02\x00\x08")
            sock.sendall(b"\x6a\x02\x00\x09")  # PUBREL, QoS 1, DUP (unknown id: PUBCOMP)
            self.assertEqual(read_exactly(sock, 4), b"\x70\x02\x00\x09")
            sock.close()

    def test_v311_subscribe_with_dup_is_malformed_MQTT_3_8_1_1(self):
        with AkasaServer() as server:
            sock = self.open(server, "MQTT", 4, "dup311")
            sock.sendall(subscribe_packet(0x8A, 7, "a/b"))
            self.assertEqual(read_exactly(sock, 5), b"")  # closed without a SUBACK
            sock.close()


if __name__ == "__main__":
    unittest.main()
