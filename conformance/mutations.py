"""A seeded corpus of YAML streams built from real DataOS manifests, aimed at where YAML parsers differ.

Each stream is the head of a real manifest (so it keeps its `type:` line and
is linted as a DataOS stream) with one to three edits drawn from the
constructs where libyaml, go-yaml and the YAML 1.2 spec disagree: unquoted
values in ``[...]`` and ``{...}`` holding ``:``, ``?``, ``#``, URLs and ports;
tabs; anchors on empty values and redefined anchors; quoting and escapes;
directives.  The same seed and manifests give the same streams, byte for byte.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

SEED = 14
COUNT = 1600

_ENTRY = re.compile(r"^(?P<indent> *)(?P<lead>- |[A-Za-z_][\w.$-]*: ?)(?P<value>.*)$")
_TYPE_LINE = re.compile(r"^type:[ \t]*['\"]?[a-z-]+['\"]?[ \t]*$", re.MULTILINE)
#: resource types worker-lint treats as DataOS manifests (a sample of worker_lint/dataos/resource.py's table)
_DATAOS_TYPE = re.compile(
    r"^type:[ \t]*['\"]?(worker|bundle|workflow|service|stack|secret|instance-secret|depot|cluster|"
    r"compute|database|lakehouse|volume|policy|monitor|pager|operator|lens|grant)['\"]?[ \t]*$"
)

_FLOW_ITEMS = [
    "localhost:9092",
    "kafka-0.kafka:9092",
    "dataos://depot:collection/dataset",
    "dataos://icebase:retail/city",
    "dataos://lakehouse:sys01/orders?acl=rw",
    "http://x:8080/a",
    "https://api.example.com/v1?x=1",
    "a#b",
    "a #b",
    "x?y",
    "?y",
    "? y",
    "a:",
    ":a",
    "a:b:c",
    "'q:x'",
    '"q?x"',
    '"x\\/y"',
    "x: y",
    "&anc v",
    "*anc",
    "&e",
    "",
    "1",
    "true",
    "${{var}}",
    "{{dataos:type:resource}}",
    "a b",
    "a\tb",
    "x\t#c",
    "[b:c]",
    "{k: v:w}",
    "'it''s'",
    "-x",
    "- x",
    "a]b",
    "@x",
    "`x",
    "!!str s",
    "!tag v",
    "x:\t1",
    "x :y",
    "x?",
    '"x\\\'y"',
    "s3://bucket/key?v=1",
    "10.0.0.1:5432",
    "*.example.com",
    "a,b",
    ":",
    "?",
    "x::y",
    "k: [a:b]",
]
_BLOCK_VALUES = [
    "http://x:8080?y",
    "a #b",
    "a#b",
    "? x",
    "x?y",
    ":x",
    "x:y",
    "&a",
    "&a x",
    "*a",
    "&a\n",
    "'q'",
    '"q\\/"',
    '"q\\\'"',
    "x\t# tab before comment",
    "x #",
    "@x",
    "`x",
    "%x",
    "a: b",
    "[a",
    "{a: b",
    "]",
    "|\n  text",
    ">-\n  text",
    "!!binary aGk=",
    "!custom x",
    "'unterminated",
    '"unterminated',
    "x\\ty",
    '"\\x41\\u00e9\\U0001F600"',
    '"\\N\\_\\L\\P"',
    '"\\e\\a\\v\\0"',
    '"\\z"',
    "'a\\'",
    "dataos://lakehouse:sys01/orders?acl=rw",
    "--- x",
    "... x",
]
_DIRECTIVES = [
    "%YAML 1.2\n---\n",
    "%YAML 1.1\n---\n",
    "%YAML 2.0\n---\n",
    "%YAML 1.3\n---\n",
    "%TAG !e! tag:example.com,2000:\n---\n",
    "%FOO bar\n---\n",
    "%YAML 1.1\n",
    "%YAML 1.2\n",
    "%YAML 1.1\n%YAML 1.1\n---\n",
    "%YAML  1.2 # c\n---\n",
    "--- \n",
    "---\n",
    "...\n",
    "# c\n%YAML 1.2\n---\n",
    "%YAML 1.2\n%TAG ! !x\n---\n",
]


def generate(corpus: Path, seed: int = SEED, count: int = COUNT) -> list[tuple[str, bytes]]:
    """``(id, stream)`` for ``count`` mutated heads of the manifests in ``corpus``."""
    rng = random.Random(seed)
    bases = []
    for path in sorted(corpus.glob("*.yaml")):
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        if _TYPE_LINE.search(text):
            bases.append(text)
    out = []
    for i in range(count):
        lines = rng.choice(bases).split("\n")[: rng.randint(6, 40)]
        if not any(_DATAOS_TYPE.match(line) for line in lines):
            lines.insert(0, "type: worker")
        for _ in range(rng.randint(1, 3)):
            lines = rng.choice(_MUTATORS)(rng, lines)
        out.append((f"m{i:04d}", ("\n".join(lines) + "\n").encode("utf-8")))
    return out


def _entries(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if _ENTRY.match(line) and not _TYPE_LINE.match(line)]


def _set_value(rng: random.Random, lines: list[str], value: str) -> list[str]:
    candidates = _entries(lines)
    if not candidates:
        return lines
    i = rng.choice(candidates)
    m = _ENTRY.match(lines[i])
    assert m is not None
    lead = m["lead"] if m["lead"].endswith(" ") else m["lead"] + " "
    new = list(lines)
    new[i] = m["indent"] + lead + value
    return new


def _flow_value(rng: random.Random, lines: list[str]) -> list[str]:
    items = [rng.choice(_FLOW_ITEMS) for _ in range(rng.randint(1, 3))]
    sep = rng.choice([", ", ",", " , "])
    if rng.random() < 0.6:
        value = "[" + sep.join(items) + "]"
    else:
        value = "{" + sep.join(f"k{n}: {item}" if rng.random() < 0.8 else item for n, item in enumerate(items)) + "}"
    if rng.random() < 0.15:
        value = value.replace(sep, sep.rstrip() + "\n    ", 1)
    return _set_value(rng, lines, value)


def _block_value(rng: random.Random, lines: list[str]) -> list[str]:
    return _set_value(rng, lines, rng.choice(_BLOCK_VALUES))


def _tab(rng: random.Random, lines: list[str]) -> list[str]:
    candidates = _entries(lines)
    if not candidates:
        return lines
    i = rng.choice(candidates)
    line = lines[i]
    new = list(lines)
    where = rng.randrange(4)
    if where == 0 and line.startswith(" "):
        new[i] = "\t" + line[1:]
    elif where == 1 and ": " in line:
        new[i] = line.replace(": ", ":\t", 1)
    elif where == 2:
        new[i] = line + "\t"
    else:
        new[i] = line + "\t# note"
    return new


def _anchor(rng: random.Random, lines: list[str]) -> list[str]:
    candidates = _entries(lines)
    if not candidates:
        return lines
    new = list(lines)
    name = rng.choice(["a", "anc", "x1"])
    i = rng.choice(candidates)
    m = _ENTRY.match(new[i])
    assert m is not None
    lead = m["lead"] if m["lead"].endswith(" ") else m["lead"] + " "
    kind = rng.randrange(4)
    if kind == 0:
        new[i] = m["indent"] + lead + f"&{name}"  # an anchor on an empty value
    elif kind == 1:
        new[i] = m["indent"] + lead + f"&{name} " + m["value"]
        j = rng.choice(candidates)
        mj = _ENTRY.match(new[j])
        if mj is not None and j != i:
            lead_j = mj["lead"] if mj["lead"].endswith(" ") else mj["lead"] + " "
            new[j] = mj["indent"] + lead_j + f"&{name} " + mj["value"]  # the anchor defined twice
    elif kind == 2:
        new[i] = m["indent"] + lead + f"*{name}"
    else:
        new[i] = m["indent"] + f"&{name} " + m["lead"] + m["value"]
    return new


def _quote(rng: random.Random, lines: list[str]) -> list[str]:
    candidates = [i for i in _entries(lines) if _ENTRY.match(lines[i])["value"]]  # type: ignore[index]
    if not candidates:
        return lines
    i = rng.choice(candidates)
    m = _ENTRY.match(lines[i])
    assert m is not None
    value = m["value"]
    cut = rng.randrange(len(value) + 1)
    insert = rng.choice(["\\/", "\\'", '\\"', "\\\\", "\\t", "\\x2F", "\\u002f", "'", '"', "\\q", "#", " #", ":", "?"])
    quote = rng.choice(['"', "'"])
    new = list(lines)
    new[i] = (
        m["indent"]
        + m["lead"]
        + (" " if not m["lead"].endswith(" ") else "")
        + quote
        + value[:cut]
        + insert
        + value[cut:]
        + (quote if rng.random() < 0.9 else "")
    )
    return new


def _directive(rng: random.Random, lines: list[str]) -> list[str]:
    return rng.choice(_DIRECTIVES).rstrip("\n").split("\n") + lines


def _comment(rng: random.Random, lines: list[str]) -> list[str]:
    candidates = _entries(lines)
    if not candidates:
        return lines
    i = rng.choice(candidates)
    new = list(lines)
    new[i] = lines[i] + rng.choice([" # note", "#note", " #", "  # a: b", " # [x:y]"])
    return new


_MUTATORS = [
    _flow_value,
    _flow_value,
    _flow_value,
    _block_value,
    _tab,
    _anchor,
    _anchor,
    _quote,
    _quote,
    _directive,
    _comment,
]
