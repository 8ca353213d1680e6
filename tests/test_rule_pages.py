"""Every rule page's examples are tests: the diagnostics of the page's rule must be exactly the marked ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from linting import lint_paths

from worker_lint import catalogue
from worker_lint.core.settings import Settings

RULES = Path(__file__).resolve().parents[1] / "rules"
_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"#\s*(error|warning|info):\s*(WL\d{3}(?:\s*,\s*WL\d{3})*)\s*$")


def _pages() -> list[Path]:
    return sorted(RULES.glob("WL*.md"))


def _examples(page: Path) -> list[tuple[str, dict[str, str], str, str | None]]:
    """(section, auxiliary files, example text, config) for each linted block of a page."""
    text = page.read_text(encoding="utf-8")
    out = []
    aux: dict[str, str] = {}
    config: str | None = None
    for match in _FENCE.finditer(text):
        info = match["info"].strip().split()
        if not info or info[0] != "yaml":
            continue
        attrs = dict(a.split("=", 1) for a in info[1:] if "=" in a)
        if "config" in info[1:]:
            config = match["body"]
            continue
        if "file" in attrs:
            aux[attrs["file"]] = match["body"]
            continue
        section = text.rfind("\n## ", 0, match.start())
        heading = text[section : text.find("\n", section + 1)].strip("# \n") if section != -1 else ""
        out.append((heading, dict(aux), match["body"], config))
        aux = {}
    return out


def _expected(body: str) -> set[tuple[int, str, str]]:
    found = set()
    for number, line in enumerate(body.split("\n"), start=1):
        marker = _MARKER.search(line)
        if marker:
            for code in marker[2].split(","):
                found.add((number, marker[1], code.strip()))
    return found


CASES = [
    pytest.param(page, i, id=f"{page.stem.split('-')[0]}-{i}") for page in _pages() for i in range(len(_examples(page)))
]


def test_catalogue_pages_are_valid():
    assert catalogue.validate_pages() == []


def test_every_page_triggers_and_has_a_clean_example():
    for page in _pages():
        rule = catalogue.rules()[page.name.split("-")[0]]
        examples = _examples(page)
        if "untestable:" in page.read_text(encoding="utf-8").split("\n---\n", 1)[0]:
            assert not examples, f"{page.name} is marked untestable but has examples"
            continue
        marked = [e for e in examples if any(code == rule.code for _, _, code in _expected(e[2]))]
        clean = [e for e in examples if not _expected(e[2])]
        assert marked, f"{page.name} has no example marked with {rule.code}"
        assert clean, f"{page.name} has no clean example"


@pytest.mark.parametrize(("page", "index"), CASES)
def test_rule_page_example(page: Path, index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    code = page.name.split("-")[0]
    _heading, aux, body, config = _examples(page)[index]
    for name, content in aux.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    example = tmp_path / "example.yaml"
    example.write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    if config is not None:
        from worker_lint import config as config_module

        (tmp_path / ".worker-lint.yaml").write_text(config, encoding="utf-8")
        settings = config_module.load_settings(tmp_path, None, False, {})
    expected = _expected(body)
    found = {
        (d.span.line, d.severity.value, d.code)
        for shown, diagnostics in lint_paths(["example.yaml"], settings)
        if shown == "example.yaml"
        for d in diagnostics
        if d.code == code or any(d.code == c and d.span.line == line for line, _, c in expected)
    }
    assert found == expected


# -- "Fix" sections: a `fix=before` block, fixed, is exactly the `fix=after` block that follows it

_FIX_FENCE = re.compile(
    r"^```yaml (?P<attrs>[^\n]*\bfix=(?:before|after)\b[^\n]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL
)
_MARKER_COMMENT = re.compile(r"[ \t]*#\s*(error|warning|info):\s*WL\d{3}(?:\s*,\s*WL\d{3})*[ \t]*$", re.MULTILINE)


def _fix_examples(page: Path) -> list[tuple[str, str, str]]:
    """(applicability, before, after) for each pair of a page's Fix section; markers removed from `before`."""
    blocks = [
        (dict(a.split("=", 1) for a in m["attrs"].split() if "=" in a), m["body"])
        for m in _FIX_FENCE.finditer(page.read_text(encoding="utf-8"))
    ]
    pairs = []
    for (attrs, before), (after_attrs, after) in zip(blocks[::2], blocks[1::2]):
        assert attrs["fix"] == "before" and after_attrs["fix"] == "after", f"{page.name}: unpaired fix blocks"
        pairs.append((attrs["applicability"], _MARKER_COMMENT.sub("", before), after))
    return pairs


FIX_CASES = [
    pytest.param(page, i, id=f"{page.stem.split('-')[0]}-fix-{i}")
    for page in _pages()
    for i in range(len(_fix_examples(page)))
]


def test_every_page_has_a_fix_section():
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        assert "\n## Fix\n" in text, f"{page.name} has no Fix section"
        section = text.split("\n## Fix\n", 1)[1].split("\n## ", 1)[0]
        stated = re.match(r"\s*(Safe|Unsafe|Display-only|None)\b", section)
        assert stated, f"{page.name}: the Fix section must start with Safe, Unsafe, Display-only or None"
        assert (stated[1] == "None") == (not _fix_examples(page)), f"{page.name}: a fix needs a before/after example"


@pytest.mark.parametrize(("page", "index"), FIX_CASES)
def test_rule_page_fix_example(page: Path, index: int):
    from worker_lint.checks.context import Project
    from worker_lint.run.engine import check_text
    from worker_lint.run.fixing import apply_edits, fix_bytes

    code = page.name.split("-")[0]
    applicability, before, after = _fix_examples(page)[index]
    settings = Settings(fixable=(code,))
    diagnostics = [d for d in check_text(before, "example.yaml", settings).diagnostics if d.code == code]
    assert diagnostics, f"the before example reports no {code}"
    assert all(d.fixes and d.fixes[0].applicability == applicability for d in diagnostics), [
        (d.message, d.fixes) for d in diagnostics
    ]
    if applicability == "display-only":
        fixed = apply_edits(before, [e for d in diagnostics[:1] for e in d.fixes[0].edits])
    else:
        outcome = fix_bytes(before.encode(), "example.yaml", settings, Project(settings), unsafe=True)
        assert not outcome.failed and outcome.converged
        fixed = (outcome.fixed or before.encode()).decode()
        if applicability == "unsafe":  # and --fix alone leaves it
            assert fix_bytes(before.encode(), "example.yaml", settings, Project(settings), unsafe=False).fixed is None
    assert fixed == after


def test_editor_tags_are_declared_on_the_pages():
    tagged = {code: rule.tags for code, rule in catalogue.rules().items() if rule.tags}
    assert tagged == {"WL050": ("unnecessary",), "WL123": ("deprecated",), "WL127": ("deprecated",)}


def test_a_page_with_an_unknown_editor_tag_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    page = tmp_path / "rules" / "WL050-unused-suppression.md"
    page.parent.mkdir()
    original = (RULES / "WL050-unused-suppression.md").read_text(encoding="utf-8")
    page.write_text(original.replace("tags: [unnecessary]", "tags: [faded]"), encoding="utf-8")
    monkeypatch.setattr(catalogue, "data_dir", lambda name: tmp_path / name)
    problems = catalogue.validate_pages()
    assert len(problems) == 1 and problems[0].startswith("WL050-unused-suppression.md: 1 validation error")
    assert "tags.0" in problems[0]
