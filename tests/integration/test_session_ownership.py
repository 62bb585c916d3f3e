"""Sessions belong to their user (issue 15 item 4), against the real binary: another user's
CONNECT with the same client id is refused and takes nothing (not the online connection, not
the queued or in-flight messages); `allow_session_takeover_by_other_user: true` allows the
takeover, and then the in-flight messages resent to the new user pass the ACL's read check
like first sends; the ownership survives a restart (the store keeps the owner); assigned
client ids are distinct and unpredictable in form."""

import os
import subprocess
import tempfile
import unittest

from akasa_harness import AkasaServer, BINARY
from hook_test_support import RawClient

USERS = {"alice": "alice-pw", "bob": "bob-pw"}


def write_password_file(directory):
    path = os.path.join(directory, "passwords")
    for i, (name, password) in enumerate(USERS.items()):
        args = [BINARY, "insert-password", "--path", path, "--username", name]
        if i == 0:
            args.append("--create")
        subprocess.run(args, input=f"{password}\n{password}\n", text=True, check=True,
                       capture_output=True)
    return path


class OwnershipTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="akasa-owner-")
        self.addCleanup(self.tmp.cleanup)
        self.passwords = write_password_file(self.tmp.name)

    def server(self, extra_yaml="", persistence_dir=None):
        return AkasaServer(extra_yaml, allow_anonymous=False, password_file=self.passwords,
                           persistence_dir=persistence_dir)

    def connect(self, server, user, client_id, version=4, clean=False):
        c = RawClient(server.port, client_id, version, user, USERS[user], clean)
        return c, c.connect()

    def test_another_user_cannot_take_an_online_session(self):
        with self.server() as server:
            for version, refused in ((4, 0x05), (5, 0x87)):
                alice, code = self.connect(server, "alice", f"shared-{version}", version)
                self.assertEqual(code, 0)
                alice.subscribe(["news"])
                bob, code = self.connect(server, "bob", f"shared-{version}", version)
                self.assertEqual(code, refused)
                bob.close()
                # Alice's connection was left alone: it still receives.
                publisher, _ = self.connect(server, "bob", f"pub-{version}", version, clean=True)
                publisher.publish("news", b"still here", qos=1)
                self.assertEqual(alice.next_message(), ("news", b"still here", False))
                for c in (alice, publisher):
                    c.close()

    def test_another_user_cannot_resume_an_offline_session_and_nothing_is_lost(self):
        store = os.path.join(self.tmp.name, "store")
        with self.server(persistence_dir=store) as server:
            alice, code = self.connect(server, "alice", "alice-phone")
            self.assertEqual(code, 0)
            alice.subscribe(["inbox"])
            alice.close()
            publisher, _ = self.connect(server, "bob", "pub", clean=True)
            publisher.publish("inbox", b"for alice", qos=1)
            # The owner is kept in the store: still refused after a restart.
            server.stop()
            server.restart()
            bob, code = self.connect(server, "bob", "alice-phone")
            self.assertEqual(code, 0x05)
            bob.close()
            bob, code = self.connect(server, "bob", "alice-phone", clean=True)
            self.assertEqual(code, 0x05)  # nor replace it with a clean one
            bob.close()
            alice, code = self.connect(server, "alice", "alice-phone")
            self.assertEqual(code, 0)
            self.assertEqual(alice.next_message(), ("inbox", b"for alice", False))
            alice.close()

    def test_allowed_takeover_resends_only_what_the_acl_lets_the_new_user_read(self):
        acl = os.path.join(self.tmp.name, "acl")
        with open(acl, "w") as f:
            f.write("user alice\ntopic readwrite alice/#\ntopic readwrite open/#\n"
                    "user bob\ntopic readwrite open/#\n")
        yaml = f"acl_file: {acl}\nallow_session_takeover_by_other_user: true\n"
        with self.server(yaml) as server:
            alice, code = self.connect(server, "alice", "handset")
            self.assertEqual(code, 0)
            alice.subscribe(["alice/#", "open/#"])
            publisher, _ = self.connect(server, "alice", "alice-pub", clean=True)
            publisher.publish("alice/secret", b"private", qos=1)
            publisher.publish("open/news", b"public", qos=1)
            # Received but not acknowledged: both stay in flight.
            first = [alice.recv_packet(), alice.recv_packet()]
            self.assertEqual([p[0] for p in first], [3, 3])
            alice.close()
            bob, code = self.connect(server, "bob", "handset")
            self.assertEqual(code, 0)
            kind, flags, body = bob.recv_packet()
            self.assertEqual(kind, 3)
            self.assertTrue(flags & 0x08, "a resend carries DUP")
            self.assertIn(b"open/news", body)
            # Nothing else (not the private message) comes before the answer to a PINGREQ.
            bob.send(0xC0, b"")
            self.assertEqual(bob.recv_packet()[0], 13)
            for c in (bob, publisher):
                c.close()

    def test_assigned_client_ids_are_distinct(self):
        with AkasaServer() as server:
            ids = set()
            for _ in range(20):
                c = RawClient(server.port, "", 5)
                c.send(0x10, b"\x00\x04MQTT\x05\x02\x00\x3c\x00\x00\x00")
                kind, _, body = c.recv_packet()
                self.assertEqual((kind, body[1]), (2, 0))
                # Assigned Client Identifier (0x12, a 2-byte length, the id) in CONNACK.
                at = body.index(b"akasa-")
                self.assertEqual(body[at - 3], 0x12)
                length = int.from_bytes(body[at - 2:at], "big")
                ids.add(body[at:at + length].decode())
                c.close()
            self.assertEqual(len(ids), 20)
            for assigned in ids:
                self.assertRegex(assigned, r"^akasa-\d+-[0-9a-v]{16}-\d+$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
