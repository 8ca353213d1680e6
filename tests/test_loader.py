"""The memoised tag resolver answers as ruamel.yaml's own, node for node."""

from __future__ import annotations

from ruamel.yaml.cyaml import CSafeLoader
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from worker_lint.document.loader import Loader

TEXT = (
    "plain: [1, 0x1f, 1.5, .inf, true, yes, ~, null, '', 2024-01-02, text, '1', \"true\", ! 12]\n"
    "? [complex]\n: {nested: [a, {b: c}]}\n"
    "tagged: !!str 12\n"
    "custom: !mine 12\n"
    "long: " + "9" * 80 + "\n"
    "repeated: [1, 1, '1', \"1\", true, 'true']\n"
)


def _tags(node: Node) -> list[str]:
    out = [str(node.tag)]
    if isinstance(node, SequenceNode):
        for item in node.value:
            out += _tags(item)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            out += _tags(key) + _tags(value)
    return out


def _compose(loader_class: type, text: str) -> Node:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def test_every_node_gets_the_tag_ruamel_gives_it_twice_over():
    expected = _tags(_compose(CSafeLoader, TEXT))
    assert _tags(_compose(Loader, TEXT)) == expected
    assert _tags(_compose(Loader, TEXT)) == expected  # the second time from what was remembered
    assert "tag:yaml.org,2002:int" in expected and "tag:yaml.org,2002:bool" in expected and "!mine" in expected


def test_a_tag_is_one_shared_object_whatever_node_asks():
    root = _compose(Loader, "a: [x, 'y', \"z\", x]\nb: {c: x}\n")
    strings = [n for _, v in root.value for n in (v.value if isinstance(v, SequenceNode) else [v.value[0][1]])]
    assert len({id(n.ctag) for n in strings}) == 1
    assert root.value[0][1].ctag is _compose(Loader, "- q").ctag  # the same list tag in another text
