"""One DataOS resource as the schema pass and the checks see it."""
from __future__ import annotations

from typing import Any, NamedTuple

from ruamel.yaml.nodes import Node, ScalarNode

from worker_lint.document import positions
from worker_lint.core.diagnostic import JsonPath

#: Every resource type the DataOS documentation and CLI name.
DATAOS_TYPES = frozenset({
    "bundle", "cluster", "compute", "database", "dataplane", "depot", "grant", "instance-secret", "lakehouse",
    "lens", "monitor", "nilus", "operator", "pager", "policy", "resource", "secret", "service", "stack",
    "volume", "vulcan", "worker", "workflow",
})


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


def classify(data: Any) -> tuple[str, str | None] | None:
    """``(type, version)`` when ``data`` is a DataOS resource, None for any other YAML.

    A DataOS resource is a mapping whose `type` names a DataOS resource type
    and which also has `version` or `name`: a GitHub workflow, a Kubernetes
    object (`kind`, `apiVersion`) or a compose file never matches, so the hook
    can run on every YAML file of a repository.
    """
    if not isinstance(data, dict):
        return None
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in DATAOS_TYPES:
        return None
    if "version" not in data and "name" not in data:
        return None
    version = data.get("version")
    return kind, version if isinstance(version, str) else None
