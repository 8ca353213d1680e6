"""A Data Product's references to resources (`ref: bundle:v1beta:<name>`), and the project's manifests they name.

A Data Product spec names its Bundle, its Lens and other resources by
`<type>:<version>:<name>[:<workspace>]`; `dataos-ctl product apply` looks
them up on the platform.  When the named manifest is in the same project, a
look at the project's files tells whether the name and version agree: the
files are walked once per run and only their top-level `type`, `name` and
`version` are read (the tolerant scan the run's survey uses), never parsed
unless that scan cannot read them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from worker_lint.core.diagnostic import JsonPath
from worker_lint.dataos.resource import Resource, classify, scan_text

#: the types whose manifests a reference is resolved to (the ones a project holds and applies itself)
RESOLVED = frozenset({"bundle", "lens", "worker"})
_YAML_SUFFIXES = (".yaml", ".yml")
#: folders that hold no manifest of the project (dependencies, virtual environments, caches)
_SKIPPED = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})
#: at most this many names (files and folders) are looked at: a run from a huge tree (a home folder) stays quick,
#: and what lies past them is taken as not in the project (an info, never an error)
MAX_ENTRIES = 100_000


class Reference(NamedTuple):
    """A `ref` value naming a resource: `bundle:v1beta:sales-pipeline`, `lens:v1alpha:sales360:public`."""

    kind: str
    version: str
    name: str


class Manifest(NamedTuple):
    """One resource manifest of the project, as its top-level keys say."""

    path: Path
    kind: str
    name: str
    version: str | None


def parse_reference(value: Any) -> Reference | None:
    """The resource a `ref` names, when it names one of the :data:`RESOLVED` types (not a dataset)."""
    if not isinstance(value, str):
        return None
    parts = value.strip().split(":")
    if len(parts) not in (3, 4) or parts[0] not in RESOLVED or not all(parts[:3]):
        return None
    if any(mark in value for mark in ("${", "{{", "<", "$")):
        return None  # a template's placeholder: the placeholder rules report it, and nothing is resolved
    return Reference(parts[0], parts[1], parts[2])


def references(res: Resource) -> Iterator[tuple[JsonPath, str]]:
    """``(path, value)`` of every `ref` in a Data Product's section: its resource, inputs, outputs and Lens port."""
    data = res.mapping(res.body_key, "data")
    if data is None:
        return
    base: JsonPath = (res.body_key, "data")
    places: list[tuple[JsonPath, Any]] = [((*base, "resource"), data.get("resource"))]
    for key in ("inputs", "outputs"):
        listed = data.get(key)
        if isinstance(listed, list):
            places.extend(((*base, key, index), item) for index, item in enumerate(listed))
    ports = data.get("ports")
    lens = ports.get("lens") if isinstance(ports, dict) else None
    if isinstance(lens, list):  # the attribute's example writes a list, the manifest structure a mapping
        places.extend(((*base, "ports", "lens", index), item) for index, item in enumerate(lens))
    else:
        places.append(((*base, "ports", "lens"), lens))
    for path, item in places:
        if isinstance(item, dict) and isinstance(item.get("ref"), str):
            yield (*path, "ref"), item["ref"]


def project_manifests(root: Path, max_size: int, unsaved: Mapping[Path, bytes]) -> list[Manifest]:
    """Every Bundle, Lens and Worker manifest under ``root`` (an editor's open documents as typed)."""
    from worker_lint.document.reading import read_manifest
    from worker_lint.document.source import decode

    found: list[Manifest] = []
    for path in _yaml_files(root):
        data = unsaved.get(Path(os.path.realpath(path))) if unsaved else None
        if data is None:
            # a link leading out of the project is not read: its name and version would show in a message
            read = read_manifest(path, max_size, lambda: root)
            data = read if isinstance(read, bytes) else None
        if data is None or not any(kind.encode() in data for kind in RESOLVED):
            continue
        text = decode(data).text
        if text is not None:
            found.extend(_manifests_in(path, text))
    return found


def _manifests_in(path: Path, text: str) -> Iterator[Manifest]:
    for doc in scan_text(text):
        recognised = classify(doc)
        name = doc.get("name")
        if recognised is not None and recognised.kind in RESOLVED and isinstance(name, str) and name:
            yield Manifest(path, recognised.kind, name, recognised.version)


def _yaml_files(root: Path) -> Iterator[Path]:
    """YAML files under ``root``, hidden folders and dependency folders passed over, links to folders not followed."""
    seen = 0
    for folder, dirs, files in os.walk(root):
        seen += len(dirs) + len(files)
        if seen > MAX_ENTRIES:
            return
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED)
        for name in sorted(files):
            if name.endswith(_YAML_SUFFIXES) and not name.startswith("."):
                yield Path(folder, name)


def named(manifests: list[Manifest], ref: Reference) -> list[Manifest]:
    """The project's manifests of the type and name ``ref`` gives, whatever their version."""
    return [m for m in manifests if m.kind == ref.kind and m.name == ref.name]
