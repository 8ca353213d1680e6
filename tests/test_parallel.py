"""The process pool gives exactly the single-process results, in input order, and falls back cleanly."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from conftest import SHARED, missing_shared

from worker_lint.document.parse import parse
from worker_lint.run import parallel
from worker_lint.run.parallel import AUTO_THRESHOLD, available_cpus, chunk_size, effective_jobs, map_files


def _summarise(text: str) -> tuple:
    """A per-file function with real work and a rich, comparable result."""
    result = parse(text)
    findings = list(result.findings)
    for doc in result.documents:
        findings.extend(getattr(doc, "findings", ()))  # per-document findings, where the parser keeps them apart
    return (
        [(d.index, d.truncated, d.data) for d in result.documents],
        sorted((f.span.line, f.span.column, f.code, f.path, f.message) for f in findings if f.span is not None),
    )


def _pid_of(_: object) -> int:
    return os.getpid()


def _fail_on_seven(i: int) -> int:
    if i == 7:
        raise KeyError("seven")
    return i * 2


def _die_in_worker(item: tuple[int, int]) -> int:
    parent, i = item
    if i == 40 and os.getpid() != parent:
        os._exit(3)  # a worker killed mid-run, as by the OOM killer
    return i * i


_INIT: list[str] = []


def _init(tag: str) -> None:
    _INIT.append(tag)


def _read_init(_: object) -> list[str]:
    return list(_INIT)


def _texts() -> list[str]:
    texts = []
    for i in range(120):
        texts.append(
            f"version: v1beta\nname: w{i}\ntype: worker\nworker:\n  replicas: {i % 4}\n"
            f"  tags: [a, {i}, yes, 010]\n"
            + ("dup: 1\ndup: 2\n" if i % 5 == 0 else "")
            + ("---\nname: second\nlist: [1, 2\n" if i % 7 == 0 else "")
        )
    return texts


def test_jobs_two_gives_identical_results_in_order() -> None:
    texts = _texts()
    single = list(map_files(_summarise, texts, jobs=1))
    double = list(map_files(_summarise, texts, jobs=2))
    assert double == single
    assert single == [_summarise(t) for t in texts]
    # the fixture really exercises findings: duplicate keys and syntax errors
    assert sum(1 for _, findings in single if any(f[2] == "WL002" for f in findings)) == 24
    assert sum(1 for _, findings in single if any(f[2] == "WL001" for f in findings)) == 18


def test_pool_really_runs_elsewhere() -> None:
    pids = list(map_files(_pid_of, range(64), jobs=2))
    assert len(pids) == 64
    assert os.getpid() not in pids


def test_jobs_one_runs_in_this_process() -> None:
    assert set(map_files(_pid_of, range(10), jobs=1)) == {os.getpid()}


def test_spawn_gives_identical_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("spawn"))
    texts = _texts()[:40]
    assert list(map_files(_summarise, texts, jobs=2)) == [_summarise(t) for t in texts]


def test_any_iterable_is_accepted() -> None:
    assert list(map_files(abs, (-i for i in range(50)), jobs=2)) == list(range(50))


def test_exception_in_func_propagates() -> None:
    for jobs in (1, 2):
        with pytest.raises(KeyError, match="seven"):
            list(map_files(_fail_on_seven, range(20), jobs=jobs))


def test_pool_that_cannot_start_falls_back_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoProcesses:
        def __getattr__(self, name: str):
            return getattr(multiprocessing.get_context("fork"), name)

        def Process(self, *args, **kwargs):
            raise OSError(38, "Function not implemented")

    monkeypatch.setattr(parallel, "_context", lambda: NoProcesses())
    assert list(map_files(_pid_of, range(30), jobs=2)) == [os.getpid()] * 30


def test_pool_without_semaphores_falls_back_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    def broken(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", broken)
    assert list(map_files(_summarise, _texts()[:10], jobs=2)) == [_summarise(t) for t in _texts()[:10]]


def test_worker_dying_midway_still_gives_every_other_result_in_order() -> None:
    # the item a worker died on is reported through on_crash, never retried in this process
    items = [(os.getpid(), i) for i in range(100)]
    assert list(map_files(_die_in_worker, items, jobs=2, on_crash=lambda item: -1)) == [
        -1 if i == 40 else i * i for i in range(100)
    ]


def test_initializer_runs_in_workers_and_in_process() -> None:
    _INIT.clear()
    assert list(map_files(_read_init, range(3), jobs=1, initializer=_init, initargs=("x",))) == [["x"]] * 3
    _INIT.clear()
    # with a pool, each worker ran the initializer once on its own copy
    assert list(map_files(_read_init, range(40), jobs=2, initializer=_init, initargs=("y",))) == [["y"]] * 40
    assert _INIT == []


def test_consumer_stopping_early_leaves_no_workers() -> None:
    gen = map_files(_pid_of, range(200), jobs=2)
    next(gen)
    gen.close()
    assert multiprocessing.active_children() == []


def test_effective_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "available_cpus", lambda: 2)
    assert effective_jobs("auto", 1) == 1
    assert effective_jobs("auto", AUTO_THRESHOLD - 1) == 1
    assert effective_jobs("auto", AUTO_THRESHOLD) == 2
    assert effective_jobs(None, 10_000) == 2
    assert effective_jobs(0, 10_000) == 2
    assert effective_jobs(4, 10_000) == 2  # never more processes than CPUs
    assert effective_jobs(300, 10_000) == 2
    assert effective_jobs(4, 3) == 2
    monkeypatch.setattr(parallel, "available_cpus", lambda: 8)
    assert effective_jobs(4, 10_000) == 4
    assert effective_jobs(300, 3) == 3
    assert effective_jobs(1, 10_000) == 1
    assert effective_jobs(3, 0) == 1
    for bad in (-1, "two", 1.5, True):
        with pytest.raises(ValueError):
            effective_jobs(bad, 10)  # type: ignore[arg-type]


def test_chunk_size() -> None:
    assert chunk_size(1, 2) == 1
    assert chunk_size(100, 2) == 6
    assert chunk_size(1000, 2) == 62
    assert chunk_size(10_000, 2) == 64


def test_available_cpus_is_positive_and_bounded() -> None:
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)


def test_corpus_manifests_identical_with_two_jobs() -> None:
    corpus = SHARED / "corpus" / "dataos"
    if not corpus.is_dir():
        missing_shared("../shared corpus not available")
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.y*ml"))]
    assert len(texts) == 90
    assert list(map_files(_summarise, texts, jobs=2)) == [_summarise(t) for t in texts]


def test_a_consumer_that_takes_every_result_and_asks_no_more_leaves_no_workers() -> None:
    # a consumer that counts its results never asks for one more: the pool must end with the last
    gen = map_files(_pid_of, range(200), jobs=2)
    pids = [next(gen) for _ in range(200)]
    assert os.getpid() not in pids
    assert multiprocessing.active_children() == []
