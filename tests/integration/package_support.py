"""Helpers of the install and package tests: where the build tree is, and the tools it needs.

The tests read what the build produced next to $AKASA_BINARY (the top of the build tree):
the man pages under packaging/man/ and CPackConfig.cmake."""

import os
import re
import shutil
import subprocess

from akasa_harness import BINARY, REPO

BUILD_DIR = os.path.dirname(os.path.abspath(BINARY))
MAN_DIR = os.path.join(BUILD_DIR, "packaging", "man")


def require_tool(test, name):
    """Fails (never skips) when a tool of scripts/install-deps' test profile is missing."""
    path = shutil.which(name)
    test.assertIsNotNone(path, f"{name} not found: run scripts/install-deps test")
    return path


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


def render_man_page(test, page):
    """`man -l` of a roff page: its text, after checking groff reported nothing."""
    result = run(["man", "--warnings", "-l", page], env=dict(os.environ, MANWIDTH="80"))
    test.assertEqual(result.returncode, 0, f"man -l {page}: {result.stderr}")
    test.assertEqual(result.stderr.strip(), "", f"man -l {page} warned")
    return re.sub(r".\x08", "", result.stdout)  # bold and underline are overstrikes


def loader_keys():
    """Every key name the config loader accepts: the string literals of each MapReader's
    allowed-key list in src/config/*.cpp (the lists its unknown-key errors come from)."""
    keys = set()
    config_dir = os.path.join(REPO, "src", "config")
    for name in sorted(os.listdir(config_dir)):
        if not name.endswith(".cpp"):
            continue
        with open(os.path.join(config_dir, name)) as f:
            source = f.read()
        for match in re.finditer(r"MapReader\s+\w+\s*\((.*?)\);", source, re.S):
            braces = re.search(r"\{([^{}]*)\}\s*$", match.group(1), re.S)
            if braces:
                keys.update(re.findall(r'"([a-z0-9_]+)"', braces.group(1)))
    return keys


def documented_keys(scd_path):
    """The keys akasa.yaml(5) documents: its term lines `*a.b.key*` (optionally
    followed by ` (ours)` and ` (restart)`), by their last part."""
    keys = set()
    with open(scd_path) as f:
        for line in f:
            term = re.match(r"^\*([A-Za-z0-9_.\[\]]+)\*( \(ours\))?( \(restart\))?$",
                            line.rstrip("\n"))
            if term:
                keys.add(term.group(1).split(".")[-1].removeprefix("[]"))
    return keys
