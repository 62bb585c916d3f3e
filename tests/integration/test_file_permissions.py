"""Files and permissions (issue 15 item 10), against the real binary: a start warns about
secret-holding files that other users can read or write (password file, ACL file, TLS key,
the config when it holds SCRAM secrets) and stays quiet about private ones; the store
directory the server creates is 0700 and the files in it are for the server's user only."""

import os
import stat
import subprocess
import tempfile
import unittest

from akasa_harness import AkasaServer, BINARY, wait_for_log


class FilePermissionTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="akasa-perm-")
        self.addCleanup(self.tmp.cleanup)
        self.passwords = os.path.join(self.tmp.name, "passwords")
        subprocess.run([BINARY, "insert-password", "--create", "--path", self.passwords,
                        "--username", "u"], input="pw\npw\n", text=True, check=True,
                       capture_output=True)
        self.acl = os.path.join(self.tmp.name, "acl")
        with open(self.acl, "w") as f:
            f.write("topic readwrite #\n")

    def start_and_read_log(self):
        with AkasaServer(f"acl_file: {self.acl}\n", allow_anonymous=False,
                         password_file=self.passwords) as server:
            # The warnings are written once the listeners are up, just before this line.
            return wait_for_log(server, " started")

    def test_files_others_can_read_or_write_are_named_at_start(self):
        os.chmod(self.passwords, 0o644)
        os.chmod(self.acl, 0o666)
        log = self.start_and_read_log()
        self.assertIn(f"{self.passwords} holds password hashes and is readable by every user",
                      log)
        self.assertIn("mode 0644", log)
        self.assertIn(f"{self.acl} holds the access rules (acl_file) and is readable and "
                      "writable by every user", log)

    def test_private_files_give_no_warning(self):
        os.chmod(self.passwords, 0o640)
        os.chmod(self.acl, 0o600)
        log = self.start_and_read_log()
        self.assertNotIn("by every user", log)

    def test_the_store_is_for_the_servers_user_only(self):
        store = os.path.join(self.tmp.name, "state", "store")
        with AkasaServer(persistence_dir=store) as server:
            pass
        self.assertEqual(stat.S_IMODE(os.stat(store).st_mode), 0o700)
        files = [os.path.join(root, name) for root, _, names in os.walk(store) for name in names]
        self.assertTrue(files, "the store wrote files")
        for path in files:
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode) & 0o077, 0, path)


if __name__ == "__main__":
    unittest.main(verbosity=2)
