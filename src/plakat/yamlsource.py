"""Safe YAML loading that remembers where every value came from.

In: the bytes of a layout file. Out: plain Python data (dicts, lists, str, int, float, bool, None)
and a :class:`SourceMap` from key paths such as ``("people", 2, "portrait")`` to line and column.

Only YAML's safe tags are accepted; duplicate keys are refused; aliases are expanded with a budget,
so an anchor bomb ends in an error instead of eating memory; nesting is limited, so a file of ten
thousand brackets ends in an error instead of exhausting the stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .errors import Loc, Problem

MAX_NODES = 20_000  # values, after expanding aliases; a layout has a few hundred
MAX_DEPTH = 100  # a layout nests about six levels deep


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
                value, key = self.values[loc], self.keys.get(loc)
                # a block below its key (grid:, people:) is pointed at by the key's line
                return key if key is not None and key[0] != value[0] else value
            loc = loc[:-1]
        return self.values.get((), (1, 1))


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Loader(yaml.SafeLoader):
    """The safe loader, composing at most MAX_NODES nodes at most MAX_DEPTH levels deep."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._composed = 0

    def compose_node(self, parent, index):
        self._depth += 1
        self._composed += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlProblem(
                    Problem((), f"values nested more than {MAX_DEPTH} levels deep; a layout needs a handful"),
                    mark.line + 1,
                    mark.column + 1,
                )
            if self._composed > MAX_NODES:
                mark = self.peek_event().start_mark
                raise YamlProblem(
                    Problem((), f"the file has more than {MAX_NODES} values; simplify it"),
                    mark.line + 1,
                    mark.column + 1,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> YamlProblem:
    """A character YAML does not allow (NUL and other control characters) at its line and column."""
    position = error.position if isinstance(error.position, int) else 0
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    character = error.character if isinstance(error.character, int) else 0
    return YamlProblem(
        Problem(
            (),
            f"character U+{character:04X} is not allowed in a YAML file: remove it "
            "(control characters are not text; is this a layout file?)",
        ),
        line,
        col,
    )


def load_yaml(text: str) -> tuple[object, SourceMap]:
    """Parse ``text``; raise :class:`YamlProblem` with a line and column on any error."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:
        raise _reader_problem(text, error) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.reader.ReaderError as error:
            raise _reader_problem(text, error) from None
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
            raise YamlProblem(Problem((), "the file is empty: a layout needs at least format and people"), 1, 1)
        source = SourceMap()
        budget = [MAX_NODES]
        data = _convert(loader, root, (), source, budget)
        return data, source
    finally:
        loader.dispose()


def _convert(loader, node, loc: Loc, source: SourceMap, budget: list[int]):
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(
            Problem((), f"the file expands to more than {MAX_NODES} values (aliases nested too deep?); simplify it"),
            *_mark(node),
        )
    source.values.setdefault(loc, _mark(node))
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise YamlProblem(Problem(loc, f"tag {_tag_name(node.tag)} is not allowed in a layout"), *_mark(node))
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
            raise YamlProblem(Problem(loc, f"tag {_tag_name(node.tag)} is not allowed in a layout"), *_mark(node))
        return [_convert(loader, item, (*loc, index), source, budget) for index, item in enumerate(node.value)]
    return _scalar(loader, node, loc)


def _scalar(loader, node, loc: Loc):
    if not isinstance(node, yaml.ScalarNode):
        raise YamlProblem(Problem(loc, "a key must be a plain word"), *_mark(node))
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as error:
        if "could not determine a constructor" in str(error.problem):
            message = f"tag {_tag_name(node.tag)} is not allowed in a layout: plain values only (safe YAML)"
        else:
            message = f"{error.problem}; plain values only (safe YAML)"
        raise YamlProblem(Problem(loc, message), *_mark(node)) from None
    except (ValueError, OverflowError):  # e.g. an integer of thousands of digits
        raise YamlProblem(Problem(loc, f"{_preview(node.value)} is not a usable value"), *_mark(node)) from None
    if not isinstance(value, (str, int, float, bool, type(None))):
        # dates, binary and sets are valid safe YAML but mean nothing in a layout
        raise YamlProblem(
            Problem(loc, f"{node.value!r} is read as {type(value).__name__}; put it in quotes to make it text"),
            *_mark(node),
        )
    return value


def _tag_name(tag: str) -> str:
    """A tag as it is written in the file: tag:yaml.org,2002:python/object -> !!python/object."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _preview(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
