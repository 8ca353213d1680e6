"""WL413-WL415: every `file:` a Bundle names exists inside the project and is a DataOS manifest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from worker_lint.checks import check
from worker_lint.core.diagnostic import Finding
from worker_lint.dataos import bundle

if TYPE_CHECKING:
    from worker_lint.checks.context import Context
    from worker_lint.dataos.resource import Resource


@check("WL413", "WL414", "WL415", kinds={"bundle"})
def referenced_file(res: Resource, ctx: Context) -> Iterator[Finding]:
    pairs = list(bundle.file_values(res))
    if not pairs:
        return
    where = bundle.place(ctx.path, ctx.settings, ctx.project.roots)
    for item, value in pairs:
        path = item.path + ("file",)
        resolution = ctx.project.resolve(value, where)
        if resolution.found is None:
            yield _missing(resolution, where, path)
            continue
        ctx.project.refer(resolution.found, resolution.real)  # the run lints the file too, once
        loaded = ctx.project.read_referenced(resolution)
        if loaded.unreadable:
            continue  # the file's own lint run reports why it does not parse
        if loaded.documents == 0:
            yield Finding("WL415", path, f"`{value}` is empty; it holds no manifest to apply")
        elif not loaded.kinds:
            yield Finding(
                "WL415",
                path,
                f"`{value}` is not a DataOS resource manifest: no document in it has a"
                " `type` naming a DataOS resource and a `name` or `version`, nor a `name`, a DataOS"
                " `version` and a body section such as `worker:`",
            )


def _missing(resolution: bundle.Resolution, where: bundle.Place, path: tuple[str | int, ...]) -> Finding:
    value = resolution.value
    if resolution.outside is not None:
        root = bundle.shown(where.root)
        if resolution.via_symlink is not None:
            message = (
                f"`{value}` is a symlink to `{bundle.shown(resolution.via_symlink)}`, outside the project"
                f" root `{root}`; it was not followed or checked"
            )
        else:
            message = f"`{value}` is outside the project root `{root}`; it was not followed or checked"
        return Finding("WL414", path, message)
    if resolution.refused is not None:
        return Finding("WL413", path, f"`{value}` was not found: {resolution.refused}")
    if len(resolution.tried) == 1 and bundle.value_path(value).is_absolute():
        return Finding("WL413", path, f"`{value}` does not exist")
    # every folder looked from, named; a candidate several folders lead to is listed once with all their names
    labels = where.labels()
    raw = bundle.value_path(value)
    named: dict[Path, list[str]] = {}
    for base, label in labels:
        candidate = Path(os.path.normpath(base / raw))
        if label not in named.setdefault(candidate, []):
            named[candidate].append(label)
    names = bundle.shown_together(list(resolution.tried), where.root)
    places = [f"`{name}` ({', '.join(named.get(p, ['']))})" for name, p in zip(names, resolution.tried)]
    return Finding("WL413", path, f"`{value}` was not found; looked for {_joined(places)}")


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
