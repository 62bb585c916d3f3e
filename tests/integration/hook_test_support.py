"""Shared by the hook and ACL integration tests (test_hooks_*.py, test_acl_*.py): where the
plugins built by CMake are, a small raw MQTT 3.1.1 / 5.0 client that shows the reason codes
paho 1.6 hides (PUBACK, UNSUBACK), and waiting for a log line. Other tests that need exact
reason codes (test_topic_limits.py) use the raw client too."""

import os
import socket
import struct
import time

from akasa_harness import BINARY, wait_for_log  # noqa: F401 (re-exported)
from mqtt_wire import PacketReader, mqtt_string as _str, packet

TIMEOUT = 10

# tests/CMakeLists.txt puts the test plugins and the example plugin here (beside the
# unit_hook_tests binary): <build>/tests/hook_plugins/, <build> being where akasa is.
PLUGIN_DIR = os.environ.get(
    "AKASA_TEST_PLUGIN_DIR",
    os.path.join(os.path.dirname(os.path.abspath(BINARY)), "tests", "hook_plugins"))


def plugin_path(name):
    path = os.path.join(PLUGIN_DIR, name)
    if not os.path.exists(path):
        raise AssertionError(f"{path} is missing: build the test plugins (cmake --build ... "
                             f"--target unit_hook_tests) or set AKASA_TEST_PLUGIN_DIR")
    return path


class RawClient:
    """One MQTT connection over a plain socket, for exact packets and reason codes."""

    def __init__(self, port, client_id, version=4, username=None, password=None, clean=True,
                 will=None):
        self.version = version
        self.will = will  # (topic, payload) or (topic, payload, v5 will properties) or None
        self.clean = clean
        self.client_id = client_id
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.settimeout(TIMEOUT)
        self.username = username
        self.password = password
        self.reader = PacketReader(self.sock)
        self.held = []  # PUBLISH packets that arrived while waiting for an acknowledgement

    def close(self):
        self.sock.close()

    def send(self, first_byte, body):
        self.sock.sendall(packet(first_byte, body))

    def recv_packet(self):
        """(packet type, flags, body); raises ConnectionError when the server closed."""
        first, body = self.reader.packet()
        return first >> 4, first & 0x0F, body

    def recv_ack(self):
        """The next packet that is not a PUBLISH (those are kept for next_message)."""
        while True:
            packet = self.recv_packet()
            if packet[0] != 3:
                return packet
            self.held.append(packet)

    def _props(self):
        return b"\x00" if self.version == 5 else b""

    def connect(self):
        """Sends CONNECT; returns the CONNACK's return / reason code."""
        flags = 0x02 if self.clean else 0x00
        payload = _str(self.client_id)
        if self.will is not None:
            flags |= 0x04  # QoS 0, not retained
            props = self.will[2] if len(self.will) > 2 else self._props()
            payload += props + _str(self.will[0]) + _str(self.will[1])
        if self.username is not None:
            flags |= 0x80
            payload += _str(self.username)
        if self.password is not None:
            flags |= 0x40
            payload += _str(self.password)
        body = _str("MQTT") + bytes([self.version, flags]) + struct.pack("!H", 60)
        # v5 and not clean: a session that outlives the connection (Session Expiry 300 s).
        props = b"\x05\x11\x00\x00\x01\x2c" if self.version == 5 and not self.clean \
            else self._props()
        self.send(0x10, body + props + payload)
        return self.connack()

    def connack(self):
        kind, _, body = self.recv_packet()
        assert kind == 2, f"expected CONNACK, got packet type {kind}"
        return body[1]

    def publish(self, topic, payload=b"", qos=0, packet_id=1, retain=False):
        """Publishes; for QoS 1 returns the PUBACK's reason code (always 0 in 3.1.1)."""
        body = _str(topic) + (struct.pack("!H", packet_id) if qos else b"") + self._props()
        self.send(0x30 | (qos << 1) | (1 if retain else 0), body + payload)
        if qos == 0:
            return None
        kind, _, ack = self.recv_ack()
        assert kind == (4 if qos == 1 else 5), f"expected PUBACK/PUBREC, got {kind}"
        assert struct.unpack("!H", ack[:2])[0] == packet_id
        code = ack[2] if len(ack) > 2 else 0
        if qos == 2 and code < 0x80:
            self.send(0x62, struct.pack("!H", packet_id))
            kind, _, _ = self.recv_ack()
            assert kind == 7, f"expected PUBCOMP, got {kind}"
        return code

    def subscribe(self, filters, packet_id=1, qos=1):
        """Returns the SUBACK's codes, one per filter."""
        body = struct.pack("!H", packet_id) + self._props()
        for f in filters:
            body += _str(f) + bytes([qos])
        self.send(0x82, body)
        kind, _, ack = self.recv_ack()
        assert kind == 9, f"expected SUBACK, got {kind}"
        return list(self._skip_props(ack[2:]))

    def unsubscribe(self, filters, packet_id=1):
        """Returns the UNSUBACK's codes (v5; empty in 3.1.1)."""
        body = struct.pack("!H", packet_id) + self._props()
        for f in filters:
            body += _str(f)
        self.send(0xA2, body)
        kind, _, ack = self.recv_ack()
        assert kind == 11, f"expected UNSUBACK, got {kind}"
        return list(self._skip_props(ack[2:])) if self.version == 5 else []

    def _skip_props(self, data):
        if self.version != 5:
            return data
        length, shift, i = 0, 0, 0
        while True:
            byte = data[i]
            i += 1
            length += (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        return data[i + length:]

    def next_message(self):
        """The next PUBLISH from the server as (topic, payload, retain), acknowledged."""
        while True:
            kind, flags, body = self.held.pop(0) if self.held else self.recv_packet()
            if kind != 3:
                continue
            qos = (flags >> 1) & 3
            topic_len = struct.unpack("!H", body[:2])[0]
            topic = body[2:2 + topic_len].decode()
            rest = body[2 + topic_len:]
            packet_id = None
            if qos:
                packet_id = struct.unpack("!H", rest[:2])[0]
                rest = rest[2:]
            rest = self._skip_props(rest)
            if qos == 1:
                self.send(0x40, struct.pack("!H", packet_id))
            elif qos == 2:
                self.send(0x50, struct.pack("!H", packet_id))
            return topic, bytes(rest), bool(flags & 1)

    def ping(self):
        """A round trip: everything the server sent before PINGRESP is in order before it."""
        self.send(0xC0, b"")
        while True:
            kind, _, _ = self.recv_packet()
            if kind == 13:
                return
