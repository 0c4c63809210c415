"""Reading YAML that may be hostile: the one loader behind scenario files, uploads and `--set`.

YAML's safe subset still lets a small text become a huge or deep structure, and silently lets a
repeated key win. Every limit here is checked before the structure it guards is built:

- the document's size (`MAX_DOCUMENT_BYTES`) before parsing;
- nesting depth (`MAX_NESTING_DEPTH`) while the node tree is composed, so a list nested
  10,000 deep is refused before anything recurses that far;
- the number of nodes the document stands for once every alias is expanded
  (`MAX_EXPANDED_NODES`), counted on the composed tree with each shared node counted once per
  use, before any Python object is built (a 600-byte "billion laughs" file is refused at once);
- a key given twice in one mapping, refused with both line numbers.

Each refusal is a `ScenarioError` of one line that names the limit. The error messages never turn
a large value into text: `bounded_text` stops after a fixed number of characters.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import Problem, ScenarioError

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_EXPANDED_NODES",
    "MAX_NESTING_DEPTH",
    "MAX_RUN_SCENARIO_BYTES",
    "YamlSyntaxError",
    "bounded_text",
    "count_values",
    "load_yaml",
    "text_of_scenario_bytes",
]

MAX_DOCUMENT_BYTES = 256 * 1024
"""A full baseline scenario is about 32 KB; anything eight times bigger is a mistake."""
MAX_RUN_SCENARIO_BYTES = 32 * 1024 * 1024
"""A run directory's resolved scenario, written by ccs-sim, carries a snapshot's people, vacancies
and cases item by item (docs/snapshot.md), so it may be larger; the node limit still applies."""
MAX_NESTING_DEPTH = 40
"""A scenario nests about 6 levels deep (a distribution inside a request type inside demand)."""
MAX_EXPANDED_NODES = 200_000
"""Values, keys, lists and mappings once aliases are expanded (the baseline has about 2,000)."""

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlSyntaxError(ScenarioError):
    """The text is not YAML at all (as opposed to YAML that breaks a limit)."""


class _Refused(Exception):
    """A limit broken while composing or constructing; becomes a ScenarioError."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


# libyaml's parser when installed (about seven times faster: a 256 KB file of small values reads
# in well under a second instead of several), PyYAML's own otherwise; the same safe constructor.
_SafeBase: Any = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


class _BoundedLoader(_SafeBase):  # type: ignore[misc]
    """Safe loader that refuses repeated keys, tags beyond plain data and unreadable values."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        _refuse_repeated_keys(node)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as error:  # an impossible date, a number of 5,000 digits, ...
            shown = bounded_text(node.value, 40) if isinstance(node, ScalarNode) else ""
            reason = str(error).split(";")[0]
            raise _Refused(
                Problem(f"line {node.start_mark.line + 1}", shown, f"a readable value ({reason})")
            ) from None


def _refuse_tag(loader: _BoundedLoader, node: Node) -> Any:
    """Tags that make something other than plain data (bytes, sets, Python objects, includes)."""
    raise _Refused(
        Problem(
            _where(node.start_mark),
            f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')}",
            "plain values only: text, numbers, dates, lists and mappings (no tags)",
        )
    )


for _tag in ("binary", "set", "omap", "pairs"):
    _BoundedLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)
_BoundedLoader.add_constructor(None, _refuse_tag)  # any tag without a constructor


def _refuse_repeated_keys(node: MappingNode) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        key = (key_node.tag, key_node.value)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise _Refused(
                Problem(
                    f"line {line}",
                    f"key {bounded_text(key_node.value)} again (first on line {seen[key]})",
                    "each key once in a mapping (the second would silently replace the first)",
                )
            )
        seen[key] = line


def _refuse_deep_nesting(text: str) -> None:
    """Walk the parser's events (no tree is built, nothing recurses) and stop at the first list or
    mapping nested deeper than the limit, before the composer would recurse that deep."""
    depth = 0
    for event in yaml.parse(text, Loader=_SafeBase):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_NESTING_DEPTH:
                raise _Refused(
                    Problem(
                        _where(event.start_mark),
                        f"lists or mappings nested more than {MAX_NESTING_DEPTH} deep",
                        f"at most {MAX_NESTING_DEPTH} levels of nesting (MAX_NESTING_DEPTH)",
                    )
                )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"


def _expanded_nodes(root: Node) -> int:
    """Nodes `root` stands for with every alias expanded, stopping once over the limit.

    Each distinct node's expanded size is computed once (memo by identity), so a bomb whose
    expansion is astronomically large is measured in time proportional to its text.
    """
    sizes: dict[int, int] = {}
    # Depth-first, children before parents, without recursion.
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            total = 1 + sum(sizes[id(child)] for child in children)
            sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _at_most(max_bytes: int) -> str:
    name = "MAX_DOCUMENT_BYTES" if max_bytes == MAX_DOCUMENT_BYTES else "MAX_RUN_SCENARIO_BYTES"
    return f"at most {max_bytes // 1024:,} KB ({name})"


def load_yaml(text: str, source: str = "", max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Parse YAML's safe subset within the limits above, or raise ScenarioError in one line."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise ScenarioError(
            [
                Problem(
                    "",
                    f"{size / 1024:,.0f} KB of YAML",
                    _at_most(max_bytes),
                )
            ],
            source,
        )
    loader = None
    try:
        _refuse_deep_nesting(text)
        loader = _BoundedLoader(text)
        root = loader.get_single_node()
        if root is None:
            return None
        nodes = _expanded_nodes(root)
        if nodes > MAX_EXPANDED_NODES:
            raise _Refused(
                Problem(
                    "",
                    f"more than {MAX_EXPANDED_NODES:,} values once aliases (*name) are expanded",
                    f"at most {MAX_EXPANDED_NODES:,} (MAX_EXPANDED_NODES)",
                )
            )
        return loader.construct_document(root)
    except _Refused as refused:
        raise ScenarioError([refused.problem], source) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError([_syntax_problem(error, text)], source) from None
    except (RecursionError, MemoryError):  # a limit above is too generous for this machine
        raise ScenarioError(
            [Problem("", "a structure too large or deep to read", "a smaller scenario file")],
            source,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_problem(error: yaml.YAMLError, text: str) -> Problem:
    if isinstance(error, yaml.reader.ReaderError):  # a control character: it has no mark
        line = text.count("\n", 0, error.position) + 1
        return Problem(
            f"line {line}",
            f"the control character U+{_code_point(error.character):04X}",
            "printable text (tabs and line breaks are fine)",
        )
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    if "maximum nesting depth" in str(reason):  # libyaml's own, far beyond ours: the same limit
        return Problem(
            _where(mark),
            f"lists or mappings nested more than {MAX_NESTING_DEPTH} deep",
            f"at most {MAX_NESTING_DEPTH} levels of nesting (MAX_NESTING_DEPTH)",
        )
    return Problem(_where(mark), "", f"malformed YAML: {str(reason)[:160]}")


def _code_point(character: Any) -> int:
    return character if isinstance(character, int) else ord(str(character)[:1] or "\0")


def text_of_scenario_bytes(
    content: bytes, source: str = "", max_bytes: int = MAX_DOCUMENT_BYTES
) -> str:
    """The text of a scenario file's bytes: at most `max_bytes`, UTF-8 (a BOM is fine)."""
    if len(content) > max_bytes:
        raise ScenarioError(
            [
                Problem(
                    "",
                    f"a file of {len(content) / 1024:,.0f} KB or more",
                    _at_most(max_bytes),
                )
            ],
            source,
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScenarioError(
            [
                Problem(
                    f"byte {error.start}",
                    "a binary or non-UTF-8 file",
                    "a YAML text file in UTF-8 (save it as UTF-8, not UTF-16 or Latin-1)",
                )
            ],
            source,
        ) from None


def count_values(data: Any, limit: int = MAX_EXPANDED_NODES) -> int:
    """Values, lists and mappings in plain data, counting no further than `limit` + 1."""
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return count


def bounded_text(value: Any, limit: int = 80) -> str:
    """`value` as JSON-like text of at most `limit` characters, built only as far as needed."""
    parts: list[str] = []
    budget = [limit + 1]

    def emit(text: str) -> bool:
        parts.append(text[: budget[0]])
        budget[0] -= len(text)
        return budget[0] > 0

    def walk(item: Any) -> bool:
        if isinstance(item, dict):
            if not emit("{"):
                return False
            for i, (key, sub) in enumerate(item.items()):
                if (i and not emit(", ")) or not walk(key) or not emit(": ") or not walk(sub):
                    return False
            return emit("}")
        if isinstance(item, list | tuple):
            if not emit("["):
                return False
            for i, sub in enumerate(item):
                if (i and not emit(", ")) or not walk(sub):
                    return False
            return emit("]")
        return emit(_scalar_text(item, budget[0]))

    walk(value)
    text = "".join(parts)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _scalar_text(item: Any, budget: int) -> str:
    if isinstance(item, str):
        return repr(item[: budget + 2]) if len(item) > budget + 2 else repr(item)
    if isinstance(item, float) and not math.isfinite(item):
        return str(item)
    if isinstance(item, bool | int | float) or item is None:
        if isinstance(item, int) and not isinstance(item, bool) and item.bit_length() > 256:
            return f"a whole number of {item.bit_length() * 0.301:.0f} digits"
        return json.dumps(item)
    return str(item)[: budget + 1]  # dates, bytes: small, as the document size is bounded
