"""`worker-lint graph`: a Bundle's dependency graph as Mermaid (the exact text GitHub renders) and DOT (rendered by graphviz)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

WORKER = """\
name: orders-relay
version: v1beta
type: worker
worker:
  stack: bento-worker:3.0
  compute: runnable-default
"""

BUNDLE = """\
name: orders
version: v1beta
type: bundle
bundle:
  resources:
    - id: relay
      file: workers/relay.yaml
      workspace: public
    - id: report
      workspace: public
      dependencies: [relay]
      dependencyConditions:
        - resourceId: relay
          status:
            is: [active]
          runtime:
            contains: [running]
      spec:
        name: report
        version: v1beta
        type: worker
        worker:
          stack: bento-worker:3.0
          compute: runnable-default
    - id: missing
      file: nowhere.yaml
      dependencies: [report, ping]
    - id: ping
      file: workers/relay.yaml
      dependencies: [missing]
"""


def _render_svg(dot: str) -> str:
    """The picture graphviz draws of ``dot``; without graphviz, a failure under CI (.ci/graphviz installs it), a skip elsewhere."""
    if shutil.which("dot") is None:
        message = "graphviz's `dot` is not installed (bash .ci/graphviz installs it)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


def _project(root: Path, bundle: str = BUNDLE) -> Path:
    (root / "workers").mkdir()
    (root / "workers" / "relay.yaml").write_text(WORKER, encoding="utf-8")
    (root / "bundle.yaml").write_text(bundle, encoding="utf-8")
    return root


def test_mermaid_draws_resources_dependencies_conditions_and_a_cycle(tmp_path: Path):
    result = run_cli("graph", ".", cwd=_project(tmp_path))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == textwrap.dedent(
        """\
        flowchart LR
            subgraph b0["orders (bundle.yaml)"]
                b0_r0["relay<br/>worker<br/>file: workers/relay.yaml"]
                b0_r1["report<br/>worker"]
                b0_r2["missing<br/>type unknown<br/>file: nowhere.yaml"]
                b0_r3["ping<br/>worker<br/>file: workers/relay.yaml"]
                b0_r0 -->|"status is active<br/>runtime contains running"| b0_r1
                b0_r1 --> b0_r2
                b0_r3 -.-> b0_r2
                b0_r2 -.-> b0_r3
            end
            linkStyle 2,3 stroke:#d62728,color:#d62728
        """
    )


def test_dot_is_the_same_graph_and_graphviz_renders_it(tmp_path: Path):
    result = run_cli("graph", "--format", "dot", cwd=_project(tmp_path))
    assert result.returncode == 0
    assert result.stdout == textwrap.dedent(
        """\
        digraph bundles {
            rankdir=LR;
            node [shape=box, style=rounded, fontname="Helvetica"];
            edge [fontname="Helvetica", fontsize=10];
            subgraph cluster_b0 {
                label="orders (bundle.yaml)";
                b0_r0 [label="relay\\nworker\\nfile: workers/relay.yaml"];
                b0_r1 [label="report\\nworker"];
                b0_r2 [label="missing\\ntype unknown\\nfile: nowhere.yaml"];
                b0_r3 [label="ping\\nworker\\nfile: workers/relay.yaml"];
                b0_r0 -> b0_r1 [label="status is active\\nruntime contains running"];
                b0_r1 -> b0_r2;
                b0_r3 -> b0_r2 [color="#d62728", fontcolor="#d62728", style=dashed, penwidth=2];
                b0_r2 -> b0_r3 [color="#d62728", fontcolor="#d62728", style=dashed, penwidth=2];
            }
        }
        """
    )
    svg = _render_svg(result.stdout)
    for text in ("orders (bundle.yaml)", "relay", "file: workers/relay.yaml", "runtime contains running"):
        assert f">{text}</text>" in svg
    assert svg.count('stroke="#d62728"') >= 2  # the two arrows of the cycle (paths and heads)


HOSTILE = """\
name: 'a "quoted" <b>name</b> # & `x`'
version: v1beta
type: bundle
bundle:
  resources:
    - id: 'one "1" \\ <two>'
      file: "dir\\\\name\\u202e.yaml"
    - id: two
      dependencies: ['one "1" \\ <two>']
"""


def test_labels_from_the_manifest_cannot_break_out_of_their_quotes(tmp_path: Path):
    (tmp_path / "b.yaml").write_text(HOSTILE, encoding="utf-8")
    mermaid = run_cli("graph", "b.yaml", cwd=tmp_path).stdout
    assert mermaid.splitlines()[1:4] == [
        '    subgraph b0["a #quot;quoted#quot; #lt;b#gt;name#lt;/b#gt; #35; #amp; #96;x#96; (b.yaml)"]',
        '        b0_r0["one #quot;1#quot; \\ #lt;two#gt;<br/>type unknown<br/>file: dir\\name\\u202e.yaml"]',
        '        b0_r1["two<br/>type unknown"]',
    ]
    dot = run_cli("graph", "--format", "dot", "b.yaml", cwd=tmp_path).stdout
    assert '        b0_r0 [label="one \\"1\\" \\\\ <two>\\ntype unknown\\nfile: dir\\\\name\\\\u202e.yaml"];' in dot
    assert "<svg" in _render_svg(dot)


def test_several_bundles_are_clusters_of_their_own_and_other_files_are_left_out(tmp_path: Path):
    _project(tmp_path)
    (tmp_path / "second.yaml").write_text(
        "name: two\nversion: v1beta\ntype: bundle\nbundle:\n  resources:\n    - id: relay\n      file: workers/relay.yaml\n",
        encoding="utf-8",
    )
    mermaid = run_cli("graph", cwd=tmp_path).stdout
    assert [line.strip() for line in mermaid.splitlines() if "subgraph" in line or "b1_" in line] == [
        'subgraph b0["orders (bundle.yaml)"]',
        'subgraph b1["two (second.yaml)"]',
        'b1_r0["relay<br/>worker<br/>file: workers/relay.yaml"]',
    ]


def test_no_bundle_is_said_on_standard_error_and_a_missing_path_is_a_usage_error(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(WORKER, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("type: bundle\nname: [\n", encoding="utf-8")
    empty = run_cli("graph", cwd=tmp_path)
    assert (empty.returncode, empty.stdout, empty.stderr) == (
        0,
        "flowchart LR\n",
        "warning: no Bundle found under the paths given\n",
    )
    missing = run_cli("graph", "nope", cwd=tmp_path)
    assert missing.returncode == 2
    assert "path does not exist: nope" in missing.stderr


def test_output_writes_the_picture_but_never_over_a_manifest(tmp_path: Path):
    _project(tmp_path)
    written = run_cli("graph", "--format", "dot", "--output", "graph.dot", cwd=tmp_path)
    assert (written.returncode, written.stdout) == (0, "")
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8").startswith("digraph bundles {\n")
    refused = run_cli("graph", "--output", "bundle.yaml", cwd=tmp_path)
    assert refused.returncode == 2
    assert "bundle.yaml is one of the files being drawn" in refused.stderr
    assert (tmp_path / "bundle.yaml").read_text(encoding="utf-8") == BUNDLE


def test_the_readme_example_prints_the_picture_the_readme_shows(tmp_path: Path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A Bundle as a picture\n", 1)[1].split("\n## ", 1)[0]
    manifest = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    command = re.search(r"`(worker-lint graph [^`]+)` prints:", section)
    picture = re.search(r"```mermaid\n(.*?)```", section, re.DOTALL)
    assert manifest is not None and command is not None and picture is not None
    (tmp_path / "bundle.yaml").write_text(manifest.group(1), encoding="utf-8")
    (tmp_path / "workers").mkdir()
    for name in ("ingest", "report"):
        (tmp_path / "workers" / f"{name}.yaml").write_text(WORKER.replace("orders-relay", name), encoding="utf-8")
    result = run_cli(*command.group(1).split()[1:], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, picture.group(1))


def test_a_broken_configuration_is_a_usage_error(tmp_path: Path):
    _project(tmp_path)
    (tmp_path / ".worker-lint.yaml").write_text("exclude: ['[z-a]']\n", encoding="utf-8")
    result = run_cli("graph", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert "Error: configuration: invalid glob `[z-a]`: bad character range z-a" in result.stderr


PRODUCT = """\
name: orders-360
version: v1beta
entity: product
type: data
v1beta:
  data:
    resource:
      refType: dataos
      ref: {ref}
    inputs: []
"""


def test_a_data_product_is_drawn_with_an_arrow_from_the_bundle_that_builds_it(tmp_path: Path):
    _project(tmp_path)
    (tmp_path / "product.yaml").write_text(PRODUCT.format(ref="bundle:v1beta:orders"), encoding="utf-8")
    mermaid = run_cli("graph", cwd=tmp_path)
    assert (mermaid.returncode, mermaid.stderr) == (0, "")
    assert mermaid.stdout.splitlines()[-3:] == [
        '    p0(["orders-360<br/>Data Product<br/>product.yaml<br/>resource: bundle:v1beta:orders"])',
        "    b0 --> p0",
        "    linkStyle 2,3 stroke:#d62728,color:#d62728",
    ]
    dot = run_cli("graph", "--format", "dot", cwd=tmp_path).stdout
    assert dot.splitlines()[-5:] == [
        "    }",
        "    compound=true;",
        '    p0 [label="orders-360\\nData Product\\nproduct.yaml\\nresource: bundle:v1beta:orders", shape=box, style="rounded,bold"];',
        "    b0_r0 -> p0 [ltail=cluster_b0];",
        "}",
    ]
    svg = _render_svg(dot)
    assert ">resource: bundle:v1beta:orders</text>" in svg and "<title>b0_r0&#45;&gt;p0</title>" in svg


def test_a_data_product_whose_bundle_is_not_drawn_says_so_without_an_arrow(tmp_path: Path):
    _project(tmp_path)
    # the project's `orders` Bundle is v1beta: a v1alpha one is another resource
    (tmp_path / "product.yaml").write_text(PRODUCT.format(ref="bundle:v1alpha:orders"), encoding="utf-8")
    for output_format in ("mermaid", "dot"):
        picture = run_cli("graph", "--format", output_format, cwd=tmp_path).stdout
        assert "resource: bundle:v1alpha:orders (not drawn)" in picture
        assert "p0" in picture and "-> p0" not in picture and "compound" not in picture
