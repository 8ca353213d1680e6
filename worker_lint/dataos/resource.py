"""One DataOS resource as the schema pass and the checks see it."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from ruamel.yaml.nodes import Node, ScalarNode

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import JsonPath
from worker_lint.document import positions


class TypeInfo(NamedTuple):
    """What the reference says of one resource type, and how far worker-lint checks it."""

    #: each version the reference and its published manifests use, and the section that holds the body in it
    bodies: Mapping[str, str]
    #: "workspace" or "instance" (dataos.info `docs/resources/bundle/index.md` callout), "" when undocumented
    level: str
    #: how far worker-lint checks it: :data:`BODY`, :data:`META` or :data:`NAME`
    checked: str
    #: where the reference describes it (a path in `moderndatacompany/dataos.info`), "" when it has no page
    page: str = ""


#: its body is checked field by field (a schema under `schemas/`, or the checks of `worker_lint.checks`)
BODY = "body"
#: its meta section is checked (name, version, type, the common fields) and that its body section is there
META = "meta"
#: its name is known (no WL104), and its meta section checked as every resource's; its body is not modelled
NAME = "name"
#: the body section of v2-era manifests, whatever their type
SPEC = "spec"


def _same(kind: str, *versions: str) -> dict[str, str]:
    """Versions whose body is the section named after the type (`depot:` in every Depot version)."""
    return dict.fromkeys(versions, kind)


#: The one table of DataOS resource types: the current public reference (dataos.info `docs/resources/*`,
#: `docs/products/*`; the version table of `docs/resources/manifest_attributes.md`), the versions its
#: published manifests use beside it (v1beta1 on running Workflows, Services, Databases, Secrets), the
#: `dataos-ctl` type list and the v2 docs.  Everything that asks "is this a DataOS resource", "which section
#: is its body" or "what level does it live at" reads it from here.
RESOURCE_TYPES: dict[str, TypeInfo] = {
    "bundle": TypeInfo(_same("bundle", "v1alpha", "v1beta", "v2alpha"), "instance", BODY, "docs/resources/bundle"),
    "cluster": TypeInfo(_same("cluster", "v1"), "workspace", META, "docs/resources/cluster"),
    "compute": TypeInfo(_same("compute", "v1", "v1beta"), "instance", META, "docs/resources/compute"),
    # the Data Product spec, applied with `dataos-ctl product apply`: its body is under a section named
    # after its version (`v1beta: data: ...`)
    "data": TypeInfo({"v1alpha": "v1alpha", "v1beta": "v1beta"}, "", BODY, "docs/products/data_product"),
    "database": TypeInfo(_same("database", "v1", "v1beta1"), "workspace", META, "docs/resources/database"),
    "dataplane": TypeInfo({}, "", NAME),
    "depot": TypeInfo(_same("depot", "v1", "v2alpha"), "instance", META, "docs/resources/depot"),
    "grant": TypeInfo(_same("grant", "v1alpha"), "", META, "docs/resources/grant"),
    "instance-secret": TypeInfo(_same("instance-secret", "v1"), "instance", META, "docs/resources/instance_secret"),
    "lakehouse": TypeInfo(_same("lakehouse", "v1alpha"), "workspace", META, "docs/resources/lakehouse"),
    "lens": TypeInfo(_same("lens", "v1alpha"), "", META, "docs/resources/lens"),
    "monitor": TypeInfo(_same("monitor", "v1alpha"), "", META, "docs/resources/monitor"),
    "nilus": TypeInfo({"v1alpha": SPEC}, "", NAME),
    "operator": TypeInfo(_same("operator", "v1alpha"), "", META, "docs/resources/operator"),
    "pager": TypeInfo(_same("pager", "v1alpha"), "", META, "docs/resources/pager"),
    "policy": TypeInfo(_same("policy", "v1"), "instance", META, "docs/resources/policy"),
    # the domain definitions of `type: resource` keep their body under their version (`v1alpha:`)
    "resource": TypeInfo({"v1alpha": "v1alpha", "v1beta": "resource"}, "", META, "docs/resources/types"),
    "secret": TypeInfo(_same("secret", "v1", "v1beta1", "v2alpha"), "workspace", META, "docs/resources/secret"),
    "service": TypeInfo(
        {**_same("service", "v1", "v1beta1"), "v2alpha": SPEC}, "workspace", META, "docs/resources/service"
    ),
    "stack": TypeInfo({"v1alpha": "stack", "v2alpha": SPEC}, "instance", BODY, "docs/resources/stacks"),
    "volume": TypeInfo(_same("volume", "v1beta"), "", META, "docs/resources/volume"),
    "vulcan": TypeInfo({"v1alpha": SPEC}, "", NAME),
    "worker": TypeInfo({"v1beta": "worker", "v2alpha": SPEC}, "workspace", BODY, "docs/resources/worker"),
    "workflow": TypeInfo(
        {**_same("workflow", "v1", "v1beta", "v1beta1"), "v2alpha": SPEC}, "workspace", BODY, "docs/resources/workflow"
    ),
}
DATAOS_TYPES = frozenset(RESOURCE_TYPES)
#: the types whose body section is named after them in some version (`worker:`, `bundle:`): such a section
#: says what a document is when its `type` does not
_NAMED_BODIES = frozenset(
    kind for kind, info in RESOURCE_TYPES.items() if kind in info.bodies.values() or not info.bodies
)
#: type names that are common words in other YAML (`type: data`): their `type` alone does not make a manifest
_COMMON_WORDS = frozenset({"data"})
#: the shape every DataOS `version` has (`v1`, `v1beta`, `v1beta1`, `v2alpha`); the types the project does
#: not model may use any version of this shape
VERSION_SHAPE = lazy_re.compile(r"v[0-9]+(?:(?:alpha|beta)[0-9]*)?")


#: (type, version) -> the section the reference gives its body
_DOCUMENTED: dict[tuple[str, str | None], str] = {
    (kind, version): body for kind, info in RESOURCE_TYPES.items() for version, body in info.bodies.items()
}


def label(kind: str) -> str:
    """How messages name a type: `Worker`, `Instance-Secret`, `Data Product`."""
    if kind == "data":
        return "Data Product"
    return kind.replace("-", " ").title().replace(" ", "-")


def body_key(data: Mapping[str, Any], kind: str, version: str | None) -> str:
    """The section holding a resource's body: the one its version has (the table), else the one it has.

    A manifest with the section of its version (`spec:` in a v2alpha Worker, even beside a stray
    `worker:`) keeps its body there; one with another version's section keeps it there (a `v1beta`
    Worker written with `spec:` is one mistake, and its body is still read); with neither, the
    section its version should have.
    """
    documented = _DOCUMENTED.get((kind, version))
    if documented is not None and documented in data:
        return documented
    for key in (kind, SPEC, version):
        if key and key in data:
            return key
    return documented or (SPEC if version == "v2alpha" or not kind else kind)


class Resource(NamedTuple):
    """A resource mapping: a whole document, or a resource inlined in a Bundle.

    ``prefix`` is where the resource sits in its document (``()`` for a whole
    document, ``("bundle", "resources", 2, "spec")`` for an inline one); paths
    that checks yield are relative to the resource and the engine prefixes them.
    """

    data: dict[str, Any]
    node: Node
    prefix: JsonPath
    kind: str
    version: str | None
    text: str
    #: apply-time variables being substituted (`--var`), None when `${VARS}` stay as written
    variables: dict[str, str] | None = None

    @property
    def body_key(self) -> str:
        """The section holding the resource's body (see :func:`body_key`)."""
        documented = _DOCUMENTED.get((self.kind, self.version))  # the checks ask often: the common case first
        if documented is not None and documented in self.data:
            return documented
        return body_key(self.data, self.kind, self.version)

    @property
    def body(self) -> dict[str, Any] | None:
        value = self.data.get(self.body_key)
        return value if isinstance(value, dict) else None

    def get(self, *path: str | int, default: Any = None) -> Any:
        value = positions.value_at(self.data, path)
        return default if value is None else value

    def mapping(self, *path: str | int) -> dict[str, Any] | None:
        value = positions.value_at(self.data, path)
        return value if isinstance(value, dict) else None

    def node_at(self, *path: str | int) -> Node | None:
        _, node, depth = positions.find(self.node, path)
        return node if depth == len(path) else None

    def scalar_text(self, *path: str | int) -> str | None:
        """The scalar as written (``0.5``, ``128e6``), before YAML typed it; None for collections.

        With apply-time variables given, it is the text after substitution, as
        the platform will read it.
        """
        node = self.node_at(*path)
        if not isinstance(node, ScalarNode):
            return None
        return self.read_scalar(node)

    def read_scalar(self, node: ScalarNode) -> str:
        """A scalar node of this resource as :meth:`scalar_text` reads it, for a caller that holds the node."""
        if self.variables is not None and "$" in node.value:
            from worker_lint.dataos.templating import substitute

            return str(substitute(node.value, self.variables)[0])
        return str(node.value)


class Recognised(NamedTuple):
    """A document taken for a DataOS resource: the type it is checked as, and its version."""

    kind: str
    version: str | None

    def body_key(self, data: Mapping[str, Any]) -> str:
        """The section holding the body of ``data``, the document recognised (see :func:`body_key`)."""
        return body_key(data, self.kind, self.version)


def classify(data: Any) -> Recognised | None:
    """``(type, version)`` when ``data`` is a DataOS resource, None for any other YAML.

    This is the one decision of what a DataOS resource is; every caller (the
    engine, Bundle `file:` and inline items, the run's survey of Stack
    definitions and Bundles) makes it here, from parsed data, or from
    :func:`scan_text`'s tolerant reading of text that does not parse.

    A document is a resource when it is a mapping and either

    - its `type` names a DataOS resource type and it has a `version` or a
      `name` (the historical rule: a `type: worker` line is enough), or
    - it has the shape of one: a top-level `name` and a `version` of the
      DataOS form (`v1`, `v1beta`, `v2alpha`, `v1beta1`), and a `type` close to
      a known type (`Worker`, `workers`, `wroker`) or, with `type` missing or
      unknown, a body section named after a known type (`worker:`, `bundle:`).

    The type checked is the known one; the engine reports the written `type`
    as wrong or missing.  A Kubernetes object (`apiVersion`, `kind`), a CI
    workflow or a compose file has neither shape, so the hook can run on
    every YAML file of a repository and stays silent on theirs.
    """
    if not isinstance(data, dict):
        return None
    declared = data.get("type")
    version = data.get("version")
    version = version if isinstance(version, str) else None
    if isinstance(declared, str) and declared in RESOURCE_TYPES:
        if "version" not in data and "name" not in data:
            return None
        if declared in _COMMON_WORDS and (version is None or not VERSION_SHAPE.fullmatch(version.strip())):
            return None  # `type: data` is common in other YAML: a Data Product spec has a DataOS version too
        return Recognised(declared, version)
    if "name" not in data or version is None or not VERSION_SHAPE.fullmatch(version.strip()):
        return None
    guess = close_type(declared) if isinstance(declared, str) else None
    if guess is None:
        guess = body_type(data)
    if guess is None and declared is None and isinstance(data.get(SPEC), dict):
        guess = ""  # a v2-era body without a `type`: only the meta section can be checked
    if guess is None:
        return None
    return Recognised(guess, version)


def close_type(written: str) -> str | None:
    """The resource type a misspelt or mis-cased `type` value means (`Worker`, `workers`), or None."""
    value = written.strip()
    if not value or len(value) > 40:
        return None
    if value.lower() in RESOURCE_TYPES:
        return value.lower()
    from worker_lint.dataos.schema import suggest  # a misspelling is rare: only then is the matcher loaded

    return suggest(value, sorted(RESOURCE_TYPES))


def body_type(data: dict[str, Any]) -> str | None:
    """The type the body sections name (`worker:` means a Worker), when exactly one known type has one."""
    found = [key for key, value in data.items() if key in _NAMED_BODIES and isinstance(value, dict)]
    return found[0] if len(found) == 1 else None


# --- what text that may not parse says ---------------------------------------------------------------

#: a `key: value` line of a block mapping or a flow mapping's entry, keys quoted or not
_KEY_LINE = lazy_re.compile(
    r"""^(?P<indent>[ \t]*)(?P<flow>[{,][ \t]*)?(?P<q>["']?)(?P<key>[A-Za-z_][\w.-]*)(?P=q)[ \t]*:(?:[ \t]+(?P<value>.*?))?[ \t]*$"""
)
_PLAIN_VALUE = lazy_re.compile(r"[A-Za-z0-9_.+-]+")
#: the keys whose values decide what a document is
_DECIDING = frozenset({"type", "version", SPEC, *RESOURCE_TYPES})
_DOC_START = lazy_re.compile(r"^---(?:[ \t]|$)")


def scan_text(text: str) -> list[dict[str, Any]]:
    """Top-level keys of each document, read line by line, tolerating anything that does not parse.

    Per document, its top-level keys and their values as written (a body section's value is ``{}``).

    Used where a parse is not available: a file with a YAML syntax error (is it
    a broken manifest, to be reported, or some other broken YAML file, to be
    left alone?) and the run's survey, which must know the Bundles and Stack
    definitions among all files before linting any.  Keys are taken at the
    smallest indentation of each document, so JSON-style files (`{"type":
    "worker", ...}` with indented keys), quoted keys and `type :` count too.
    """
    documents: list[dict[str, Any]] = []
    for chunk in _documents(text.lstrip("\ufeff")):
        lines = chunk.split("\n")
        keyed: list[tuple[int, str, str | None]] = []
        for line in lines:
            stripped = line.lstrip(" \t")
            if not stripped or stripped.startswith("#") or stripped.startswith("%"):
                continue
            if stripped.startswith("..."):
                continue
            for entry in _entries(line):
                match = _KEY_LINE.match(entry)
                if match is not None:
                    keyed.append((len(match.group("indent")), match.group("key"), match.group("value")))
        if not keyed:
            continue
        top = min(indent for indent, _, _ in keyed)
        doc: dict[str, Any] = {}
        for indent, key, value in keyed:
            if indent != top or key in doc:
                continue
            cleaned = _clean(value)
            doc[key] = {} if cleaned == "" else cleaned
        documents.append(doc)
    return documents


def _documents(text: str) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if _DOC_START.match(line):
            chunks.append("\n".join(current))
            rest = line[3:].strip()
            current = [rest] if rest and not rest.startswith("#") else []
            continue
        current.append(line)
    chunks.append("\n".join(current))
    return chunks


def _entries(line: str) -> list[str]:
    """A flow mapping on one line (`{"type": "worker", "name": "x"}`) split into its entries."""
    stripped = line.strip()
    if stripped.startswith("{") and "," in stripped:
        return [part.strip().lstrip("{").strip() for part in stripped.rstrip("}").split(",")]
    if stripped.startswith("{"):
        return [stripped.lstrip("{").rstrip("}").strip()]
    return [line.rstrip(",").rstrip("\r")]


def _clean(value: str | None) -> Any:
    """A value as written, without a comment, a tag, quotes or a trailing comma."""
    if value is None:
        return ""
    text = value.strip()
    if text.startswith(("{", "[")):
        return {}  # a flow collection: a body section, for the shape
    if text.startswith("!"):  # `!!str worker`
        text = text.split(None, 1)[1] if " " in text else ""
    if text and text[0] in "\"'":
        end = text.find(text[0], 1)
        return text[1:end] if end > 0 else text[1:]
    if " #" in text:
        text = text.split(" #", 1)[0]
    return text.rstrip(",").rstrip("}").strip()


#: a key at column 0 (a top-level key of a block mapping) and its value on the same line
_TOP_KEY = lazy_re.compile(r"^(?P<key>[A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(?P<value>[^\n]*?))?[ \t]*$", re.MULTILINE)
#: what only a parse reads right at column 0: flow collections, explicit keys, quoted keys, tags, anchors, aliases
_ODD_TOP = lazy_re.compile(r"^[{\[?\"'!&*]", re.MULTILINE)
_DOC_SPLIT = lazy_re.compile(r"^---(?=[ \t\n]|$)", re.MULTILINE)


def _scan_block(text: str) -> list[dict[str, Any]] | None:
    """:func:`scan_text` for the common case, in a few regular-expression passes; None when it cannot be sure.

    Sure means every document is a block mapping at column 0 whose first line
    is a key, so the column-0 keys are exactly its top-level keys, and the
    values deciding what it is are plain words.
    """
    text = text.lstrip("\ufeff")
    if _ODD_TOP.search(text):
        return None
    documents: list[dict[str, Any]] = []
    for chunk in _DOC_SPLIT.split(text):
        doc: dict[str, Any] = {}
        for match in _TOP_KEY.finditer(chunk):
            if not doc and not _only_comments(chunk[: match.start()]):
                return None  # content before the first key: an indented or non-mapping document
            key, value = match.group("key"), (match.group("value") or "").split(" #", 1)[0].strip()
            if value[:1] in ("'", '"') and (len(value) < 2 or value[-1] != value[0]):
                return None  # a quoted value running over lines may hide anything
            if key in _DECIDING and value and not _PLAIN_VALUE.fullmatch(value):
                return None
            doc.setdefault(key, {} if not value or value.startswith("#") else value)
        if not doc and not _only_comments(chunk) and not chunk.lstrip().startswith("- "):
            return None  # not a top-level list either: only a parse knows what it is
        if doc:
            documents.append(doc)
    return documents


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith(("#", "%", "...")) for line in text.split("\n"))


def looks_like_dataos(text: str) -> bool:
    """Whether a file that does not parse is a DataOS manifest, so its syntax errors are reported.

    A document :func:`classify` recognises is enough, and so is a top-level `type` naming a DataOS
    resource type on its own (`type: worker`): a file that says what it is gets its syntax errors.  So
    is a fragment whose only top-level key is a body section named after a type (`operator:` and
    its body, indented with tabs the platform's parser refuses): its keys say what it is.
    """
    return any(_says_dataos(doc) for doc in scan_text(text))


def _says_dataos(doc: dict[str, Any]) -> bool:
    if classify(doc) is not None:
        return True
    declared = doc.get("type")
    if isinstance(declared, str) and declared in DATAOS_TYPES:
        return True
    if len(doc) != 1:
        return False
    ((key, value),) = doc.items()
    return key in _NAMED_BODIES and value == {}  # a section, not a scalar that happens to be named so


def _stem(kind: str) -> str:
    """The shortest start (three letters or more) of a type's name that starts no other type's name.

    A misspelt body section or `type` (`Bundel`, `stacks`, `workflows`) still starts with it.
    """
    for size in range(3, len(kind)):
        if not any(other != kind and other.startswith(kind[:size]) for other in RESOURCE_TYPES):
            return kind[:size]
    return kind


@functools.cache
def _may_hold(kinds: frozenset[str]) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
    """Where a document of one of ``kinds`` shows itself: a top-level body section or a `type` starting
    like one of their names (however misspelt, the stem names it), or a line a block scan cannot read
    (flow or JSON style, a quoted key); a text with none of these holds none of them.
    """
    stems = "|".join(sorted(re.escape(_stem(kind)) for kind in kinds))
    line = rf"(?:[{{\[\"']|(?:{stems})|[ \t]*type[ \t]*:[^\n]*(?:{stems}))"
    # bytes are searched lower-cased after a line break (``_may_hold_bytes``): the same lines, three
    # times as fast as a case-insensitive search of every line start, and the survey reads every file
    return re.compile(rf"(?im)^{line}"), re.compile(rf"\n{line}".encode("ascii"))


def _may_hold_bytes(pattern: re.Pattern[bytes], data: bytes) -> bool:
    return pattern.search(b"\n" + data.lower()) is not None  # ASCII case folding, as `(?i)` does for bytes


#: what the run must know of every file before linting any: which hold a Stack definition (it changes
#: other files' results), and which a Bundle or a Data Product spec (its result depends on the files it names)
SURVEYED = frozenset({"bundle", "data", "stack"})


def file_kinds(data: str | bytes, wanted: frozenset[str] = SURVEYED) -> set[str]:
    """Which of the ``wanted`` resource types are among a file's documents, as the engine will take them.

    The run's survey asks it of every file (does it hold a Bundle, a Stack
    definition?), and the language server of every edit (does it hold a Bundle
    or a Workflow, whose ids and steps completion offers?).  A file that cannot
    hold one of them is not looked at; a file the tolerant scan reads with
    certainty (plain block mappings, plain `type` values: nearly every
    manifest) is not parsed for that; any other file is parsed, and the parsed
    documents decide, with the scan's reading added for the part of a file
    past a syntax error.
    """
    text_pattern, bytes_pattern = _may_hold(wanted)
    if isinstance(data, str):
        return _kinds_in(data) & wanted if text_pattern.search(data) else set()
    if b"\x00" not in data and not _may_hold_bytes(bytes_pattern, data):  # UTF-16 and -32 hold NULs
        return set()
    from worker_lint.document.source import decode

    text = decode(data).text
    if text is None:
        return set()  # not text: its result is the encoding error, whatever it mentions
    return _kinds_in(text) & wanted


def _kinds_in(text: str) -> set[str]:
    block = _scan_block(text)
    if block is not None:
        return {kind.kind for kind in map(classify, block) if kind is not None}
    from worker_lint.document.parse import parse

    parsed = parse(text)
    kinds = {
        kind.kind for kind in (classify(doc.data) for doc in parsed.documents if not doc.truncated) if kind is not None
    }
    if parsed.findings or any(doc.truncated for doc in parsed.documents):
        kinds.update(kind.kind for kind in map(classify, scan_text(text)) if kind is not None)
    return kinds
