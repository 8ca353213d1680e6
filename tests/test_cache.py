"""The result cache: exact round trips, misses on any change, recovery from damaged entries."""
from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker_lint import __version__
from worker_lint.cache import DEFAULT_DIRNAME, ENV_DIR, FORMAT, ResultCache, dump, load, resolve_dir
from worker_lint.diagnostic import Diagnostic, RelatedLocation, Severity, Span

CONTENT = b"version: v1beta\nname: w\ntype: worker\n"

DIAGS = [
    Diagnostic(
        path="a/worker.yaml",
        span=Span(3, 5, 3, 9),
        code="WL201",
        name="autoscaling-with-fixed-replicas",
        severity=Severity.WARNING,
        message="`spec.replicas` is ignored while autoscaling is enabled — remove it",
        json_path=("spec", "replicas"),
        document=0,
    ),
    Diagnostic(
        path="a/worker.yaml",
        span=Span(12, 7, 13, 1),
        code="WL210",
        name="request-above-limit",
        severity=Severity.ERROR,
        message="cpu request 2 exceeds limit 1",
        json_path=("bundle", "resources", 2, "spec", "resources", "requests", "cpu"),
        document=3,
        related=(RelatedLocation(Span(15, 9, 15, 10), "the limit"), RelatedLocation(Span(1, 1, 1, 2), "ünïcode")),
        suppression_reason="tracked in OPS-12",
    ),
    Diagnostic("b.yaml", Span(1, 1, 1, 2), "WL001", "yaml-syntax-error", Severity.INFO, "x"),
]


def make(tmp_path: Path, fingerprint: str = "cfg-1", version: str = "1.2.3") -> ResultCache:
    return ResultCache(tmp_path / "cache", fingerprint, version)


def test_dump_load_round_trip_is_exact() -> None:
    data = dump(DIAGS)
    # JSON-able, and equal after a trip through JSON text
    restored = load(json.loads(json.dumps(data)))
    assert restored == DIAGS
    assert [type(d.severity) for d in restored] == [Severity, Severity, Severity]
    assert restored[1].json_path == ("bundle", "resources", 2, "spec", "resources", "requests", "cpu")
    assert type(restored[1].json_path[2]) is int
    assert restored[1].related == DIAGS[1].related


def test_dump_leaves_out_empty_optional_fields() -> None:
    assert dump([DIAGS[2]]) == [{
        "path": "b.yaml", "span": [1, 1, 1, 2], "code": "WL001", "name": "yaml-syntax-error",
        "severity": "info", "message": "x", "json_path": [], "document": 0,
    }]


def test_load_replaces_path() -> None:
    assert [d.path for d in load(dump(DIAGS), path="other.yaml")] == ["other.yaml"] * 3


@pytest.mark.parametrize("bad", [
    [{"path": "x"}],
    [{**dump(DIAGS)[0], "span": [1, 2, 3]}],
    [{**dump(DIAGS)[0], "span": [1, "2", 3, 4]}],
    [{**dump(DIAGS)[0], "severity": "fatal"}],
    [{**dump(DIAGS)[0], "json_path": [["nested"]]}],
    ["not a dict"],
])
def test_load_rejects_malformed_entries(bad: list) -> None:
    with pytest.raises(ValueError):
        load(bad)


_text = st.text(max_size=20)
_span = st.builds(Span, st.integers(1, 10**6), st.integers(1, 10**4), st.integers(1, 10**6), st.integers(1, 10**4))
_diag = st.builds(
    Diagnostic,
    path=_text,
    span=_span,
    code=st.from_regex(r"WL[0-9]{3}", fullmatch=True),
    name=_text,
    severity=st.sampled_from(list(Severity)),
    message=_text,
    json_path=st.lists(st.one_of(_text, st.integers(0, 10**6)), max_size=6).map(tuple),
    document=st.integers(0, 1000),
    related=st.lists(st.builds(RelatedLocation, _span, _text), max_size=3).map(tuple),
    suppression_reason=st.one_of(st.none(), _text),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_diag, max_size=5))
def test_round_trip_property(diags: list[Diagnostic]) -> None:
    assert load(json.loads(json.dumps(dump(diags)))) == diags


def test_put_then_get_hits_with_equal_diagnostics(tmp_path: Path) -> None:
    cache = make(tmp_path)
    assert cache.get(CONTENT) is None
    assert cache.put(CONTENT, DIAGS) is True
    assert cache.get(CONTENT) == DIAGS
    # a second instance with the same inputs reads the same entry
    assert make(tmp_path).get(CONTENT) == DIAGS
    assert make(tmp_path).get(CONTENT, path="moved.yaml") == [
        Diagnostic("moved.yaml", d.span, d.code, d.name, d.severity, d.message, d.json_path, d.document,
                   d.related, d.suppression_reason) for d in DIAGS]


def test_empty_result_is_a_hit_not_a_miss(tmp_path: Path) -> None:
    cache = make(tmp_path)
    cache.put(CONTENT, [])
    assert cache.get(CONTENT) == []


def test_changed_content_fingerprint_or_version_misses(tmp_path: Path) -> None:
    make(tmp_path).put(CONTENT, DIAGS)
    assert make(tmp_path).get(CONTENT + b"\n") is None
    assert make(tmp_path).get(CONTENT.replace(b"w\n", b"v\n")) is None
    assert make(tmp_path, fingerprint="cfg-2").get(CONTENT) is None
    assert make(tmp_path, version="1.2.4").get(CONTENT) is None
    assert make(tmp_path).get(CONTENT) == DIAGS


def test_key_parts_cannot_run_into_each_other(tmp_path: Path) -> None:
    # "ab" + "c" and "a" + "bc" must give different keys: each part is length-prefixed
    assert ResultCache(tmp_path, "c", "ab").key(b"") != ResultCache(tmp_path, "bc", "a").key(b"")
    assert ResultCache(tmp_path, "", "v").key(b"x") != ResultCache(tmp_path, "x", "v").key(b"")


def test_key_is_sha256_hex_and_stable(tmp_path: Path) -> None:
    k = make(tmp_path).key(CONTENT)
    assert len(k) == 64 and int(k, 16) >= 0
    assert k == make(tmp_path / "elsewhere").key(CONTENT)


def test_default_version_is_the_package_version(tmp_path: Path) -> None:
    assert ResultCache(tmp_path, "f").version == __version__


def test_layout_markers_and_no_leftover_temporary_files(tmp_path: Path) -> None:
    cache = make(tmp_path)
    cache.put(CONTENT, DIAGS)
    cache.put(CONTENT, DIAGS)  # overwriting an entry is fine too
    root = tmp_path / "cache"
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert (root / ".gitignore").read_text().splitlines()[-1] == "*"
    key = cache.key(CONTENT)
    entry = root / f"v{FORMAT}" / key[:2] / f"{key[2:]}.json"
    assert json.loads(entry.read_text())["key"] == key
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [".gitignore", "CACHEDIR.TAG", f"v{FORMAT}/{key[:2]}/{key[2:]}.json"]


@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],            # truncated mid-write by a crash
    lambda raw: b"",                             # empty after a power loss
    lambda raw: b"\x00\xff garbage",             # not JSON at all
    lambda raw: b"[1, 2, 3]",                    # JSON of the wrong shape
    lambda raw: raw.replace(b'"key":"', b'"key":"0'),  # an entry for another key
    lambda raw: raw.replace(b'"severity":"warning"', b'"severity":"loud"'),
    lambda raw: json.dumps({"key": json.loads(raw)["key"], "diagnostics": {"x": 1}}).encode(),
])
def test_damaged_entry_is_a_miss_and_is_rebuilt(tmp_path: Path, damage) -> None:
    cache = make(tmp_path)
    cache.put(CONTENT, DIAGS)
    key = cache.key(CONTENT)
    entry = tmp_path / "cache" / f"v{FORMAT}" / key[:2] / f"{key[2:]}.json"
    entry.write_bytes(damage(entry.read_bytes()))
    assert cache.get(CONTENT) is None
    assert cache.put(CONTENT, DIAGS) is True
    assert cache.get(CONTENT) == DIAGS


def test_disabled_cache_never_hits_and_writes_nothing(tmp_path: Path) -> None:
    cache = ResultCache(None, "cfg")
    assert cache.enabled is False
    assert cache.put(CONTENT, DIAGS) is False
    assert cache.get(CONTENT) is None
    assert list(tmp_path.iterdir()) == []


def test_unwritable_location_is_a_silent_miss(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ResultCache(blocker / "cache", "cfg")
    assert cache.put(CONTENT, DIAGS) is False
    assert cache.get(CONTENT) is None


def test_clear_removes_entries_but_keeps_markers(tmp_path: Path) -> None:
    cache = make(tmp_path)
    cache.put(CONTENT, DIAGS)
    cache.clear()
    assert cache.get(CONTENT) is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [".gitignore", "CACHEDIR.TAG"]


def test_resolve_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DIR, raising=False)
    assert resolve_dir(tmp_path) == tmp_path / DEFAULT_DIRNAME
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "env"))
    assert resolve_dir(tmp_path) == tmp_path / "env"
    assert resolve_dir(tmp_path, tmp_path / "flag") == tmp_path / "flag"


def _writer(directory: str, rounds: int, marker: int) -> None:
    cache = ResultCache(directory, "cfg", "1")
    big = [DIAGS[1]] * 200 + [DIAGS[0]] * marker  # large enough that a torn write would show
    for _ in range(rounds):
        cache.put(CONTENT, big)


def test_concurrent_writers_never_expose_a_partial_entry(tmp_path: Path) -> None:
    directory = str(tmp_path / "cache")
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(directory, 150, m)) for m in (1, 2)]
    for w in writers:
        w.start()
    reader = ResultCache(directory, "cfg", "1")
    seen = set()
    while any(w.is_alive() for w in writers):
        got = reader.get(CONTENT)
        if got is not None:
            # every read is one whole entry written by one of the writers
            assert got[:200] == [DIAGS[1]] * 200
            seen.add(len(got))
    for w in writers:
        w.join()
        assert w.exitcode == 0
    final = reader.get(CONTENT)
    assert final is not None and len(final) in (201, 202)
    assert seen <= {201, 202}
    leftovers = [p.name for p in Path(directory).rglob("*.tmp")]
    assert leftovers == []
