"""One DataOS resource as the schema pass and the checks see it."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ruamel.yaml.nodes import Node, ScalarNode

from worker_lint.core import lazy_re
from worker_lint.core.diagnostic import JsonPath
from worker_lint.document import positions


class TypeInfo(NamedTuple):
    """What the documentation says of one resource type."""

    #: versions the docs and published manifests use; empty when the project does not model the type's versions
    versions: tuple[str, ...] = ()
    #: "workspace" or "instance" (dataos.info `docs/resources/bundle/index.md` callout), "" when undocumented
    level: str = ""


#: The one table of DataOS resource types (dataos.info `docs/resources/manifest_attributes.md`, the
#: `dataos-ctl` type list, the v2 docs and data-product-builder-skills).  Every other place that asks
#: "is this a DataOS resource" or "what level does it live at" reads it from here.
RESOURCE_TYPES: dict[str, TypeInfo] = {
    "bundle": TypeInfo(("v1alpha", "v1beta", "v2alpha"), "instance"),
    "cluster": TypeInfo((), "workspace"),
    "compute": TypeInfo((), "instance"),
    "database": TypeInfo((), "workspace"),
    "dataplane": TypeInfo(),
    "depot": TypeInfo((), "instance"),
    "grant": TypeInfo(),
    "instance-secret": TypeInfo((), "instance"),
    "lakehouse": TypeInfo((), "workspace"),
    "lens": TypeInfo(),
    "monitor": TypeInfo(),
    "nilus": TypeInfo(),
    "operator": TypeInfo(),
    "pager": TypeInfo(),
    "policy": TypeInfo((), "instance"),
    "resource": TypeInfo(),
    "secret": TypeInfo((), "workspace"),
    "service": TypeInfo((), "workspace"),
    "stack": TypeInfo((), "instance"),
    "volume": TypeInfo(),
    "vulcan": TypeInfo(),
    "worker": TypeInfo(("v1beta", "v2alpha"), "workspace"),
    "workflow": TypeInfo((), "workspace"),
}
DATAOS_TYPES = frozenset(RESOURCE_TYPES)
#: the shape every DataOS `version` has (`v1`, `v1beta`, `v1beta1`, `v2alpha`); the types the project does
#: not model may use any version of this shape
VERSION_SHAPE = lazy_re.compile(r"v[0-9]+(?:(?:alpha|beta)[0-9]*)?")
#: the body section of v2-era manifests, whatever their type
SPEC = "spec"


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
        """The section holding the resource's body: `worker:` in v1 manifests, `spec:` in v2alpha ones."""
        if self.kind in self.data and not (self.version == "v2alpha" and "spec" in self.data):
            return self.kind
        if "spec" in self.data:
            return "spec"
        return "spec" if self.version == "v2alpha" else self.kind

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
        if self.variables is not None and "$" in node.value:
            from worker_lint.dataos.templating import substitute

            return str(substitute(node.value, self.variables)[0])
        return str(node.value)


class Recognised(NamedTuple):
    """A document taken for a DataOS resource: the type it is checked as, and its version."""

    kind: str
    version: str | None


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
    found = [key for key, value in data.items() if key in RESOURCE_TYPES and isinstance(value, dict)]
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


class TextScan(NamedTuple):
    """What a look at a file's text, without parsing it, says of its documents."""

    #: per document, its top-level keys and their values as written (a body section's value is ``{}``)
    documents: list[dict[str, Any]]
    #: True when every document is a plain block mapping at column 0 whose deciding values are plain
    #: words (see ``_scan_block``): the scan then says what a parse would, and the run need not parse
    certain: bool


def scan_text(text: str) -> TextScan:
    """Top-level keys of each document, read line by line, tolerating anything that does not parse.

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
    return TextScan(documents, False)


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


def _scan_block(text: str) -> TextScan | None:
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
    return TextScan(documents, True)


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith(("#", "%", "...")) for line in text.split("\n"))


def looks_like_dataos(text: str) -> bool:
    """Whether a file that does not parse is a DataOS manifest, so its syntax errors are reported.

    A document :func:`classify` recognises is enough, and so is a top-level `type` naming a DataOS
    resource type on its own (`type: worker`): a file that says what it is gets its syntax errors.
    """
    documents = scan_text(text).documents
    return any(
        classify(doc) is not None or (isinstance(doc.get("type"), str) and doc["type"] in DATAOS_TYPES)
        for doc in documents
    )


#: where a Bundle or a Stack definition shows itself: a top-level `bundle:` or `stack:` body section or a
#: `type` naming it (however misspelt, `Bundel`, `stacks`, the one names it), or a line a block scan
#: cannot read (flow or JSON style, a quoted key); a file with none of these holds neither
_MAY_HOLD_BUNDLE_OR_STACK = lazy_re.compile(rb"(?im)^(?:[{\[\"']|bund|sta|[ \t]*type[ \t]*:[^\n]*(?:bund|sta))")


def file_kinds(data: bytes) -> set[str]:
    """The resource types among a file's documents, as the engine will take them, for the run's survey;
    a file that cannot hold a Bundle or a Stack definition is not looked at (an empty set).

    The run must know before linting which files hold a Stack definition (it
    changes other files' results) and which a Bundle (its result depends on the
    files it names, so it is never cached).  A file the tolerant scan reads with
    certainty (plain block mappings, plain `type` values: nearly every
    manifest) is not parsed for that; any other file is parsed, and the parsed
    documents decide, with the scan's reading added for the part of a file
    past a syntax error.
    """
    if b"\x00" not in data and not _MAY_HOLD_BUNDLE_OR_STACK.search(data):  # UTF-16 and -32 hold NULs
        return set()  # the run asks only whether a file holds a Bundle or a Stack definition
    from worker_lint.document.source import decode

    text = decode(data).text
    if text is None:
        return set()  # not text: its result is the encoding error, whatever it mentions
    block = _scan_block(text)
    if block is not None:
        return {kind.kind for kind in map(classify, block.documents) if kind is not None}
    scan = scan_text(text)
    from worker_lint.document.parse import parse

    parsed = parse(text)
    kinds = {
        kind.kind for kind in (classify(doc.data) for doc in parsed.documents if not doc.truncated) if kind is not None
    }
    if parsed.findings or any(doc.truncated for doc in parsed.documents):
        kinds.update(kind.kind for kind in map(classify, scan.documents) if kind is not None)
    return kinds
