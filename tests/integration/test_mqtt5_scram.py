"""MQTT 5 enhanced authentication (SCRAM-SHA-256) and common v5 flows, from Python.

paho-mqtt 1.6 has no AUTH packet support, so the SCRAM exchange speaks MQTT 5 over a plain
socket with a few lines of encoding here, and computes the client side of RFC 5802 with
hashlib/hmac: an implementation independent of the server's (src/auth/scram_sha256.cpp).
paho-mqtt (MQTTv5) covers the common flows: a refused method, forwarded properties,
Message Expiry and the client's Maximum Packet Size.
"""

import base64
import hashlib
import hmac
import os
import queue
import socket
import struct
import sys
import tempfile
import unittest

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

import subprocess

from akasa_harness import BINARY, AkasaServer, wait_for_log
from mqtt_wire import PacketReader, mqtt_string, packet, varint

SALT = b"python-salt-0001"
ITERATIONS = 4096
USERS = {"alice": "wonderland", "bob": "builder"}
METHOD = "SCRAM-SHA-256"


def scram_users_yaml():
    lines = ["scram_users:"]
    for name, password in USERS.items():
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, ITERATIONS)
        lines += [f"  {name}:", f"    hashed_password: {salted.hex()}",
                  f"    iterations: {ITERATIONS}", f"    salt: {SALT.hex()}"]
    return "\n".join(lines) + "\n"


# --- Just enough MQTT 5 encoding for CONNECT and AUTH ---

def auth_properties(data):
    props = b"\x15" + mqtt_string(METHOD)
    if data is not None:
        props += b"\x16" + mqtt_string(data)
    return varint(len(props)) + props


def connect_packet(client_id, data, username=None):
    flags = 0x02 | (0x80 if username is not None else 0)
    body = mqtt_string("MQTT") + bytes([5, flags]) + struct.pack("!H", 60)
    body += auth_properties(data) + mqtt_string(client_id)
    if username is not None:
        body += mqtt_string(username)
    return packet(0x10, body)


def auth_packet(reason, data):
    return packet(0xF0, bytes([reason]) + auth_properties(data))


PROPERTY_SIZES = {0x01: 1, 0x02: 4, 0x11: 4, 0x13: 2, 0x17: 1, 0x19: 1, 0x21: 2, 0x22: 2,
                  0x23: 2, 0x24: 1, 0x25: 1, 0x27: 4, 0x28: 1, 0x29: 1, 0x2A: 1}
STRING_PROPERTIES = {0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F}


def parse_properties(data):
    props, i = {}, 0
    while i < len(data):
        ident = data[i]
        i += 1
        if ident in PROPERTY_SIZES:
            size = PROPERTY_SIZES[ident]
            props[ident] = int.from_bytes(data[i:i + size], "big")
            i += size
        elif ident in STRING_PROPERTIES:
            length = struct.unpack("!H", data[i:i + 2])[0]
            props[ident] = data[i + 2:i + 2 + length]
            i += 2 + length
        elif ident == 0x26:
            for _ in range(2):
                length = struct.unpack("!H", data[i:i + 2])[0]
                i += 2 + length
        else:
            raise AssertionError(f"unexpected property 0x{ident:02x}")
    return props


class RawClient:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.reader = PacketReader(self.sock)

    def receive(self):
        """(packet type, reason code, properties) of the next packet."""
        first, body = self.reader.packet()
        kind = first >> 4
        if kind == 2:  # CONNACK: flags, reason, properties
            body = body[1:]
        reason = body[0] if body else 0
        props = b""
        if len(body) > 1:
            plen, shift, i = 0, 0, 1
            while True:
                byte = body[i]
                plen += (byte & 0x7F) << shift
                shift += 7
                i += 1
                if not byte & 0x80:
                    break
            props = body[i:i + plen]
        return kind, reason, parse_properties(props)

    def closed(self):
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def send(self, data):
        self.sock.sendall(data)

    def close(self):
        self.sock.close()


class Scram:
    """The client side of SCRAM-SHA-256 without channel binding (RFC 5802 / RFC 7677)."""

    def __init__(self, user, password, nonce="py-nonce-7f3a", salted=None):
        """`salted`: the SaltedPassword to use instead of deriving it from `password` (what
        someone who read a config's `hashed_password` holds)."""
        self.user, self.password, self.nonce, self.salted = user, password, nonce, salted
        self.bare = f"n={user},r={nonce}"
        self.server_signature = None

    def first(self):
        return "n,," + self.bare

    def final(self, server_first):
        fields = dict(part.split("=", 1) for part in server_first.split(","))
        assert fields["r"].startswith(self.nonce), "the server nonce must extend ours"
        salted = self.salted or hashlib.pbkdf2_hmac(
            "sha256", self.password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + fields["r"]
        auth_message = ",".join([self.bare, server_first, without_proof]).encode()
        signature = hmac.digest(stored_key, auth_message, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        self.server_signature = hmac.digest(server_key, auth_message, "sha256")
        return without_proof + ",p=" + base64.b64encode(proof).decode()


AUTH, CONNACK, DISCONNECT = 15, 2, 14


def scram_exchange(port, user, password, client_id, connect_username=None, salted=None):
    """Runs the initial exchange; returns (client, scram, connack reason, connack props)."""
    client = RawClient(port)
    scram = Scram(user, password, salted=salted)
    client.send(connect_packet(client_id, scram.first(), connect_username))
    kind, reason, props = client.receive()
    assert kind == AUTH and reason == 0x18, (kind, reason)
    assert props[0x15] == METHOD.encode()  # [MQTT-4.12.0-5]
    client.send(auth_packet(0x18, scram.final(props[0x16].decode())))
    kind, reason, props = client.receive()
    assert kind == CONNACK, kind
    return client, scram, reason, props


class ScramTest(unittest.TestCase):
    def test_scram_sha256_exchange_succeeds_and_server_proves_itself(self):
        with AkasaServer(scram_users_yaml()) as server:
            client, scram, reason, props = scram_exchange(server.port, "alice", "wonderland",
                                                          "py-scram")
            self.assertEqual(reason, 0)
            self.assertEqual(props[0x15], METHOD.encode())
            expected = b"v=" + base64.b64encode(scram.server_signature)
            self.assertEqual(props[0x16], expected)
            # Re-authentication on the same connection [MQTT-4.12.1-1].
            again = Scram("alice", "wonderland", nonce="py-nonce-second")
            client.send(auth_packet(0x19, again.first()))
            kind, reason, props = client.receive()
            self.assertEqual((kind, reason), (AUTH, 0x18))
            client.send(auth_packet(0x18, again.final(props[0x16].decode())))
            kind, reason, props = client.receive()
            self.assertEqual((kind, reason), (AUTH, 0x00))
            self.assertEqual(props[0x16], b"v=" + base64.b64encode(again.server_signature))
            client.close()

    def test_wrong_password_gets_0x86_and_the_connection_closes(self):
        with AkasaServer(scram_users_yaml()) as server:
            client, _, reason, props = scram_exchange(server.port, "alice", "queen-of-hearts",
                                                      "py-scram-bad")
            self.assertEqual(reason, 0x86)
            self.assertNotIn(0x16, props)
            self.assertTrue(client.closed())
            client.close()

    def test_failed_exchanges_count_towards_the_failed_login_limit(self):
        # Issue 15 item 9: a wrong SCRAM proof is a failed login like a wrong password.
        with AkasaServer(scram_users_yaml(), auth_keys="max_failed_logins: 2") as server:
            for i in range(2):
                client, _, reason, _ = scram_exchange(server.port, "alice", "queen", f"py-f{i}")
                self.assertEqual(reason, 0x86)
                client.close()
            client = RawClient(server.port)
            client.send(connect_packet("py-blocked", Scram("alice", "wonderland").first()))
            kind, reason, _ = client.receive()
            self.assertEqual((kind, reason), (CONNACK, 0x9F))  # Connection rate exceeded
            client.close()
            wait_for_log(server, "blocking logins from 127.0.0.1")

    def test_failed_reauthentication_gets_disconnect_0x87(self):
        with AkasaServer(scram_users_yaml()) as server:
            client, _, reason, _ = scram_exchange(server.port, "alice", "wonderland",
                                                  "py-scram-reauth")
            self.assertEqual(reason, 0)
            wrong = Scram("alice", "cheshire", nonce="py-nonce-wrong")
            client.send(auth_packet(0x19, wrong.first()))
            kind, _, props = client.receive()
            self.assertEqual(kind, AUTH)
            client.send(auth_packet(0x18, wrong.final(props[0x16].decode())))
            kind, reason, _ = client.receive()
            self.assertEqual((kind, reason), (DISCONNECT, 0x87))  # [MQTT-4.12.1-2], no 0x86 there
            self.assertTrue(client.closed())
            client.close()


def scram_password_cli(username, password, *extra):
    """`akasa scram-password` with the password twice on stdin (a pipe, as a script would)."""
    return subprocess.run([BINARY, "scram-password", "--username", username, *extra],
                          input=f"{password}\n{password}\n", capture_output=True, text=True,
                          timeout=60)


def parse_scram_entry(text):
    """{user: {key: value}} from the `scram_users:` block scram-password prints."""
    lines = text.splitlines()
    assert lines[0] == "scram_users:", text
    users, current = {}, None
    for line in lines[1:]:
        if line.startswith("    "):
            key, value = line.strip().split(": ", 1)
            users[current][key] = value
        else:
            current = line.strip().rstrip(":")
            users[current] = {}
    return users


class ScramStoredFormTest(unittest.TestCase):
    """Issue 15 item 7: `stored_key` / `server_key` (RFC 5802's stored form) instead of the
    password-equivalent `hashed_password`, made by `akasa scram-password`."""

    def test_scram_password_prints_rfc5802_keys(self):
        result = scram_password_cli("carol", "sea-shell", "--iterations", "5000")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Password:", result.stderr)
        self.assertIn("Repeat Password:", result.stderr)
        entry = parse_scram_entry(result.stdout)["carol"]
        self.assertEqual(set(entry), {"stored_key", "server_key", "salt", "iterations"})
        self.assertNotIn("hashed_password", result.stdout)
        salt = bytes.fromhex(entry["salt"])
        self.assertGreaterEqual(len(salt), 16)
        self.assertEqual(entry["iterations"], "5000")
        # Independently of the C++ code: RFC 5802 section 3.
        salted = hashlib.pbkdf2_hmac("sha256", b"sea-shell", salt, 5000)
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        self.assertEqual(entry["stored_key"], hashlib.sha256(client_key).hexdigest())
        self.assertEqual(entry["server_key"], hmac.digest(salted, b"Server Key", "sha256").hex())
        # A fresh salt each time.
        again = parse_scram_entry(scram_password_cli("carol", "sea-shell").stdout)["carol"]
        self.assertNotEqual(again["salt"], entry["salt"])
        self.assertEqual(again["iterations"], "4096")
        usage = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=60)
        self.assertIn("scram-password", usage.stdout)

    def test_scram_password_refuses_what_cannot_work(self):
        result = scram_password_cli("carol", "sea-shell", "--iterations", "100")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--iterations", result.stderr)
        mismatch = subprocess.run([BINARY, "scram-password", "--username", "carol"],
                                  input="one\ntwo\n", capture_output=True, text=True,
                                  timeout=60)
        self.assertNotEqual(mismatch.returncode, 0)
        self.assertIn("do not match", mismatch.stderr)
        self.assertEqual(mismatch.stdout, "")

    def test_a_user_in_the_stored_form_logs_in(self):
        made = scram_password_cli("carol", "sea-shell")
        self.assertEqual(made.returncode, 0, made.stderr)
        with AkasaServer(made.stdout) as server:
            client, scram, reason, props = scram_exchange(server.port, "carol", "sea-shell",
                                                          "py-stored")
            self.assertEqual(reason, 0)
            # The server proves itself with ServerKey alone.
            self.assertEqual(props[0x16], b"v=" + base64.b64encode(scram.server_signature))
            client.close()
            client, _, reason, _ = scram_exchange(server.port, "carol", "sea-sick", "py-stored")
            self.assertEqual(reason, 0x86)
            client.close()

    def test_hashed_password_is_password_equivalent_the_stored_form_is_not(self):
        # Someone who read `hashed_password` logs in without knowing the password: the reason
        # for the stored form.
        salted = hashlib.pbkdf2_hmac("sha256", b"wonderland", SALT, ITERATIONS)
        with AkasaServer(scram_users_yaml()) as server:
            client, _, reason, _ = scram_exchange(server.port, "alice", None, "py-thief",
                                                  salted=salted)
            self.assertEqual(reason, 0)
            client.close()
        # Someone who read the stored form has no such key: using either key in its place
        # fails like a wrong password.
        made = scram_password_cli("carol", "sea-shell")
        entry = parse_scram_entry(made.stdout)["carol"]
        with AkasaServer(made.stdout) as server:
            for key in ("stored_key", "server_key"):
                client, _, reason, _ = scram_exchange(server.port, "carol", None, "py-thief",
                                                      salted=bytes.fromhex(entry[key]))
                self.assertEqual(reason, 0x86, key)
                client.close()


def suback_codes(client, filters):
    body = struct.pack("!H", 7) + b"\x00"
    for f in filters:
        body += mqtt_string(f) + b"\x01"
    client.send(packet(0x82, body))
    first, ack = client.reader.packet()
    assert first >> 4 == 9, first
    assert ack[2] < 0x80, "properties longer than this helper reads"
    return list(ack[3 + ack[2]:])  # packet id, properties, then one code per filter


class ScramIdentityTest(unittest.TestCase):
    """Issue 15 item 1: the ACL, %u and plugins see the user SCRAM authenticated, never an
    unverified CONNECT User Name."""

    ACL = ("user admin\ntopic readwrite secret/#\n"
           "user bob\ntopic readwrite bob/#\n"
           "pattern read inbox/%u/#\n")

    def server(self):
        self.acl_dir = tempfile.TemporaryDirectory(prefix="akasa-scram-acl-")
        self.addCleanup(self.acl_dir.cleanup)
        path = os.path.join(self.acl_dir.name, "acl")
        with open(path, "w") as f:
            f.write(self.ACL)
        return AkasaServer(scram_users_yaml() + f"acl_file: {path}\n")

    def test_a_user_name_other_than_the_scram_user_is_refused(self):
        with self.server() as server:
            client, _, reason, _ = scram_exchange(server.port, "bob", "builder", "py-bob-admin",
                                                  connect_username="admin")
            self.assertEqual(reason, 0x87)
            self.assertTrue(client.closed())
            client.close()

    def test_the_acl_sees_the_scram_user(self):
        with self.server() as server:
            client, _, reason, _ = scram_exchange(server.port, "bob", "builder", "py-bob")
            self.assertEqual(reason, 0)
            self.assertEqual(suback_codes(client, ["secret/#", "bob/#", "inbox/bob/#",
                                                   "inbox/admin/#"]),
                             [0x87, 1, 1, 0x87])
            client.close()
            same, _, reason, _ = scram_exchange(server.port, "bob", "builder", "py-bob-2",
                                                connect_username="bob")
            self.assertEqual(reason, 0)
            self.assertEqual(suback_codes(same, ["bob/x"]), [1])
            same.close()


# --- paho-mqtt (MQTTv5) as a second real client ---

class PahoV5:
    def __init__(self, port, client_id, properties=None):
        self.connacks = queue.Queue()
        self.messages = queue.Queue()
        self.subacks = queue.Queue()
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
        self.client.on_subscribe = lambda c, u, mid, codes, props=None: self.subacks.put(codes)
        self.client.on_connect = lambda c, u, flags, rc, props=None: self.connacks.put(
            (rc, props))
        self.client.on_message = lambda c, u, msg: self.messages.put(msg)
        self.client.connect("127.0.0.1", port, 60, properties=properties)
        self.client.loop_start()

    def connack(self):
        return self.connacks.get(timeout=10)

    def subscribe(self, topic, qos):
        self.client.subscribe(topic, qos=qos)
        return self.subacks.get(timeout=10)

    def stop(self):
        self.client.disconnect()
        self.client.loop_stop()


class PahoV5Test(unittest.TestCase):
    def test_unknown_authentication_method_gets_0x8c(self):
        with AkasaServer() as server:
            props = Properties(PacketTypes.CONNECT)
            props.AuthenticationMethod = "NO-SUCH-METHOD"
            client = PahoV5(server.port, "paho-method", props)
            rc, _ = client.connack()
            self.assertEqual(rc.value, 0x8C)  # [MQTT-4.12.0-1]
            client.client.loop_stop()

    def test_forwarded_properties_and_remaining_expiry(self):
        with AkasaServer() as server:
            sub = PahoV5(server.port, "paho-sub")
            self.assertEqual(sub.connack()[0].value, 0)
            sub.subscribe("py5/t", qos=1)
            pub = PahoV5(server.port, "paho-pub")
            self.assertEqual(pub.connack()[0].value, 0)
            props = Properties(PacketTypes.PUBLISH)
            props.PayloadFormatIndicator = 1
            props.ContentType = "text/plain"
            props.ResponseTopic = "py5/reply"
            props.CorrelationData = b"\x00\x01corr"
            props.MessageExpiryInterval = 120
            props.UserProperty = [("a", "1"), ("b", "2"), ("a", "3")]
            pub.client.publish("py5/t", "héllo".encode(), qos=1, properties=props)
            msg = sub.messages.get(timeout=10)
            self.assertEqual(msg.payload, "héllo".encode())
            p = msg.properties
            self.assertEqual(p.PayloadFormatIndicator, 1)
            self.assertEqual(p.ContentType, "text/plain")
            self.assertEqual(p.ResponseTopic, "py5/reply")
            self.assertEqual(p.CorrelationData, b"\x00\x01corr")
            self.assertEqual(p.UserProperty, [("a", "1"), ("b", "2"), ("a", "3")])
            self.assertTrue(0 < p.MessageExpiryInterval <= 120,  # [MQTT-3.3.2-6]
                            p.MessageExpiryInterval)
            sub.stop()
            pub.stop()

    def test_message_too_large_for_the_client_is_not_sent(self):
        with AkasaServer() as server:
            props = Properties(PacketTypes.CONNECT)
            props.MaximumPacketSize = 200
            sub = PahoV5(server.port, "paho-small", props)
            self.assertEqual(sub.connack()[0].value, 0)
            sub.subscribe("py5/size", qos=1)
            pub = PahoV5(server.port, "paho-big")
            self.assertEqual(pub.connack()[0].value, 0)
            pub.client.publish("py5/size", b"x" * 1000, qos=1)  # never sent [MQTT-3.1.2-25]
            pub.client.publish("py5/size", b"small", qos=1)
            # Same publisher, same subscriber: the small one comes second, so receiving it
            # first shows the large one was skipped.
            self.assertEqual(sub.messages.get(timeout=10).payload, b"small")
            sub.stop()
            pub.stop()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
