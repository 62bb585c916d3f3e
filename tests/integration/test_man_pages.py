"""The man pages: built from packaging/man/*.scd by scdoc, they render with `man -l` without
a groff warning, akasa(1) covers every command of `akasa --help`, and akasa.yaml(5) documents
exactly the keys the config loader knows (a new key without a man entry fails here, and so
does an entry for a key that is gone)."""

import os
import re
import subprocess
import unittest

from akasa_harness import BINARY, REPO
from package_support import MAN_DIR, documented_keys, loader_keys, render_man_page, require_tool

SCD_DIR = os.path.join(REPO, "packaging", "man")


class ManPagesTest(unittest.TestCase):
    def setUp(self):
        require_tool(self, "man")
        require_tool(self, "scdoc")

    def page(self, name):
        path = os.path.join(MAN_DIR, name)
        self.assertTrue(os.path.isfile(path),
                        f"{path} was not built: is scdoc installed (scripts/install-deps test)?")
        return render_man_page(self, path)

    def test_akasa_1_renders_and_lists_every_command(self):
        text = self.page("akasa.1")
        for section in ("NAME", "SYNOPSIS", "COMMANDS", "FILES", "SEE ALSO"):
            self.assertRegex(text, rf"(?m)^{section}$")
        help_text = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                                   check=True).stdout
        commands = re.findall(r"(?m)^  ([a-z][a-z-]+) {2,}", help_text.split("Subcommands:")[1])
        self.assertIn("start", commands)
        commands_section = text.split("\nCOMMANDS\n")[1].split("\nENVIRONMENT\n")[0]
        for command in commands:
            self.assertRegex(commands_section, rf"(?m)^       {command}\b",
                             f"akasa(1) does not describe `akasa {command}`")

    def test_akasa_yaml_5_renders(self):
        text = self.page("akasa.yaml.5")
        for section in ("NAME", "DESCRIPTION", "LISTENERS", "AUTHENTICATION", "PERSISTENCE (ours)"):
            self.assertRegex(text, rf"(?m)^{re.escape(section)}$")
        self.assertIn("persistence.sync_interval_ms", text)

    def test_akasa_yaml_5_documents_every_config_key(self):
        known = loader_keys()
        # A sanity check of the extraction itself: keys of several readers are found.
        for key in ("listeners", "addr", "password_file", "sync_interval_ms", "stored_key",
                    "enable_publish", "max_topic_length"):
            self.assertIn(key, known)
        documented = documented_keys(os.path.join(SCD_DIR, "akasa.yaml.5.scd"))
        self.assertEqual(sorted(known - documented), [],
                         "config keys missing from packaging/man/akasa.yaml.5.scd")
        self.assertEqual(sorted(documented - known), [],
                         "akasa.yaml(5) documents keys the config loader does not know")


if __name__ == "__main__":
    unittest.main()
