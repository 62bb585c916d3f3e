"""MQTT 3.1 CONNECT (protocol name MQIsdp) client ids against the real binary: 3.1 allows 1 to
23 characters and knows no server-assigned id, so an empty one gets CONNACK 0x02 (identifier
rejected), where 3.1.1 with Clean Session accepts it and assigns one."""

import socket
import unittest

from akasa_harness import AkasaServer
from mqtt_wire import read_exactly
from test_mqtt31_dup import connect_packet


class Mqtt31ClientId(unittest.TestCase):
    def connack(self, server, name, level, client_id):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(connect_packet(name, level, client_id))
        answer = read_exactly(sock, 4)
        return sock, answer

    def test_v31_empty_client_id_is_identifier_rejected(self):
        with AkasaServer() as server:
            sock, answer = self.connack(server, "MQIsdp", 3, "")
            self.assertEqual(answer, b"\x20\x02\x00\x02")
            self.assertEqual(sock.recv(1), b"")  # and closed
            sock.close()

    def test_v31_with_a_client_id_and_v311_empty_are_accepted(self):
        with AkasaServer() as server:
            for name, level, client_id in (("MQIsdp", 3, "c31"), ("MQTT", 4, "")):
                sock, answer = self.connack(server, name, level, client_id)
                self.assertEqual(answer, b"\x20\x02\x00\x00")
                sock.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
