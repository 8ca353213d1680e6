"""The language server over a real pipe: keystroke-to-diagnostics latency, a 1 MB manifest, start-up, memory.

    python bench/lsp_bench.py [--edits 500] [--json]

Runs `worker-lint server` as an editor does and times, with `debounceMs: 0`:

- start to first diagnostics: from starting the process to the diagnostics of the first document opened;
- keystroke to diagnostics on a 200-line Bento Worker: one incremental edit of one value, until the
  diagnostics for that version arrive (p50 and p99 over ``--edits`` edits);
- the same on a 1 MB manifest (the median of a few edits), and opening it;
- the server's resident memory after 100 and after 2,000 edits.

Goals (issue 18): p50 <= 10 ms and p99 <= 50 ms; 1 MB <= 300 ms; first diagnostics <= 1.5 s;
memory after 2,000 edits within 10 MiB of memory after 100.  Not a timed test: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "good" / "orders-relay.yaml"


def bento_worker(min_lines: int = 0, min_bytes: int = 0) -> str:
    """The orders relay with processors added until it is long enough; each has a line of non-ASCII text."""
    lines = SEED.read_text(encoding="utf-8").rstrip("\n").split("\n")
    head, tail = lines[:33], lines[33:]
    body: list[str] = []
    step = 0
    while len(head) + len(body) + len(tail) < min_lines or sum(map(len, body)) < min_bytes:
        body += [
            "        - mapping: |",
            f"            root.step_{step} = this.value_{step}.uppercase()",
            f'            root.note_{step} = "étape {step} – ok"',
        ]
        step += 1
    return "\n".join(head + body + tail) + "\n"


class Client:
    """Just enough of an editor: framed JSON-RPC over the server's standard input and output."""

    def __init__(self, command: list[str]) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT
        )
        self.next_id = 0

    def send(self, method: str, params: Any, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        ident = None
        if request:
            self.next_id += 1
            ident = message["id"] = self.next_id
        body = json.dumps(message).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return ident

    def receive(self) -> dict[str, Any]:
        stream = self.process.stdout
        assert stream is not None
        length = 0
        while True:
            line = stream.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(stream.read(length))

    def request(self, method: str, params: Any) -> Any:
        ident = self.send(method, params, request=True)
        while True:
            message = self.receive()
            if message.get("id") == ident and "method" not in message:
                return message.get("result")

    def diagnostics(self, uri: str, version: int) -> list[Any]:
        """Wait for the diagnostics of ``uri`` at ``version``."""
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                if params["uri"] == uri and params.get("version") == version:
                    return list(params["diagnostics"])

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.send("exit", None)
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


def _edit(client: Client, uri: str, version: int, line: int, old: str, new: str, at: int) -> float:
    """Replace ``old`` at column ``at`` of ``line`` with ``new``; seconds until that version's diagnostics."""
    start = time.perf_counter()
    client.send(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": line, "character": at},
                        "end": {"line": line, "character": at + len(old)},
                    },
                    "text": new,
                }
            ],
        },
    )
    found = client.diagnostics(uri, version)
    elapsed = time.perf_counter() - start
    if found:
        raise RuntimeError(f"the benchmark manifest should lint clean: {found[0]['message']}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--memory-edits", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import tempfile

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "bento-200.yaml"
        small.write_text(bento_worker(min_lines=200), encoding="utf-8")
        big = Path(folder) / "bento-1mb.yaml"
        big.write_text(bento_worker(min_bytes=1024 * 1024), encoding="utf-8")
        client = Client([sys.executable, "-m", "worker_lint", "server"])
        try:
            client.request(
                "initialize",
                {
                    "processId": None,
                    "rootUri": Path(folder).as_uri(),
                    "capabilities": {},
                    "initializationOptions": {"lint": {"run": "onType", "debounceMs": 0}},
                },
            )
            client.send("initialized", {})
            uri = small.as_uri()
            text = small.read_text(encoding="utf-8")
            client.send(
                "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
            )
            client.diagnostics(uri, 1)
            results["first_diagnostics_s"] = time.perf_counter() - client.started
            lines = text.split("\n")
            # the note of the 10th processor: a line with non-ASCII text, edited as a user types over a digit
            line = next(i for i, t in enumerate(lines) if "root.note_10 " in t)
            at = lines[line].index("étape 10") + len("étape ")
            current = "10"
            version = 1
            latencies = []
            total = max(args.edits, args.memory_edits)
            for n in range(total):
                version += 1
                new = str(100 + n)
                latencies.append(_edit(client, uri, version, line, current, new, at))
                current = new
                if n + 1 == 100:
                    results["rss_after_100_mib"] = client.rss_mib()
                if n + 1 == args.memory_edits:
                    results[f"rss_after_{args.memory_edits}_mib"] = client.rss_mib()
            timed = sorted(latencies[: args.edits])
            results["edits"] = len(timed)
            results["p50_ms"] = 1000 * timed[len(timed) // 2]
            results["p99_ms"] = 1000 * timed[min(len(timed) - 1, int(len(timed) * 0.99))]

            big_uri = big.as_uri()
            big_text = big.read_text(encoding="utf-8")
            start = time.perf_counter()
            client.send(
                "textDocument/didOpen",
                {"textDocument": {"uri": big_uri, "languageId": "yaml", "version": 1, "text": big_text}},
            )
            client.diagnostics(big_uri, 1)
            results["big_bytes"] = len(big_text.encode("utf-8"))
            results["big_open_ms"] = 1000 * (time.perf_counter() - start)
            big_lines = big_text.split("\n")
            line = next(i for i, t in enumerate(big_lines) if "root.note_10 " in t)
            at = big_lines[line].index("étape 10") + len("étape ")
            current, times = "10", []
            for n in range(7):
                new = str(500 + n)
                times.append(_edit(client, big_uri, 2 + n, line, current, new, at))
                current = new
            results["big_edit_ms"] = 1000 * statistics.median(times)
        finally:
            client.close()
    growth = results[f"rss_after_{args.memory_edits}_mib"] - results["rss_after_100_mib"]
    results["rss_growth_mib"] = growth
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"start to first diagnostics   {results['first_diagnostics_s']:.2f} s   (goal <= 1.5 s)")
        print(
            f"200-line Worker, {results['edits']} edits  p50 {results['p50_ms']:.1f} ms,"
            f" p99 {results['p99_ms']:.1f} ms   (goal <= 10 / 50 ms)"
        )
        print(
            f"{results['big_bytes'] / 1048576:.2f} MiB manifest    open {results['big_open_ms']:.0f} ms,"
            f" edit {results['big_edit_ms']:.0f} ms   (goal <= 300 ms)"
        )
        print(
            f"resident memory              {results['rss_after_100_mib']:.1f} MiB after 100 edits,"
            f" {results[f'rss_after_{args.memory_edits}_mib']:.1f} MiB after {args.memory_edits}"
            f" ({growth:+.1f} MiB; goal <= 10)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
