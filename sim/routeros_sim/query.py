"""API ``print`` queries, as the RouterOS API documentation defines them ("Queries").

A query is evaluated once per item on a stack of booleans that starts with infinitely many
``true`` values; the item is printed when no ``false`` is left on the stack at the end.

* ``?name`` pushes whether the item has a value for ``name``; ``?-name`` the opposite;
* ``?name=x`` / ``?=name=x`` push whether the value equals ``x``; ``?<name=x`` / ``?>name=x``
  whether it is less / greater than ``x``;
* ``?#ops`` runs operations left to right: ``!`` negates the top value, ``&``/``|`` pop two and
  push their and/or, ``.`` pushes a copy of the top; a decimal index pushes a copy of the value
  at that depth (0 is the top), or, at the end of the word, replaces the whole stack with it
  (``.`` right after an index does nothing).

Values are compared in the form the router prints them, after the same normalisation a ``set``
would apply (so ``?disabled=no`` matches ``disabled=false`` and ``?protocol=6`` matches ``tcp``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Normalizer", "Query", "QueryError", "compile_query"]

#: ``(property, value as sent) -> value as the router would print it`` (or the value unchanged).
Normalizer = Callable[[str, str], str]
Item = Mapping[str, str]


class QueryError(ValueError):
    """A query word the router cannot evaluate."""


class _Stack:
    """The evaluation stack: a list over an endless supply of ``True``."""

    def __init__(self) -> None:
        self.values: list[bool] = []

    def push(self, value: bool) -> None:
        self.values.append(value)

    def pop(self) -> bool:
        return self.values.pop() if self.values else True

    def peek(self, depth: int = 0) -> bool:
        return self.values[-1 - depth] if depth < len(self.values) else True

    def result(self) -> bool:
        return all(self.values)


Step = Callable[[_Stack, Item], None]


def _order_key(text: str) -> tuple[int, object]:
    """Numbers compare as numbers, ``*HEX`` ids by number, addresses as addresses, the rest as text."""
    try:
        return (0, int(text))
    except ValueError:
        pass
    if text.startswith("*"):
        try:
            return (1, int(text[1:], 16))
        except ValueError:
            pass
    try:
        return (2, ipaddress.ip_address(text))
    except ValueError:
        return (3, text)


def _less(left: str, right: str) -> bool:
    left_key, right_key = _order_key(left), _order_key(right)
    if left_key[0] != right_key[0]:
        return left < right
    return left_key[1] < right_key[1]  # type: ignore[operator]


def _operations(ops: str) -> Step:
    if not ops:
        raise QueryError("empty query operation")
    for char in ops:
        if not (char.isdigit() or char in "!&|."):
            raise QueryError(f"unknown query operation {char!r}")

    def run(stack: _Stack, item: Item) -> None:
        position, after_index = 0, False
        while position < len(ops):
            char = ops[position]
            if char.isdigit():
                end = position
                while end < len(ops) and ops[end].isdigit():
                    end += 1
                value = stack.peek(int(ops[position:end]))
                if end == len(ops):
                    stack.values = [value]
                else:
                    stack.push(value)
                position, after_index = end, True
                continue
            if char == "!":
                stack.push(not stack.pop())
            elif char == "&":
                right, left = stack.pop(), stack.pop()
                stack.push(left and right)
            elif char == "|":
                right, left = stack.pop(), stack.pop()
                stack.push(left or right)
            elif not after_index:  # "."
                stack.push(stack.peek())
            position, after_index = position + 1, False

    return run


def _comparison(word: str, normalize: Normalizer) -> Step:
    operator = "="
    if word[0] in "<>=":
        operator, word = word[0], word[1:]
    name, equals, value = word.partition("=")
    if not name:
        raise QueryError("query word without a property name")
    if not equals:
        if operator != "=":
            raise QueryError(f"query {operator}{name} needs a value")
        return lambda stack, item: stack.push(name in item)
    wanted = normalize(name, value)

    def compare(stack: _Stack, item: Item) -> None:
        actual = item.get(name)
        if actual is None:
            stack.push(False)
        elif operator == "=":
            stack.push(actual == wanted)
        elif operator == "<":
            stack.push(_less(actual, wanted))
        else:
            stack.push(_less(wanted, actual))

    return compare


def _step(word: str, normalize: Normalizer) -> Step:
    body = word[1:]  # drop the "?"
    if body.startswith("#"):
        return _operations(body[1:])
    if body.startswith("-"):
        name = body[1:]
        if not name or "=" in name:
            raise QueryError(f"bad query word {word!r}")
        return lambda stack, item: stack.push(name not in item)
    if not body:
        raise QueryError("empty query word")
    return _comparison(body, normalize)


@dataclass(frozen=True)
class Query:
    """A compiled query: call it with an item (as printed) to know whether it matches."""

    steps: tuple[Step, ...]

    def __call__(self, item: Item) -> bool:
        stack = _Stack()
        for step in self.steps:
            step(stack, item)
        return stack.result()


def compile_query(words: Sequence[str], normalize: Normalizer = lambda name, value: value) -> Query:
    """The query made of the ``?...`` words of a sentence, in order."""
    return Query(tuple(_step(word, normalize) for word in words))
