"""The rule catalogue, read from the front matter of the pages in ``rules/``, and the configuration's policies.

The pages are the single owner of rule metadata.  At run time only the front
matter is read (a few kilobytes); ``validate_pages`` checks every page against
the pydantic model, for the test suite.  A policy (``core.policy``) is a rule
the project declares in its configuration: the functions that take
``policies`` list them after the built-in rules, each with its own entry.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from worker_lint.core import lazy_re
from worker_lint.core.data import data_dir
from worker_lint.core.diagnostic import Severity

if TYPE_CHECKING:
    from worker_lint.core.policy import Policy  # only a configuration with policies imports it

_PAGE_NAME = lazy_re.compile(r"^(WL\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")


class Rule(NamedTuple):
    code: str
    name: str
    severity: Severity
    summary: str
    fix: str
    options: Mapping[str, dict[str, Any]] = MappingProxyType({})
    deprecated: bool = False
    page: Path | None = None
    #: how an editor shows the rule's diagnostics: `unnecessary` (greyed out), `deprecated` (struck through)
    tags: tuple[str, ...] = ()
    #: the policy this rule is, when the project's configuration declares it rather than worker-lint
    policy: Policy | None = None

    @property
    def body(self) -> str:
        """The page's Markdown without its front matter (the rule's full documentation)."""
        if self.policy is not None:
            return _policy_page(self.policy)
        if self.page is None:
            return ""
        return split_front_matter(self.page.read_text(encoding="utf-8"))[1]


def policy_rule(policy: Policy) -> Rule:
    """A policy as the catalogue lists a rule: its message is its summary."""
    return Rule(policy.code, policy.name, policy.severity, policy.message, "", policy=policy)


def _policy_page(policy: Policy) -> str:
    """What `worker-lint explain` prints for a policy: everything its configuration says."""
    from worker_lint.core.paths import relative

    title = policy.code if policy.name == policy.code else f"{policy.name} ({policy.code})"
    declared = f", declared in `{relative(policy.source, Path.cwd())}`" if policy.source else ""
    lines = [
        f"# {title}",
        "",
        f"A policy of this project{declared}.",
        "",
        f"- message: {policy.message}",
        f"- types: {', '.join(policy.types) if policy.types else 'every DataOS resource'}",
        f"- files: {', '.join(policy.files_written) if policy.files_written else 'every file'}",
    ]
    if policy.when is not None:
        lines.append(f"- when: `{policy.when}`")
    if policy.require is not None:
        lines.append(f"- require: `{policy.require}`")
    if policy.at is not None:
        lines.append(f"- at: {'.'.join(str(part) for part in policy.at)}")
    if policy.schema is not None:
        import json

        schema = json.dumps(json.loads(policy.schema), indent=2, ensure_ascii=False)
        lines += ["- schema:", "", "```json", schema, "```"]
    return "\n".join(lines) + "\n"


def split_front_matter(text: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        raise ValueError("a rule page starts with a `---` front matter block")
    end = text.find("\n---\n", 4)
    if end == -1:
        raise ValueError("the front matter block is not closed with `---`")
    return text[4 : end + 1], text[end + 5 :]


def _front_matter(path: Path) -> dict[str, Any]:
    from worker_lint.document.parse import parse

    head, _ = split_front_matter(path.read_text(encoding="utf-8"))
    parsed = parse(head)
    if parsed.findings or not parsed.documents or not isinstance(parsed.documents[0].data, dict):
        raise ValueError(f"{path.name}: the front matter is not a YAML mapping")
    data: dict[str, Any] = parsed.documents[0].data
    return data


@functools.cache
def _pages() -> dict[str, Path]:
    """Rule pages by code, from their file names (`WL101-missing-required-field.md`)."""
    return {page.name[:5]: page for page in sorted(data_dir("rules").glob("WL*.md"))}


@functools.cache
def _load(page: Path) -> Rule:
    meta = _front_matter(page)
    return Rule(
        code=meta["code"],
        name=meta["name"],
        severity=Severity(meta["severity"]),
        summary=meta.get("summary", ""),
        fix=meta.get("fix", ""),
        options=meta.get("options") or {},
        deprecated=bool(meta.get("deprecated", False)),
        page=page,
        tags=tuple(meta.get("tags") or ()),
    )


def codes(policies: Iterable[Policy] = ()) -> frozenset[str]:
    """Every rule code (and the policies'), without reading any page."""
    built_in = frozenset(_pages())
    return built_in.union(p.code for p in policies) if policies else built_in


def rules(policies: Iterable[Policy] = ()) -> dict[str, Rule]:
    """Every rule, by code; then the policies (a policy never has a built-in rule's code)."""
    found = {code: _load(page) for code, page in _pages().items()}
    for policy in policies:
        found.setdefault(policy.code, policy_rule(policy))
    return found


def rule(code: str, policies: Iterable[Policy] = ()) -> Rule:
    """The rule for ``code``, reading only its own page (a clean run reads none), or the policy with that code.

    An unknown code is a bug in a check; it is reported under the name `unknown-rule`.
    """
    page = _pages().get(code)
    if page is None:
        policy = next((p for p in policies if p.code == code), None)
        if policy is not None:
            return policy_rule(policy)
        return Rule(code, "unknown-rule", Severity.ERROR, "", "")
    return _load(page)


def find(code_or_name: str, policies: Iterable[Policy] = ()) -> Rule | None:
    """Look a rule or policy up by code (`WL101`, case-insensitive) or by name (`missing-required-field`)."""
    key = code_or_name.strip()
    every = rules(policies)
    by_code = every.get(key.upper())
    if by_code is not None:
        return by_code
    return next((r for r in every.values() if r.name == key.lower()), None)


def validate_pages() -> list[str]:
    """Problems with the rule pages, checked with the pydantic model (empty when all are sound)."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    class OptionMeta(BaseModel):
        model_config = ConfigDict(extra="forbid")
        type: str
        default: Any = None
        description: str

    class RuleMeta(BaseModel):
        model_config = ConfigDict(extra="forbid")
        code: str = Field(pattern=r"^WL\d{3}$")
        name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
        severity: Severity
        summary: str = Field(min_length=10)
        fix: str = Field(pattern=r"\.$")
        options: dict[str, OptionMeta] = {}
        deprecated: bool = False
        #: how an editor shows the rule's diagnostics (the language server's diagnostic tags)
        tags: list[Literal["unnecessary", "deprecated"]] = []
        #: why the page has no runnable example (byte-level or file-system conditions)
        untestable: str | None = None

    problems: list[str] = []
    for page in sorted(data_dir("rules").glob("*.md")):
        if page.name == "README.md":
            continue
        match = _PAGE_NAME.match(page.name)
        if match is None:
            problems.append(f"{page.name}: a page is named <code>-<name>.md")
            continue
        try:
            meta = RuleMeta.model_validate(_front_matter(page))
        except (ValueError, ValidationError) as exc:
            problems.append(f"{page.name}: {exc}")
            continue
        if (meta.code, meta.name) != match.groups():
            problems.append(f"{page.name}: front matter says {meta.code} {meta.name}")
    return problems
