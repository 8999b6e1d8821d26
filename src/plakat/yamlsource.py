"""Safe YAML loading that remembers where every value came from.

In: the bytes of a layout file. Out: plain Python data (dicts, lists, str, int, float, bool, None)
and a :class:`SourceMap` from key paths such as ``("people", 2, "portrait")`` to line and column.

Only YAML's safe tags are accepted; duplicate keys are refused; aliases are expanded with a budget,
so an anchor bomb ends in an error instead of eating memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .errors import Loc, Problem

MAX_NODES = 200_000


class YamlProblem(Exception):
    def __init__(self, problem: Problem, line: int, col: int):
        self.problem = problem
        self.line = line
        self.col = col
        super().__init__(problem.message)


@dataclass
class SourceMap:
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Loc, key_position: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of ``loc``, or of its nearest ancestor that the file has."""
        loc = tuple(loc)
        if key_position and loc in self.keys:
            return self.keys[loc]
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_yaml(text: str) -> tuple[object, SourceMap]:
    """Parse ``text``; raise :class:`YamlProblem` with a line and column on any error."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            message = f"YAML syntax error: {error.problem or error}"
            if "'\\t'" in str(error.problem) or "\t" in str(error.problem):
                message += " (indent with spaces, not tabs)"
            if error.context:
                message += f" ({error.context})"
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise YamlProblem(Problem((), message), line, col) from None
        except yaml.YAMLError as error:
            raise YamlProblem(Problem((), f"YAML error: {error}"), 1, 1) from None
        if root is None:
            raise YamlProblem(Problem((), "the file is empty: a layout needs at least format and people"),
                              1, 1)
        source = SourceMap()
        budget = [MAX_NODES]
        data = _convert(loader, root, (), source, budget)
        return data, source
    finally:
        loader.dispose()


def _convert(loader, node, loc: Loc, source: SourceMap, budget: list[int]):
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(Problem((), f"the file expands to more than {MAX_NODES} values "
                                       "(aliases nested too deep?); simplify it"), *_mark(node))
    source.values.setdefault(loc, _mark(node))
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise YamlProblem(Problem(loc, f"tag {node.tag} is not allowed in a layout"), *_mark(node))
        try:
            loader.flatten_mapping(node)
        except yaml.MarkedYAMLError as error:
            raise YamlProblem(Problem(loc, f"bad merge key: {error.problem}"), *_mark(node)) from None
        result: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node, loc)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise YamlProblem(Problem(loc, f"keys must be plain words, not {key!r}"), *_mark(key_node))
            key = str(key)
            child = (*loc, key)
            if key in result:
                raise YamlProblem(Problem(child, f"key {key!r} appears twice; keep one"), *_mark(key_node))
            source.keys[child] = _mark(key_node)
            result[key] = _convert(loader, value_node, child, source, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise YamlProblem(Problem(loc, f"tag {node.tag} is not allowed in a layout"), *_mark(node))
        return [_convert(loader, item, (*loc, index), source, budget)
                for index, item in enumerate(node.value)]
    return _scalar(loader, node, loc)


def _scalar(loader, node, loc: Loc):
    if not isinstance(node, yaml.ScalarNode):
        raise YamlProblem(Problem(loc, "a key must be a plain word"), *_mark(node))
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as error:
        raise YamlProblem(Problem(loc, f"{error.problem}; plain values only (safe YAML)"),
                          *_mark(node)) from None
    if not isinstance(value, (str, int, float, bool, type(None))):
        # dates, binary and sets are valid safe YAML but mean nothing in a layout
        raise YamlProblem(Problem(loc, f"{node.value!r} is read as {type(value).__name__}; "
                                       "put it in quotes to make it text"), *_mark(node))
    return value
