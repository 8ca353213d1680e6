"""A run's shell scripts, each read once by shellcheck, whichever of the run's processes lints the Worker
that runs it.

Starting shellcheck costs about what reading five small scripts does, and the
processes of a run meet the same scripts, so a run of many files shares a
private folder (``Run``), in memory where the system has one:

- a process that lints a file whose script nobody has read writes the script
  into the folder, named by its digest and dialect, and lints its other files
  meanwhile (``ask``);
- whoever reads a script first marks it taken, and writes shellcheck's findings
  beside it, where every process finds them (``known``, ``answers``): the
  process that needs the answers, which reads what nobody has taken rather
  than wait, or, when a CPU is left by the linting processes, the run's
  ``Reader``: a thread of the process that starts the others, told of each
  new script on a pipe in the folder, which reads them there as they come.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Collection, Iterator
from typing import NamedTuple

from worker_lint.dataos import shellcheck

#: in the folder: the Reader's pipe, and the mark it leaves when it stops
_PIPE = "requests"
_STOPPED = "stopped"
#: what a script's file name adds for the mark of the process reading it, for its answer, and for the output
#: of the shellcheck reading it
_TAKEN = ".taken"
_ANSWER = ".json"
_OUTPUT = ".out"
#: scripts the Reader gives one shellcheck at most: what is left stays for a process waiting to take it
_MOST = 8
#: scripts a process waiting for answers gives each of the shellchecks it starts side by side, at least
_FEWEST = 8
#: beyond shellcheck's own time limit, how long a process waits for another's answer before reading alone
_GRACE = 5
#: how often a process waiting for another's answer looks whether that one has given up (died)
_LOOK_AGAIN = 0.1

#: a folder in memory, where the system has one (Linux): a file is created there in microseconds, where on a
#: disk it can take a millisecond, and a run creates a few for each script (a TMPDIR set is preferred)
MEMORY = "/dev/shm"

#: the folders of this process's runs not closed yet: removed on the way out of a run cut short (``remove_left``)
_OPEN: set[str] = set()

#: the run's sharing, when this process has one (``share``)
_SHARING: Sharing | None = None
#: the Reader's pipe, opened for writing on the first request
_REQUESTS: int | None = None


class Sharing(NamedTuple):
    """What the processes of a run are told of its scripts' sharing: the folder, how many processes lint,
    and whether a ``Reader`` thread takes scripts as they are asked for."""

    folder: str
    workers: int
    reader: bool


def share(sharing: Sharing | None) -> None:
    """Have this process share the scripts it reads with the run's other processes (None: stop)."""
    global _SHARING, _REQUESTS
    if _REQUESTS is not None:
        with contextlib.suppress(OSError):
            os.close(_REQUESTS)
    _SHARING, _REQUESTS = sharing, None


def known(script: str, dialect: str) -> bool:
    """Whether ``shellcheck.check`` answers at once: this process, or another, has had the script read."""
    key = shellcheck.script_key(script, dialect)
    return shellcheck.answered(key) or _load(key)


def ask(script: str, dialect: str) -> None:
    """Have ``script`` read for the run, unless a process of the run has asked already; ``answers`` tells
    when it is read.  Without a folder to share, it is read here and now."""
    key = shellcheck.script_key(script, dialect)
    if shellcheck.answered(key):
        return
    if _SHARING is None or len(script) > shellcheck.MAX_SCRIPT:
        shellcheck.remember(key, shellcheck.read_alone(script, dialect))
        return
    name = _name(key)
    path = os.path.join(_SHARING.folder, name)
    try:
        created = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # asked by another process: its answer is awaited
    except OSError:  # the folder is gone
        shellcheck.remember(key, shellcheck.read_alone(script, dialect))
        return
    try:
        with open(created, "wb") as out:
            out.write(script.encode("utf-8", "surrogatepass"))
    except OSError:  # a full disk: nobody is to read half a script
        with contextlib.suppress(OSError):
            os.unlink(path)
        shellcheck.remember(key, shellcheck.read_alone(script, dialect))
        return
    if _SHARING.reader:
        _tell(name)


def answers(scripts: Collection[tuple[str, str]]) -> Iterator[set[tuple[str, str]]]:
    """The ``(dialect, script)`` pairs asked for, yielded in sets as their answers come, until all have
    (``shellcheck.check`` then answers each at once).

    What nobody has taken is read here, while the caller goes on with what is
    answered; what another process reads is looked for in the folder, and
    taken again if that process gives it up.  A script still unanswered when
    nobody is left to answer it, or beyond shellcheck's time limit and a
    grace, is read here alone.
    """
    missing = {shellcheck.script_key(script, dialect): (dialect, script) for dialect, script in scripts}
    readings = [
        _Reading(share, dialect)
        for dialect, paths in _take([_name(key) for key in missing]).items()
        for share in _shares(paths)
    ]
    ours = {os.path.basename(path) for reading in readings for path in reading.paths}  # what this process reads
    deadline = time.monotonic() + shellcheck.TIMEOUT + _GRACE
    next_look = time.monotonic() + _LOOK_AGAIN
    pause = 0.0005
    while missing:
        for reading in [r for r in readings if r.ended()]:
            for name, comments in reading.finish().items():
                shellcheck.remember(_key(name), comments)
            readings.remove(reading)
        done = {key for key in missing if shellcheck.answered(key) or (_name(key) not in ours and _load(key))}
        if done:
            yield {missing.pop(key) for key in done}
            pause = 0.0005
            continue
        if readings and all(_name(key) in ours for key in missing):
            readings[0].wait()  # nothing to look for in the folder: only this process's shellcheck to wait for
            continue
        if not readings and (time.monotonic() > deadline or _stopped()):
            break
        if _SHARING is not None and time.monotonic() > next_look:  # what another process will never answer
            again = _take(_given_up([_name(key) for key in missing if _name(key) not in ours]))
            for dialect, paths in again.items():
                readings.extend(_Reading(share, dialect) for share in _shares(paths))
                ours.update(os.path.basename(path) for path in paths)
            next_look = time.monotonic() + _LOOK_AGAIN
        time.sleep(pause)
        pause = min(2 * pause, 0.002)
    for key, (dialect, script) in missing.items():
        if not _load(key):  # answered at the last moment, else alone
            shellcheck.remember(key, shellcheck.read_alone(script, dialect))
    if missing:
        yield set(missing.values())


class Run:
    """One run's sharing of its scripts: a private temporary folder (removed by ``close``) and, when a CPU
    is left by the ``workers`` that lint, a ``Reader`` thread that reads scripts as they are asked for."""

    def __init__(self, workers: int) -> None:
        from worker_lint.core.cpus import available_cpus

        self.folder = _private_folder()
        _OPEN.add(self.folder)
        self._reader: _Reader | None = None
        if available_cpus() > workers:
            try:
                self._reader = _Reader(self.folder)
            except (OSError, AttributeError):  # no named pipes (Windows): the processes read what they ask
                self._reader = None
        self.sharing = Sharing(self.folder, workers, self._reader is not None)

    def start(self) -> None:
        """Start the Reader: to be called once the run's processes are started (a process that runs a
        thread is not forked)."""
        if self._reader is not None:
            self._reader.start()

    def close(self) -> None:
        """Stop the Reader and the shellcheck it runs, and remove the folder."""
        if self._reader is not None:
            self._reader.close()
        if _SHARING is not None and _SHARING.folder == self.folder:  # this process linted too
            share(None)
        _remove(self.folder)
        _OPEN.discard(self.folder)


def remove_left() -> None:
    """Remove the folders of runs that did not close (ended by a signal or an error on the way out)."""
    for folder in list(_OPEN):
        _remove(folder)
        _OPEN.discard(folder)


class _Reader:
    """A thread reading the scripts named on the pipe of the folder, as they come, a shellcheck at a time."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        pipe = os.path.join(folder, _PIPE)
        os.mkfifo(pipe, 0o600)
        # open before any process asks, so that asking never finds the pipe without a reader
        self._pipe = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
        # and held open for writing: with no process asking, reading waits instead of ending
        self._held = os.open(pipe, os.O_WRONLY)
        self._partial = b""
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._reading: _Reading | None = None
        self._closing = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="worker-lint scripts", daemon=True)
        self._thread.start()

    def close(self) -> None:
        with self._lock:
            self._closing = True
            if self._reading is not None:
                self._reading.end()
        with contextlib.suppress(OSError):
            os.write(self._held, b"\n")  # an empty name: stop
        if self._thread is not None:
            self._thread.join(timeout=shellcheck.TIMEOUT)
        for end in (self._pipe, self._held):
            with contextlib.suppress(OSError):
                os.close(end)

    def _serve(self) -> None:
        try:
            while True:
                names, more = self._requests()
                if not more:
                    return
                for start in range(0, len(names), _MOST):
                    self._read(names[start : start + _MOST])
        except Exception:  # a failure here must not end the run: what is asked is read by who needs it
            pass
        finally:
            # the processes waiting for an answer read what is left
            with contextlib.suppress(OSError), open(os.path.join(self.folder, _STOPPED), "wb"):
                pass

    def _requests(self) -> tuple[list[str], bool]:
        """The names written to the pipe since last asked (waiting for one), and whether to go on (an
        empty name stops)."""
        import select

        select.select([self._pipe], [], [])
        data = self._partial
        while True:
            try:
                chunk = os.read(self._pipe, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
        *lines, self._partial = data.split(b"\n")
        names = [line.decode("ascii", "replace") for line in lines]
        return names, "" not in names

    def _read(self, names: list[str]) -> None:
        for dialect, paths in _take(names, self.folder).items():
            with self._lock:
                if self._closing:
                    return
                self._reading = reading = _Reading(paths, dialect)
            reading.wait()
            reading.finish()


class _Reading:
    """One shellcheck on scripts of the folder, writing its output to a file (nothing to drain while it
    runs); ``finish`` writes each script's answer beside it."""

    def __init__(self, paths: list[str], dialect: str) -> None:
        self.paths, self.dialect = paths, dialect
        self._output = paths[0] + _OUTPUT
        self._until = time.monotonic() + shellcheck.TIMEOUT
        try:
            with open(self._output, "wb") as into:
                self._process = shellcheck.spawn(paths, dialect, given=False, into=into)
        except OSError:
            self._process = None

    def ended(self) -> bool:
        return self._process is None or self._process.poll() is not None or time.monotonic() > self._until

    def wait(self) -> None:
        """Until shellcheck ends or runs out of time (``Popen.wait`` with a time limit may sleep 50 ms past
        the end: this looks every 2 ms at most)."""
        pause = 0.0005
        while not self.ended():
            time.sleep(pause)
            pause = min(2 * pause, 0.002)

    def end(self) -> None:
        if self._process is not None:
            self._process.kill()

    def finish(self) -> dict[str, tuple[shellcheck.Comment, ...] | None]:
        """Each script's answer, by name, written beside it: read from the output, or, when shellcheck
        failed or ran out of time on several, from each script read alone."""
        found = None
        if self._process is not None:
            if self._process.poll() is None:  # out of time
                self._process.kill()
            self._process.wait()
            if self._process.returncode in (0, 1):
                with contextlib.suppress(OSError), open(self._output, "rb") as given:
                    found = shellcheck.by_file(given.read(), self.paths)
        answered: dict[str, tuple[shellcheck.Comment, ...] | None] = {}
        for path in self.paths:
            comments: tuple[shellcheck.Comment, ...] | None
            if found is not None:
                comments = found[path]
            elif len(self.paths) > 1 and self._process is not None:
                comments = shellcheck.read_alone(_script(path), self.dialect)
            else:
                comments = None
            _write_answer(path, comments)
            answered[os.path.basename(path)] = comments
        return answered


def _private_folder() -> str:
    """A new folder only this user can use (0700), in memory if the system has a folder there.  Made here
    rather than by ``tempfile``, whose import costs a run of two files 2.5 ms."""
    for base in _bases():
        for _ in range(8):
            path = os.path.join(base, f"worker-lint-{os.urandom(8).hex()}")
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                continue
            except OSError:
                break
            return path
    raise OSError("no folder to share the run's scripts in")


def _bases() -> Iterator[str]:
    """Where the folder may go: in memory, unless the environment names a temporary folder (TMPDIR);
    else the system's temporary folder."""
    if not os.environ.get("TMPDIR") and os.path.isdir(MEMORY):
        yield MEMORY
    import tempfile

    yield tempfile.gettempdir()


def _remove(folder: str) -> None:
    """The folder and what it holds (files and the pipe only), whatever is left of it."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
        os.rmdir(folder)


def _shares(paths: list[str]) -> list[list[str]]:
    """``paths`` split among shellcheck processes side by side: one on the CPU of the process waiting for
    them and one on each CPU no process lints on, a few scripts each (starting one costs about what
    reading five small scripts does)."""
    spare = 0
    if _SHARING is not None:
        from worker_lint.core.cpus import available_cpus

        spare = max(0, available_cpus() - _SHARING.workers)
    count = max(1, min(1 + spare, len(paths) // _FEWEST))
    return [paths[share::count] for share in range(count)]


def _take(names: list[str], folder: str | None = None) -> dict[str, list[str]]:
    """The scripts of ``names`` this process is the first to take, by dialect: it is to answer them."""
    folder = folder or (_SHARING.folder if _SHARING is not None else None)
    taken: dict[str, list[str]] = {}
    if folder is None:
        return taken
    for name in names:
        path = os.path.join(folder, name)
        try:
            mark = os.open(path + _TAKEN, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            continue  # taken by another process, which answers it
        with contextlib.suppress(OSError):
            os.write(mark, str(os.getpid()).encode())  # who answers it (``_given_up``)
        os.close(mark)
        taken.setdefault(name.rpartition(".")[2], []).append(path)
    return taken


def _given_up(names: list[str]) -> list[str]:
    """Of the scripts ``names`` that another process took, those it will never answer, marked untaken
    again: it died, or could not write its answer (then it took the mark back)."""
    assert _SHARING is not None
    given_up = []
    for name in names:
        mark = os.path.join(_SHARING.folder, name + _TAKEN)
        try:
            with open(mark, "rb") as given:
                taker = int(given.read() or b"0")
        except FileNotFoundError:
            given_up.append(name)
            continue
        except (OSError, ValueError):
            continue
        if taker > 0 and not _alive(taker):
            with contextlib.suppress(OSError):
                os.unlink(mark)
            given_up.append(name)
    return given_up


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's: alive
        return True
    return True


def _name(key: tuple[str, bytes]) -> str:
    """The file a script is written to: its digest and dialect."""
    dialect, digest = key
    return f"{digest.hex()}.{dialect}"


def _key(name: str) -> tuple[str, bytes]:
    digest, _, dialect = name.partition(".")
    return dialect, bytes.fromhex(digest)


def _script(path: str) -> str:
    with open(path, "rb") as given:
        return given.read().decode("utf-8", "surrogatepass")


def _write_answer(path: str, comments: tuple[shellcheck.Comment, ...] | None) -> None:
    """A script's findings (None: shellcheck could not read it), whole or not there for a process reading."""
    import json

    part = path + ".part"
    try:
        with open(part, "wb") as out:
            out.write(json.dumps(None if comments is None else [list(c) for c in comments]).encode())
        os.replace(part, path + _ANSWER)
    except OSError:  # a full folder: the mark taken back, for a process waiting for it to read it
        with contextlib.suppress(OSError):
            os.unlink(path + _TAKEN)


def _load(key: tuple[str, bytes]) -> bool:
    """Take another process's answer for ``key`` from the folder, if it has given one."""
    if _SHARING is None:
        return False
    import json

    try:
        with open(os.path.join(_SHARING.folder, _name(key) + _ANSWER), "rb") as given:
            found = json.loads(given.read())
        shellcheck.remember(key, None if found is None else tuple(shellcheck.Comment(*c) for c in found))
    except (OSError, ValueError, TypeError):
        return False
    return True


def _tell(name: str) -> None:
    """The Reader is told a script's name on its pipe (one write, shorter than what a pipe writes whole)."""
    global _REQUESTS
    assert _SHARING is not None
    try:
        if _REQUESTS is None:
            # without blocking: a pipe nobody reads any more (the Reader has stopped) fails at once
            _REQUESTS = os.open(os.path.join(_SHARING.folder, _PIPE), os.O_WRONLY | os.O_NONBLOCK)
            os.set_blocking(_REQUESTS, True)
        os.write(_REQUESTS, name.encode("ascii") + b"\n")
    except OSError:
        pass  # the Reader has stopped: a process that needs the script reads it


def _stopped() -> bool:
    """Whether nothing more will be answered but by this process: the Reader has stopped, or the folder
    is gone."""
    if _SHARING is None:
        return True
    return os.path.exists(os.path.join(_SHARING.folder, _STOPPED)) or not os.path.isdir(_SHARING.folder)
