"""`akasa insert-password` / `akasa remove-password` against the real binary.

Every written line is checked with Python's hashlib, an implementation independent of the
C++ code. The binary comes from $AKASA_BINARY (set by ctest), else build/akasa.
"""

import base64
import hashlib
import os
import pty
import select
import signal
import stat
import subprocess
import tempfile
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("AKASA_BINARY", os.path.join(REPO, "build", "akasa"))
FIXTURES = os.path.join(REPO, "tests", "fixtures", "passwords")


def b64decode_unpadded(text):
    assert "=" not in text, f"Akasa writes base64 without padding: {text!r}"
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def verify_akasa_fields(fields, password):
    """Independent check of one Akasa entry; returns (algorithm, iterations)."""
    parts = fields.split(",")
    algorithm = parts[0]
    pw = password.encode()
    if algorithm in ("sha256", "sha512"):
        assert len(parts) == 3, fields
        salt, expected = b64decode_unpadded(parts[1]), b64decode_unpadded(parts[2])
        actual = hashlib.new(algorithm, pw + salt).digest()
        iterations = None
    elif algorithm in ("sha256-pkbdf2", "sha512-pkbdf2"):
        assert len(parts) == 4, fields
        iterations = int(parts[1])
        salt, expected = b64decode_unpadded(parts[2]), b64decode_unpadded(parts[3])
        actual = hashlib.pbkdf2_hmac(algorithm[:6], pw, salt, iterations)
    else:
        raise AssertionError(f"unknown algorithm in {fields!r}")
    assert len(salt) >= 12, f"salt too short: {len(salt)} bytes"
    assert actual == expected, f"hash mismatch for {fields!r}"
    return algorithm, iterations


def sha512_line(user, password):
    """An Akasa sha512 line written here with hashlib."""
    salt = os.urandom(16)
    digest = hashlib.sha512(password.encode() + salt).digest()
    encode = lambda data: base64.b64encode(data).decode().rstrip("=")
    return f"{user}:sha512,{encode(salt)},{encode(digest)}"


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def entries(path):
    """username -> fields, splitting the trimmed line at the LAST ':'; comments skipped."""
    result = {}
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                user, fields = line.rsplit(":", 1)
                result[user] = fields
    return result


class PasswordCliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "passwords")

    def tearDown(self):
        self.dir.cleanup()

    def run_akasa(self, *args, stdin=""):
        return subprocess.run([BINARY, *args], input=stdin, capture_output=True, text=True,
                              timeout=60)

    def insert(self, username, password, *extra, repeat=None, path=None):
        repeat = password if repeat is None else repeat
        return self.run_akasa("insert-password", "--path", path or self.path, "--username",
                              username, *extra, stdin=f"{password}\n{repeat}\n")

    def assert_failed(self, result, *words):
        self.assertNotEqual(result.returncode, 0, result)
        message = result.stderr.strip().splitlines()[-1]
        self.assertTrue(message.startswith("akasa: "), message)
        for word in words:
            self.assertIn(word, message)

    def test_default_algorithm_is_sha512_pkbdf2_with_10000_iterations(self):
        # Issue 15 item 9: Akasa's 128 iterations were far too few; the written line records
        # the count, so Akasa still reads it (docs/security.md, "Password hashing").
        result = self.insert("u", "pw", "--create")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("Password: ", result.stderr)
        self.assertIn("Repeat Password: ", result.stderr)
        self.assertEqual(result.stdout, f'added user "u" to {self.path}\n')
        users = entries(self.path)
        self.assertEqual(list(users), ["u"])
        self.assertTrue(users["u"].startswith("sha512-pkbdf2,10000,"), users["u"])
        self.assertEqual(verify_akasa_fields(users["u"], "pw"), ("sha512-pkbdf2", 10000))

    def test_sha256_pkbdf2_defaults_to_30000_iterations(self):
        result = self.insert("u", "pw", "--create", "--hash-algorithm", "sha256-pkbdf2")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(verify_akasa_fields(entries(self.path)["u"], "pw"),
                         ("sha256-pkbdf2", 30000))

    def test_every_algorithm_verifies_with_hashlib(self):
        for algorithm in ("sha256", "sha512", "sha256-pkbdf2", "sha512-pkbdf2"):
            with self.subTest(algorithm=algorithm):
                result = self.insert("user-" + algorithm, "p@ss " + algorithm, "--create",
                                     "--hash-algorithm", algorithm)
                self.assertEqual(result.returncode, 0, result.stderr)
                fields = entries(self.path)["user-" + algorithm]
                found, _ = verify_akasa_fields(fields, "p@ss " + algorithm)
                self.assertEqual(found, algorithm)

    def test_iterations_option(self):
        for algorithm in ("sha256-pkbdf2", "sha512-pkbdf2"):
            with self.subTest(algorithm=algorithm):
                result = self.insert("it", "pw", "--create", "--hash-algorithm", algorithm,
                                     "--iterations", "1000")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(verify_akasa_fields(entries(self.path)["it"], "pw"),
                                 (algorithm, 1000))

    def test_iterations_rejected_for_unsalted_iterationless_algorithms(self):
        for algorithm in ("sha256", "sha512"):
            with self.subTest(algorithm=algorithm):
                result = self.insert("u", "pw", "--create", "--hash-algorithm", algorithm,
                                     "--iterations", "10")
                self.assert_failed(result, "--iterations")
                self.assertFalse(os.path.exists(self.path))

    def test_mismatched_passwords_are_an_error_and_change_nothing(self):
        self.assertEqual(self.insert("u", "pw", "--create").returncode, 0)
        before = read_text(self.path)
        result = self.insert("u", "one", repeat="two")
        self.assert_failed(result, "do not match")
        self.assertEqual(read_text(self.path), before)

    def test_empty_password_and_missing_input_are_errors(self):
        self.assert_failed(self.insert("u", "", "--create"), "empty")
        result = self.run_akasa("insert-password", "--create", "--path", self.path,
                                "--username", "u", stdin="")
        self.assert_failed(result, "no password")
        result = self.run_akasa("insert-password", "--create", "--path", self.path,
                                "--username", "u", stdin="only-once\n")
        self.assert_failed(result, "not repeated")
        self.assertFalse(os.path.exists(self.path))

    def test_without_create_the_file_must_exist(self):
        result = self.insert("u", "pw")
        self.assert_failed(result, "does not exist", "--create")
        self.assertFalse(os.path.exists(self.path))

    def test_create_replaces_an_existing_file(self):
        self.assertEqual(self.insert("old", "pw", "--create").returncode, 0)
        self.assertEqual(self.insert("new", "pw", "--create").returncode, 0)
        self.assertEqual(list(entries(self.path)), ["new"])

    def test_a_new_file_is_0600_and_a_rewrite_drops_access_for_others(self):
        self.assertEqual(self.insert("u", "pw", "--create").returncode, 0)
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o600)
        os.chmod(self.path, 0o644)
        self.assertEqual(self.insert("v", "pw").returncode, 0)
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o640)
        self.assertEqual(sorted(os.listdir(self.dir.name)), ["passwords"])

    @unittest.skipUnless(os.geteuid() == 0, "changing a file's owner needs root")
    def test_a_rewrite_keeps_the_owner_and_group(self):
        # Issue 15 item 10: root edits a file the server (another user) reads through its
        # group; the rewritten file must stay readable by the server.
        self.assertEqual(self.insert("u", "pw", "--create").returncode, 0)
        os.chown(self.path, 65534, 65534)
        os.chmod(self.path, 0o640)
        self.assertEqual(self.insert("v", "pw").returncode, 0)
        self.assertEqual(self.run_akasa("remove-password", "--path", self.path, "--username",
                                        "u").returncode, 0)
        st = os.stat(self.path)
        self.assertEqual((st.st_uid, st.st_gid), (65534, 65534))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o640)
        self.assertEqual(list(entries(self.path)), ["v"])

    def test_insert_and_remove_keep_other_lines_byte_for_byte(self):
        original = (read_text(os.path.join(FIXTURES, "mosquitto.txt")) + "\n" +
                    read_text(os.path.join(FIXTURES, "akasa.txt")))
        with open(self.path, "w") as f:
            f.write(original)

        self.assertEqual(self.insert("zoe", "z-pass").returncode, 0)
        text = read_text(self.path)
        self.assertTrue(text.startswith(original), "a new user is appended at the end")
        verify_akasa_fields(entries(self.path)["zoe"], "z-pass")

        # Replacing a user rewrites only that user's line, in place.
        self.assertEqual(self.insert("bob", "new-bob", "--hash-algorithm", "sha256").returncode, 0)
        old_lines, new_lines = text.splitlines(), read_text(self.path).splitlines()
        self.assertEqual(len(old_lines), len(new_lines))
        changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
        self.assertEqual(len(changed), 1)
        self.assertTrue(new_lines[changed[0]].startswith("bob:sha256,"))
        verify_akasa_fields(entries(self.path)["bob"], "new-bob")

        result = self.run_akasa("remove-password", "--path", self.path, "--username", "zoe")
        self.assertEqual(result.returncode, 0, result.stderr)
        result = self.run_akasa("remove-password", "--path", self.path, "--username", "moss7")
        self.assertEqual(result.returncode, 0, result.stderr)
        expected = [line for line in new_lines if not line.startswith(("zoe:", "moss7:"))]
        self.assertEqual(read_text(self.path), "\n".join(expected) + "\n")

    def test_remove_missing_user_says_so_and_exits_zero(self):
        # Issue 16 item 5: Akasa's behaviour; the user is not there, which is what was asked.
        self.assertEqual(self.insert("u", "pw", "--create").returncode, 0)
        before = read_text(self.path)
        result = self.run_akasa("remove-password", "--path", self.path, "--username", "ghost")
        self.assertEqual(result.returncode, 0, result)
        self.assertEqual(result.stdout,
                         f'user "ghost" is not in {self.path}; nothing was changed\n')
        self.assertEqual(result.stderr, "")
        self.assertEqual(read_text(self.path), before)

    def test_each_command_says_what_it_did(self):
        # Issue 16 item 5: added or updated, removed.
        result = self.insert("u", "pw", "--create")
        self.assertEqual((result.returncode, result.stdout),
                         (0, f'added user "u" to {self.path}\n'))
        result = self.insert("v", "pw")
        self.assertEqual((result.returncode, result.stdout),
                         (0, f'added user "v" to {self.path}\n'))
        result = self.insert("u", "pw2")
        self.assertEqual((result.returncode, result.stdout),
                         (0, f'updated user "u" in {self.path}\n'))
        verify_akasa_fields(entries(self.path)["u"], "pw2")
        result = self.run_akasa("remove-password", "--path", self.path, "--username", "u")
        self.assertEqual((result.returncode, result.stdout),
                         (0, f'removed user "u" from {self.path}\n'))
        self.assertEqual(list(entries(self.path)), ["v"])

    def test_comments_are_kept_and_a_user_listed_twice_is_warned_about_and_merged(self):
        # Issue 16 item 8: comments and blank lines stay as they are; a user listed twice is
        # a warning naming both lines (the last wins), and editing that user leaves one line.
        dup_first, dup_last = sha512_line("dup", "first"), sha512_line("dup", "last")
        original = ("# lab users\n" + dup_first + "\n  # indented\n\n" + dup_last + "\n" +
                    sha512_line("other", "o") + "\n")
        with open(self.path, "w") as f:
            f.write(original)
        warning = (f'akasa: warning: {self.path}:5: user "dup" is also on line 2; '
                   "the last line (5) is used\n")

        result = self.insert("zoe", "z")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(warning, result.stderr)
        self.assertTrue(read_text(self.path).startswith(original), "other lines are kept")

        result = self.insert("dup", "newest")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(warning, result.stderr)
        self.assertEqual(result.stdout, f'updated user "dup" in {self.path}\n')
        lines = read_text(self.path).splitlines()
        self.assertEqual(lines[:3], ["# lab users", "  # indented", ""])
        self.assertEqual([line.split(":")[0] for line in lines[3:]], ["dup", "other", "zoe"])
        verify_akasa_fields(entries(self.path)["dup"], "newest")

        with open(self.path, "a") as f:
            f.write(dup_first + "\n")
        result = self.run_akasa("remove-password", "--path", self.path, "--username", "dup")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("is also on line 4", result.stderr)
        self.assertNotIn("dup", entries(self.path), "no earlier line comes back")
        self.assertEqual(read_text(self.path).splitlines()[:3],
                         ["# lab users", "  # indented", ""])

    def test_usernames_reading_would_change_are_refused(self):
        for username, reason in (("#admin", "'#'"), (" admin", "whitespace"),
                                 ("\tadmin", "whitespace")):
            with self.subTest(username=username):
                result = self.insert(username, "pw", "--create")
                self.assert_failed(result, reason)
                self.assertFalse(os.path.exists(self.path))

    def test_remove_from_missing_file_is_an_error(self):
        result = self.run_akasa("remove-password", "--path", self.path, "--username", "u")
        self.assert_failed(result, "does not exist")

    def test_malformed_file_is_reported_with_its_line_number(self):
        with open(self.path, "w") as f:
            f.write("\nalice:sha256,broken\n")
        result = self.insert("u", "pw")
        self.assert_failed(result, f"{self.path}:2:")
        result = self.run_akasa("remove-password", "--path", self.path, "--username", "alice")
        self.assert_failed(result, f"{self.path}:2:")

    def test_terminal_input_is_not_echoed(self):
        """On a tty the password is read with echo off (termios)."""
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execv(BINARY, [BINARY, "insert-password", "--create", "--path", self.path,
                                  "--username", "tty-user"])
            finally:
                os._exit(127)
        output = b""
        deadline = time.monotonic() + 30

        def read_until(marker):
            """Reads the terminal until `marker` appears (b"" means: until it closes)."""
            nonlocal output
            while not marker or marker not in output:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"waited for {marker!r}; terminal showed {output!r}")
                ready, _, _ = select.select([fd], [], [], remaining)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 1024)
                except OSError:  # EIO: the child has closed the terminal
                    chunk = b""
                if not chunk:
                    if marker:
                        raise AssertionError(f"terminal closed before {marker!r}: {output!r}")
                    return
                output += chunk

        try:
            read_until(b"Password: ")
            os.write(fd, b"secret-tty\n")
            read_until(b"Repeat Password: ")
            os.write(fd, b"secret-tty\n")
            read_until(b"")
            _, status = os.waitpid(pid, 0)
            pid = None
        finally:
            if pid is not None:  # the child is stuck: do not leave it behind
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            os.close(fd)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, output)
        self.assertNotIn(b"secret-tty", output)
        verify_akasa_fields(entries(self.path)["tty-user"], "secret-tty")

if __name__ == "__main__":
    unittest.main()
