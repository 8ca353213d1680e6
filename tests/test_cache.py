"""The result cache: exact round trips, misses on any change, unchanged files not read, recovery from damage."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker_lint import __version__
from worker_lint.core.diagnostic import Diagnostic, RelatedLocation, Severity, Span
from worker_lint.run.cache import DEFAULT_DIRNAME, ENV_DIR, FORMAT, ResultCache, dump, load, resolve_dir

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
    assert dump([DIAGS[2]]) == [
        {
            "path": "b.yaml",
            "span": [1, 1, 1, 2],
            "code": "WL001",
            "name": "yaml-syntax-error",
            "severity": "info",
            "message": "x",
            "json_path": [],
            "document": 0,
        }
    ]


def test_load_replaces_path() -> None:
    assert [d.path for d in load(dump(DIAGS), path="other.yaml")] == ["other.yaml"] * 3


@pytest.mark.parametrize(
    "bad",
    [
        [{"path": "x"}],
        [{**dump(DIAGS)[0], "span": [1, 2, 3]}],
        [{**dump(DIAGS)[0], "span": [1, "2", 3, 4]}],
        [{**dump(DIAGS)[0], "severity": "fatal"}],
        [{**dump(DIAGS)[0], "json_path": [["nested"]]}],
        ["not a dict"],
    ],
)
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


def lint_once(cache: ResultCache, path: Path, diagnostics: list[Diagnostic], stack: bool = False) -> str:
    """What a run does for a file the cache missed: stat, read, key, and record the result."""
    info = os.stat(path)
    key = cache.key(str(path), path.read_bytes())
    cache.put(str(path), info, key, stack, diagnostics)
    return key


def age(path: Path, seconds: float = 60) -> None:
    """Make a file look modified well before the cache is written (outside the racy window)."""
    past = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(past, past))


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "w.yaml"
    path.write_bytes(CONTENT)
    age(path)
    return path


def test_put_save_then_get_hits_with_equal_diagnostics(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    key = cache.key(str(manifest), CONTENT)
    assert cache.get(str(manifest), key) is None
    lint_once(cache, manifest, DIAGS)
    assert cache.get(str(manifest), key) == [d._replace(path=str(manifest)) for d in DIAGS]
    assert cache.save() is True
    # a later run with the same inputs reads the same result, with the file's own path
    assert make(tmp_path).get(str(manifest), key) == [d._replace(path=str(manifest)) for d in DIAGS]


def test_an_unchanged_file_is_answered_without_reading_it(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    key = lint_once(cache, manifest, DIAGS, stack=True)
    cache.save()
    entry = make(tmp_path).unchanged(str(manifest), os.stat(manifest))
    assert entry is not None and (entry.key, entry.stack) == (key, True)
    assert make(tmp_path).diagnostics(str(manifest), entry) == [d._replace(path=str(manifest)) for d in DIAGS]


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.write_bytes(CONTENT + b"# more\n"),  # new size
        lambda p: os.utime(p, ns=(os.stat(p).st_atime_ns, os.stat(p).st_mtime_ns + 1)),  # new time, same bytes
        lambda p: (p.unlink(), p.write_bytes(CONTENT), age(p)),  # replaced: a new inode
        lambda p: os.chmod(p, 0o200),  # made unreadable: a new change time
    ],
)
def test_any_change_of_size_times_or_inode_means_reading_the_file(tmp_path: Path, manifest: Path, change) -> None:
    keep = tmp_path / "keep"  # holds the old inode, so a replacement cannot reuse its number
    os.link(manifest, keep)
    time.sleep(0.01)  # the link changed the file's change time; let any later change show
    cache = make(tmp_path)
    key = lint_once(cache, manifest, DIAGS)
    cache.save()
    change(manifest)
    later = make(tmp_path)
    assert later.unchanged(str(manifest), os.stat(manifest)) is None
    os.chmod(manifest, 0o644)  # so that the rest can read it (a change time moves again, which is fine)
    same_bytes = manifest.read_bytes() == CONTENT
    # the content key still decides: equal bytes hit, other bytes miss
    assert (later.get(str(manifest), later.key(str(manifest), manifest.read_bytes())) is not None) == same_bytes
    assert later.key(str(manifest), manifest.read_bytes()) == key or not same_bytes


def test_a_file_modified_just_before_the_cache_was_written_is_read_again(tmp_path: Path, manifest: Path) -> None:
    # Its time may not move with a change made within the file system's time granularity.
    os.utime(manifest)  # now
    cache = make(tmp_path)
    key = lint_once(cache, manifest, DIAGS)
    cache.save()
    later = make(tmp_path)
    assert later.unchanged(str(manifest), os.stat(manifest)) is None
    assert later.get(str(manifest), key) is not None  # still a hit once read and hashed


def test_empty_result_is_a_hit_not_a_miss(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    key = lint_once(cache, manifest, [])
    cache.save()
    assert make(tmp_path).get(str(manifest), key) == []


def test_changed_content_path_fingerprint_or_version_misses(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    key = lint_once(cache, manifest, DIAGS)
    cache.save()
    later = make(tmp_path)
    assert later.key(str(manifest), CONTENT + b"\n") != key
    assert later.key("other.yaml", CONTENT) != key  # per-file ignores make equal bytes differ by name
    assert later.get("other.yaml", key) is None
    assert make(tmp_path, fingerprint="cfg-2").get(str(manifest), key) is None
    assert make(tmp_path, version="1.2.4").get(str(manifest), key) is None
    assert later.get(str(manifest), key) is not None


def test_other_stack_definitions_drop_every_entry(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    assert cache.forget_unless("stacks-1") is False  # an empty cache knew no definitions yet
    key = lint_once(cache, manifest, DIAGS)
    cache.save()
    same = make(tmp_path)
    assert same.forget_unless("stacks-1") is True and same.get(str(manifest), key) is not None
    other = make(tmp_path)
    assert other.forget_unless("stacks-2") is False
    assert other.get(str(manifest), key) is None and other.unchanged(str(manifest), os.stat(manifest)) is None


def test_key_parts_cannot_run_into_each_other(tmp_path: Path) -> None:
    # "ab" + "c" and "a" + "bc" must give different keys: each part is length-prefixed
    assert ResultCache(tmp_path, "c", "ab").key("f", b"") != ResultCache(tmp_path, "bc", "a").key("f", b"")
    assert ResultCache(tmp_path, "", "v").key("f", b"x") != ResultCache(tmp_path, "x", "v").key("f", b"")
    assert ResultCache(tmp_path, "c", "v").key("ab", b"c") != ResultCache(tmp_path, "c", "v").key("a", b"bc")


def test_key_is_a_256_bit_hex_digest_and_stable(tmp_path: Path) -> None:
    k = make(tmp_path).key("w.yaml", CONTENT)
    assert len(k) == 64 and int(k, 16) >= 0
    assert k == make(tmp_path / "elsewhere").key("w.yaml", CONTENT)


def test_another_shellcheck_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # shellcheck's findings are in the results: a new shellcheck, or its arrival, must not be served old ones
    from worker_lint.dataos import shellcheck

    fake = tmp_path / "shellcheck"
    fake.write_bytes(b"#!/bin/sh\n")
    monkeypatch.setattr(shellcheck, "binary", lambda: str(fake))
    first = make(tmp_path).key("w.yaml", CONTENT)
    assert make(tmp_path).key("w.yaml", CONTENT) == first
    fake.write_bytes(b"#!/bin/sh\n# a newer release\n")
    upgraded = make(tmp_path).key("w.yaml", CONTENT)
    monkeypatch.setattr(shellcheck, "binary", lambda: None)
    assert len({first, upgraded, make(tmp_path).key("w.yaml", CONTENT)}) == 3


def test_default_version_is_the_package_version(tmp_path: Path) -> None:
    assert ResultCache(tmp_path, "f").version == __version__


def results_file(tmp_path: Path) -> Path:
    (found,) = (tmp_path / "cache" / f"v{FORMAT}").glob("*.json")
    return found


def test_layout_markers_one_file_and_no_leftover_temporary_files(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    lint_once(cache, manifest, DIAGS)
    cache.save()
    lint_once(cache, manifest, DIAGS[:1])
    cache.save()  # overwriting is fine too
    root = tmp_path / "cache"
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert (root / ".gitignore").read_text().splitlines()[-1] == "*"
    document = json.loads(results_file(tmp_path).read_text())
    assert list(document["files"]) == [str(manifest)]
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [".gitignore", "CACHEDIR.TAG", results_file(tmp_path).relative_to(root).as_posix()]


def test_nothing_is_written_when_nothing_changed(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    lint_once(cache, manifest, DIAGS)
    cache.save()
    before = results_file(tmp_path).stat().st_mtime_ns
    again = make(tmp_path)
    lint_once(again, manifest, DIAGS)  # the same result for the same state
    os.utime(results_file(tmp_path), ns=(0, 0))
    assert again.save() is True
    assert results_file(tmp_path).stat().st_mtime_ns == 0 != before


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated mid-write by a crash
        lambda raw: b"",  # empty after a power loss
        lambda raw: b"\x00\xff garbage",  # not JSON at all
        lambda raw: b"[1, 2, 3]",  # JSON of the wrong shape
        lambda raw: raw.replace(b'"seed":"', b'"seed":"0'),  # written for another configuration
        lambda raw: raw.replace(b'"files":{', b'"files":{"x":[1],'),  # an entry of the wrong shape
        lambda raw: raw.replace(b'"written_ns":', b'"written_ns":"soon",' + b'"x":'),
    ],
)
def test_a_damaged_file_is_an_empty_cache_and_is_rebuilt(tmp_path: Path, manifest: Path, damage) -> None:
    cache = make(tmp_path)
    key = lint_once(cache, manifest, DIAGS)
    cache.save()
    results_file(tmp_path).write_bytes(damage(results_file(tmp_path).read_bytes()))
    later = make(tmp_path)
    assert later.get(str(manifest), key) is None
    lint_once(later, manifest, DIAGS)
    assert later.save() is True
    assert make(tmp_path).get(str(manifest), key) is not None


def test_damaged_diagnostics_are_a_miss(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    key = lint_once(cache, manifest, DIAGS)
    cache.save()
    raw = results_file(tmp_path).read_bytes()
    results_file(tmp_path).write_bytes(raw.replace(b'"severity":"warning"', b'"severity":"loud"'))
    assert make(tmp_path).get(str(manifest), key) is None


def test_disabled_cache_never_hits_and_writes_nothing(tmp_path: Path, manifest: Path) -> None:
    cache = ResultCache(None, "cfg")
    assert cache.enabled is False
    lint_once(cache, manifest, DIAGS)
    assert cache.save() is True
    assert cache.get(str(manifest), cache.key(str(manifest), CONTENT)) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.yaml"]


def test_unwritable_location_loses_the_results_silently(tmp_path: Path, manifest: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ResultCache(blocker / "cache", "cfg")
    key = lint_once(cache, manifest, DIAGS)
    assert cache.save() is False
    assert ResultCache(blocker / "cache", "cfg").get(str(manifest), key) is None


def test_clear_removes_results_but_keeps_markers(tmp_path: Path, manifest: Path) -> None:
    cache = make(tmp_path)
    key = lint_once(cache, manifest, DIAGS)
    cache.save()
    cache.clear()
    assert cache.get(str(manifest), key) is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [".gitignore", "CACHEDIR.TAG"]


def test_resolve_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DIR, raising=False)
    assert resolve_dir(tmp_path) == tmp_path / DEFAULT_DIRNAME
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "env"))
    assert resolve_dir(tmp_path) == tmp_path / "env"
    assert resolve_dir(tmp_path, tmp_path / "flag") == tmp_path / "flag"


def _writer(directory: str, manifest: str, rounds: int, marker: int) -> None:
    big = [DIAGS[1]] * 200 + [DIAGS[0]] * marker  # large enough that a torn write would show
    for _ in range(rounds):
        cache = ResultCache(directory, "cfg", "1")
        cache.put(manifest, os.stat(manifest), "k", False, big)
        cache.save()


def test_concurrent_runs_never_expose_a_partial_file(tmp_path: Path, manifest: Path) -> None:
    directory = str(tmp_path / "cache")
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(directory, str(manifest), 100, m)) for m in (1, 2)]
    for w in writers:
        w.start()
    seen = set()
    while any(w.is_alive() for w in writers):
        got = ResultCache(directory, "cfg", "1").get(str(manifest), "k")
        if got is not None:
            # every read is one whole file written by one of the runs
            assert got[:200] == [DIAGS[1]._replace(path=str(manifest))] * 200
            seen.add(len(got))
    for w in writers:
        w.join()
        assert w.exitcode == 0
    final = ResultCache(directory, "cfg", "1").get(str(manifest), "k")
    assert final is not None and len(final) in (201, 202)
    assert seen <= {201, 202}
    leftovers = [p.name for p in Path(directory).rglob("*.tmp")]
    assert leftovers == []


# ---------------------------------------------------------------- through the command line

BAD = CONTENT + b"worker:\n  replicas: 1\n"


def test_a_run_reads_only_the_files_that_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from worker_lint.core.settings import Settings
    from worker_lint.run import runner

    monkeypatch.chdir(tmp_path)
    names = [f"w{i}.yaml" for i in range(3)]
    for name in names:
        (tmp_path / name).write_bytes(BAD)
        age(tmp_path / name)
    read: list[str] = []
    real_read = runner.read_manifest
    monkeypatch.setattr(
        runner, "read_manifest", lambda path, size, within=None: read.append(str(path)) or real_read(path, size, within)
    )
    options = runner.Options(jobs=1, cache_dir=tmp_path / "cache")

    def lint() -> dict[str, list[str]]:
        read.clear()
        return {name: [d.code for d in result.diagnostics] for name, result in runner.run(names, Settings(), options)}

    first = lint()
    assert first == {name: ["WL101", "WL101"] for name in names}
    assert sorted(read) == sorted(names * 2)  # surveyed for its key, then linted
    assert lint() == first and read == []  # unchanged: answered without opening any file
    (tmp_path / "w1.yaml").write_bytes(BAD.replace(b"replicas: 1", b"replicas: a"))
    age(tmp_path / "w1.yaml", seconds=30)
    os.utime(tmp_path / "w2.yaml")  # touched, same bytes: read and hashed, then a hit
    assert lint() == {**first, "w1.yaml": ["WL101", "WL101", "WL103"]}
    assert sorted(read) == ["w1.yaml", "w1.yaml", "w2.yaml"]


def test_the_cache_key_follows_every_setting_even_one_added_later() -> None:
    # the fingerprint is derived from the fields: a new setting changes the key without being listed anywhere
    from dataclasses import field, make_dataclass

    from worker_lint.core.settings import Limits, Settings

    extended = make_dataclass("ExtendedSettings", [("new_setting", int, field(default=1))], bases=(Settings,))
    assert extended(new_setting=1).fingerprint() != extended(new_setting=2).fingerprint()
    # and every existing one, nested limits and mappings included, whatever their insertion order
    assert Settings(limits=Limits(max_nodes=5)).fingerprint() != Settings().fingerprint()
    assert Settings(exclude=("x",)).fingerprint() != Settings().fingerprint()
    assert Settings(variables={}).fingerprint() != Settings().fingerprint()
    assert (
        Settings(options={"WL1": {"a": 1, "b": 2}}).fingerprint()
        == Settings(options={"WL1": {"b": 2, "a": 1}}).fingerprint()
    )
