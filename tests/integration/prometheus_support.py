"""Reading the Prometheus text exposition format (0.0.4) that GET /metrics serves, strictly:
a test fails on text Prometheus would refuse. Used by test_http_listener.py and
test_metrics_operator.py."""

import re

# `name{label="value",...} value` (labels optional); the value is a float or +Inf/-Inf/NaN.
SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)'
    r'(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})?'
    r' ([-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))$')
TYPE = re.compile(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_exposition(text):
    """Checks the text format; returns ({family: type}, {(name, labels): value}). Every
    sample line must parse, and every metric family must have a # TYPE line before its
    samples."""
    typed = {}
    samples = {}
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            match = TYPE.match(line)
            if not match:
                raise AssertionError(f"bad TYPE line: {line!r}")
            typed[match.group(1)] = match.group(2)
            continue
        if line.startswith("#"):
            raise AssertionError(f"unexpected comment: {line!r}")
        match = SAMPLE.match(line)
        if not match:
            raise AssertionError(f"bad sample line: {line!r}")
        name, labels, value = match.groups()
        if name not in typed:
            raise AssertionError(f"sample {name} has no # TYPE before it")
        samples[(name, labels or "")] = float(value)
    if not samples:
        raise AssertionError("no samples")
    return typed, samples


def parse_prometheus(text):
    """The samples of parse_exposition(): {(name, labels): value}, labels as rendered
    ('{qos="1"}', or "" without labels)."""
    return parse_exposition(text)[1]


def parse_labels(labels):
    """'{a="1",b="x\\"y"}' -> {"a": "1", "b": 'x"y'}."""
    unescape = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}
    return {name: re.sub(r'\\[\\"n]', lambda m: unescape[m.group(0)], value)
            for name, value in LABEL.findall(labels)}
