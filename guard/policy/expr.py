"""The small expression language of policy rules' ``when:`` conditions.

Operators write conditions such as::

    score >= 0.85 and budget.coverage.day > 1.0
    route in ['openai.chat', 'anthropic.messages'] and (n > 1 or logprobs and logit_bias)
    0.5 <= signal.template < 0.9 and not startswith(model, 'gpt')

A hand-written tokenizer and recursive-descent parser turn the text into a small tree, which
is compiled once into nested closures: evaluation sits on the request path, and no Python
``eval``/``compile``/``ast`` ever sees policy text, so a rule can only read the variables it is
given and call the whitelisted functions below.

Grammar, loosest binding first (Python's precedence and associativity)::

    or                      a or b            returns the deciding operand, short-circuits
    and                     a and b           likewise
    not                     not a             always a bool
    comparisons             == != < <= > >= in, not in; chained: 0.5 <= x < 0.9
    additive                + -               left-associative
    multiplicative          * / %             left-associative
    unary                   - +
    atoms                   literals, names, f(args), [lists], (parentheses)

Literals: ints, floats (``1.5``, ``.5``, ``1e-3``), strings in single or double quotes with the
escapes ``\\\\ \\' \\" \\n \\r \\t \\xHH \\uXXXX`` (any other backslash is kept as is, so regular
expressions such as ``'^gpt-\\d'`` need no doubling), ``true``/``false``/``null`` (also
``True``/``False``/``None``) and lists ``[1, 'a', x]``.

Names are identifiers joined by dots (``budget.coverage.day``); hyphens are not part of a name
(``a-b`` is a subtraction) and no part may start with ``__``. A name is looked up as that exact
key of the context first, then as a path through nested mappings (``ctx['budget']['coverage']
['day']``); there is no attribute access and no indexing of values.

Functions (a fixed whitelist, see :data:`FUNCTIONS`)::

    startswith(s, prefix)  endswith(s, suffix)   prefix/suffix: a string or a list of them
    contains(container, item)                    item in container (substring for strings)
    min(a, b, ...)  max(a, b, ...)               or min(list); null arguments are skipped
    abs(x)  len(x)
    matches(s, 'regex')                          re.search; the pattern must be a string
                                                 literal and is compiled with the rule

Evaluation never raises on odd data, because a policy must decide on every request whatever
the context holds:

* a name missing from the context evaluates to ``null`` (``None``);
* ``==`` and ``!=`` compare anything; every other comparison (ordering, ``in``, ``not in``) is
  false when either side is ``null``, and false when Python would raise (``'a' < 1``, ``1 in
  5``), so a condition on missing or mistyped data does not match (``not (x > 1)`` does);
* arithmetic works on numbers (``+`` also joins two strings); anything else gives ``null``,
  and so does an overflow; division or modulo by zero gives ``0``;
* a value whose truth cannot be decided (its ``__bool__`` raises) counts as false;
* functions given unsuitable arguments return ``false`` (predicates) or ``null`` (the rest).
"""

from __future__ import annotations

import difflib
import numbers
import operator
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

__all__ = ["FUNCTIONS", "MAX_DEPTH", "Expr", "ExprError", "compile_expr"]

Context = Mapping[str, Any]
Evaluator = Callable[[Context], Any]

MAX_DEPTH: Final = 50
"""Deepest nesting of parentheses, lists, calls and prefix operators a condition may use.

It keeps parsing and evaluation far from Python's recursion limit whatever the text."""

_EMPTY: Final[Context] = MappingProxyType({})
_MISSING: Final = object()


class ExprError(ValueError):
    """A condition that does not compile, located in its source text.

    ``offset`` is 0-based into ``source``; ``line`` and ``column`` are 1-based (``line`` only
    differs from 1 when the source spans several lines, e.g. a YAML block scalar). ``str()``
    shows the message, the offending line and a caret under the column.
    """

    def __init__(self, message: str, source: str, offset: int) -> None:
        self.message = message
        self.source = source
        self.offset = max(0, min(offset, len(source)))
        line_start = source.rfind("\n", 0, self.offset) + 1
        self.line = source.count("\n", 0, self.offset) + 1
        self.column = self.offset - line_start + 1
        super().__init__(message)

    def __reduce__(self) -> tuple[type[ExprError], tuple[str, str, int]]:
        return (type(self), (self.message, self.source, self.offset))

    def __str__(self) -> str:
        line_start = self.offset - self.column + 1
        line_end = self.source.find("\n", line_start)
        text = self.source[line_start : None if line_end < 0 else line_end]
        pad = "".join("\t" if ch == "\t" else " " for ch in text[: self.column - 1])
        return f"{self.message}\n{text}\n{pad}^"


# --- tokens ------------------------------------------------------------------------------

_KEYWORDS: Final = frozenset({"and", "or", "not", "in"})
_CONSTANTS: Final[Mapping[str, object]] = {
    "true": True,
    "false": False,
    "null": None,
    "True": True,
    "False": False,
    "None": None,
}
_SCAN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<quote>['"])
  | (?P<op>==|!=|<=|>=|[<>+\-*/%()\[\],])
    """,
    re.VERBOSE,
)
_WORD_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_HINTS: Final[Mapping[str, str]] = {
    "=": "unexpected '=' (did you mean '=='?)",
    "&&": "unexpected '&&' (use 'and')",
    "||": "unexpected '||' (use 'or')",
    "&": "unexpected '&' (use 'and')",
    "|": "unexpected '|' (use 'or')",
    "!": "unexpected '!' (use 'not')",
}
_ESCAPES: Final[Mapping[str, str]] = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "string", "const", "name", "op" (keywords too) or "end"
    value: Any
    start: int
    end: int


def _tokenize(source: str) -> Iterator[_Token]:
    """Tokens on demand, so a syntax error is reported before a bad character further on."""
    pos, size = 0, len(source)
    while pos < size:
        match = _SCAN.match(source, pos)
        if match is None:
            two = source[pos : pos + 2]
            hint = _HINTS.get(two) or _HINTS.get(source[pos])
            raise ExprError(hint or f"unexpected character {source[pos]!r}", source, pos)
        kind, end = match.lastgroup, match.end()
        text = match.group()
        if kind == "number":
            if end < size and source[end] in _WORD_CHARS:
                bad = end
                while bad < size and source[bad] in _WORD_CHARS:
                    bad += 1
                raise ExprError(f"invalid number {source[pos:bad]!r}", source, pos)
            value: Any = float(text) if any(c in text for c in ".eE") else int(text)
            yield _Token("number", value, pos, end)
        elif kind == "name":
            if end < size and source[end] == ".":
                raise ExprError("expected an identifier after '.'", source, end + 1)
            if any(part.startswith("__") for part in text.split(".")):
                raise ExprError(
                    f"name {text!r} is not allowed: no part of a name may start with '__'",
                    source,
                    pos,
                )
            if text in _KEYWORDS:
                yield _Token("op", text, pos, end)
            elif text in _CONSTANTS:
                yield _Token("const", _CONSTANTS[text], pos, end)
            else:
                yield _Token("name", text, pos, end)
        elif kind == "quote":
            value, end = _scan_string(source, pos)
            yield _Token("string", value, pos, end)
        elif kind == "op":
            yield _Token("op", text, pos, end)
        pos = end
    yield _Token("end", None, size, size)


def _scan_string(source: str, start: int) -> tuple[str, int]:
    quote, pos, size = source[start], start + 1, len(source)
    out: list[str] = []
    while pos < size:
        ch = source[pos]
        if ch == quote:
            return "".join(out), pos + 1
        if ch != "\\" or pos + 1 >= size:
            out.append(ch)
            pos += 1
            continue
        nxt = source[pos + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            pos += 2
        elif nxt in "xu":
            width = 2 if nxt == "x" else 4
            digits = source[pos + 2 : pos + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ExprError(
                    f"invalid \\{nxt} escape (expected {width} hex digits)", source, pos
                )
            out.append(chr(int(digits, 16)))
            pos += 2 + width
        else:  # kept verbatim so regular expressions read naturally: '\d', '\.', '\b'
            out.append("\\" + nxt)
            pos += 2
    raise ExprError("unterminated string", source, start)


def _describe(token: _Token, source: str) -> str:
    text = source[token.start : token.end]
    if token.kind == "end":
        return "the end of the expression"
    if token.kind == "name":
        return f"name {text!r}"
    if token.kind in ("number", "string"):
        return f"{token.kind} {text}"
    return repr(text)


# --- runtime semantics -------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return type(value) is int or type(value) is float or isinstance(value, numbers.Number)


def _truthy(value: object) -> bool:
    try:
        return bool(value)
    except Exception:
        return False


def _add(a: Any, b: Any) -> Any:
    if (_is_number(a) and _is_number(b)) or (type(a) is str and type(b) is str):
        try:
            return a + b
        except Exception:
            return None
    return None


def _numeric(op: Callable[[Any, Any], Any], by_zero: bool) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if not (_is_number(a) and _is_number(b)):
            return None
        try:
            if by_zero and b == 0:
                return 0
            return op(a, b)
        except Exception:
            return None

    return apply


_ARITHMETIC: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "+": _add,
    "-": _numeric(operator.sub, by_zero=False),
    "*": _numeric(operator.mul, by_zero=False),
    "/": _numeric(operator.truediv, by_zero=True),
    "%": _numeric(operator.mod, by_zero=True),
}


def _negate(a: Any) -> Any:
    if not _is_number(a):
        return None
    try:
        return -a
    except Exception:
        return None


def _plus(a: Any) -> Any:
    return a if _is_number(a) else None


def _member(a: Any, b: Any) -> bool:
    return a in b


def _not_member(a: Any, b: Any) -> bool:
    return a not in b


_RAW_COMPARE: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": _member,
    "not in": _not_member,
}
_EQUALITY: Final = frozenset({"==", "!="})


def _safe_compare(op: str) -> Callable[[Any, Any], bool]:
    raw = _RAW_COMPARE[op]
    if op in _EQUALITY:

        def equality(a: Any, b: Any) -> bool:
            try:
                return bool(raw(a, b))
            except Exception:
                return False

        return equality

    def ordering(a: Any, b: Any) -> bool:
        if a is None or b is None:
            return False
        try:
            return bool(raw(a, b))
        except Exception:
            return False

    return ordering


_COMPARE: Final = {op: _safe_compare(op) for op in _RAW_COMPARE}


def _container(value: Any) -> Any:
    """A constant list on the right of ``in`` becomes a frozenset when it can (O(1) lookups)."""
    if isinstance(value, list):
        try:
            return frozenset(value)
        except TypeError:
            return tuple(value)
    return value


def _affix(method: str) -> Callable[[Any, Any], bool]:
    def check(s: Any, affix: Any) -> bool:
        if not isinstance(s, str):
            return False
        if isinstance(affix, (list, tuple)):
            affix = tuple(affix)
            if not all(isinstance(a, str) for a in affix):
                return False
        elif not isinstance(affix, str):
            return False
        return bool(getattr(s, method)(affix))

    return check


def _contains(container: Any, item: Any) -> bool:
    return _COMPARE["in"](item, container)


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def choose(*args: Any) -> Any:
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            args = tuple(args[0])
        values = [a for a in args if a is not None]
        if not values:
            return None
        try:
            return pick(values)
        except Exception:
            return None

    return choose


def _abs(x: Any) -> Any:
    if not _is_number(x):
        return None
    try:
        return abs(x)
    except Exception:
        return None


def _len(x: Any) -> Any:
    if x is None or _is_number(x):
        return None
    try:
        return len(x)
    except Exception:
        return None


@dataclass(frozen=True, slots=True)
class _Function:
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None


_FUNCTIONS: Final[Mapping[str, _Function]] = {
    "startswith": _Function(_affix("startswith"), 2, 2),
    "endswith": _Function(_affix("endswith"), 2, 2),
    "contains": _Function(_contains, 2, 2),
    "min": _Function(_extreme(min), 1, None),
    "max": _Function(_extreme(max), 1, None),
    "abs": _Function(_abs, 1, 1),
    "len": _Function(_len, 1, 1),
    "matches": _Function(lambda s, pattern: False, 2, 2),  # compiled specially, see _Call
}
FUNCTIONS: Final = frozenset(_FUNCTIONS)
"""The names of the functions a condition may call."""


# --- the tree ----------------------------------------------------------------------------


def _constant(value: Any) -> Evaluator:
    def constant(ctx: Context) -> Any:
        return value

    return constant


def _compile(node: _Node) -> Evaluator:
    """Compile ``node``; a subtree that reads no name is folded into its value right away."""
    if isinstance(node, _Const) or node.reads_names():
        return node.build()
    return _constant(node.build()(_EMPTY))


def _constant_value(node: _Node) -> tuple[bool, Any]:
    if node.reads_names():
        return False, None
    return True, node.build()(_EMPTY)


class _Node:
    __slots__ = ("end", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end

    def children(self) -> Sequence[_Node]:
        return ()

    def reads_names(self) -> bool:
        return any(child.reads_names() for child in self.children())

    def build(self) -> Evaluator:
        raise NotImplementedError

    def conditions(self) -> Iterator[_Node]:
        """The leaf conditions under the boolean operators, for :meth:`Expr.explain`."""
        yield self


class _Const(_Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, start: int, end: int) -> None:
        super().__init__(start, end)
        self.value = value

    def build(self) -> Evaluator:
        return _constant(self.value)


class _Name(_Node):
    __slots__ = ("name",)

    def __init__(self, name: str, start: int, end: int) -> None:
        super().__init__(start, end)
        self.name = name

    def reads_names(self) -> bool:
        return True

    def build(self) -> Evaluator:
        name = self.name
        if "." not in name:

            def lookup(ctx: Context) -> Any:
                return ctx.get(name)

            return lookup

        parts = tuple(name.split("."))

        def lookup_path(ctx: Context) -> Any:
            value = ctx.get(name, _MISSING)
            if value is not _MISSING:
                return value
            value = ctx
            for part in parts:
                if type(value) is not dict and not isinstance(value, Mapping):
                    return None
                value = value.get(part)
            return value

        return lookup_path


class _List(_Node):
    __slots__ = ("items",)

    def __init__(self, items: list[_Node], start: int, end: int) -> None:
        super().__init__(start, end)
        self.items = items

    def children(self) -> Sequence[_Node]:
        return self.items

    def build(self) -> Evaluator:
        fns = tuple(_compile(item) for item in self.items)

        def make_list(ctx: Context) -> Any:
            return [fn(ctx) for fn in fns]

        return make_list


class _Unary(_Node):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: _Node, start: int) -> None:
        super().__init__(start, operand.end)
        self.op = op
        self.operand = operand

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def build(self) -> Evaluator:
        apply = _negate if self.op == "-" else _plus
        operand = _compile(self.operand)

        def unary(ctx: Context) -> Any:
            return apply(operand(ctx))

        return unary


class _Arithmetic(_Node):
    """A left-associative run such as ``a + b - c``, kept flat so long runs stay shallow."""

    __slots__ = ("first", "rest")

    def __init__(self, first: _Node, rest: list[tuple[str, _Node]]) -> None:
        super().__init__(first.start, rest[-1][1].end)
        self.first = first
        self.rest = rest

    def children(self) -> Sequence[_Node]:
        return [self.first, *(node for _, node in self.rest)]

    def build(self) -> Evaluator:
        first = _compile(self.first)
        rest = tuple((_ARITHMETIC[op], _compile(node)) for op, node in self.rest)
        if len(rest) == 1:
            ((apply, second),) = rest

            def binary(ctx: Context) -> Any:
                return apply(first(ctx), second(ctx))

            return binary

        def run(ctx: Context) -> Any:
            value = first(ctx)
            for apply, fn in rest:
                value = apply(value, fn(ctx))
            return value

        return run


class _Compare(_Node):
    """A comparison, chained like Python's: ``a < b < c`` is ``a < b and b < c``."""

    __slots__ = ("operands", "ops")

    def __init__(self, operands: list[_Node], ops: list[str]) -> None:
        super().__init__(operands[0].start, operands[-1].end)
        self.operands = operands
        self.ops = ops

    def children(self) -> Sequence[_Node]:
        return self.operands

    def build(self) -> Evaluator:
        if len(self.ops) == 1:
            return self._build_single()
        first = _compile(self.operands[0])
        pairs = zip(self.ops, self.operands[1:], strict=True)
        checks = tuple((_COMPARE[op], _compile(node)) for op, node in pairs)

        def chain(ctx: Context) -> bool:
            left = first(ctx)
            for check, fn in checks:
                right = fn(ctx)
                if not check(left, right):
                    return False
                left = right
            return True

        return chain

    def _build_single(self) -> Evaluator:
        # The common shape, ``name OP constant``, gets a closure of its own: this is the hot
        # path of every rule.
        op = self.ops[0]
        left = _compile(self.operands[0])
        is_const, constant = _constant_value(self.operands[1])
        if not is_const:
            check = _COMPARE[op]
            right = _compile(self.operands[1])

            def compare(ctx: Context) -> bool:
                return check(left(ctx), right(ctx))

            return compare

        raw = _RAW_COMPARE[op]
        if op in _EQUALITY:

            def equal_constant(ctx: Context) -> bool:
                try:
                    return bool(raw(left(ctx), constant))
                except Exception:
                    return False

            return equal_constant
        if constant is None:
            return _constant(False)
        if op in ("in", "not in"):
            constant = _container(constant)

        def order_constant(ctx: Context) -> bool:
            value = left(ctx)
            if value is None:
                return False
            try:
                return bool(raw(value, constant))
            except Exception:
                return False

        return order_constant


class _Not(_Node):
    __slots__ = ("operand",)

    def __init__(self, operand: _Node, start: int) -> None:
        super().__init__(start, operand.end)
        self.operand = operand

    def children(self) -> Sequence[_Node]:
        return (self.operand,)

    def conditions(self) -> Iterator[_Node]:
        # ``not has_key`` is one condition; ``not (a or b)`` is explained by a and b.
        if isinstance(self.operand, (_BoolOp, _Not)):
            yield from self.operand.conditions()
        else:
            yield self

    def build(self) -> Evaluator:
        operand = _compile(self.operand)

        def negation(ctx: Context) -> bool:
            value = operand(ctx)
            try:
                return not value
            except Exception:
                return True

        return negation


class _BoolOp(_Node):
    """``a and b and c`` (or ``or``), flat, returning the deciding operand like Python."""

    __slots__ = ("is_and", "operands")

    def __init__(self, is_and: bool, operands: list[_Node]) -> None:
        super().__init__(operands[0].start, operands[-1].end)
        self.is_and = is_and
        self.operands = operands

    def children(self) -> Sequence[_Node]:
        return self.operands

    def conditions(self) -> Iterator[_Node]:
        for operand in self.operands:
            yield from operand.conditions()

    def build(self) -> Evaluator:
        fns = tuple(_compile(node) for node in self.operands)
        # ``stop_on`` is the truth value that decides the result: false for and, true for or.
        stop_on = not self.is_and
        if len(fns) == 2:
            first, second = fns

            def pair(ctx: Context) -> Any:
                value = first(ctx)
                try:
                    if bool(value) is stop_on:
                        return value
                except Exception:
                    if not stop_on:
                        return False
                return second(ctx)

            return pair

        def run(ctx: Context) -> Any:
            value = None
            for fn in fns:
                value = fn(ctx)
                try:
                    if bool(value) is stop_on:
                        return value
                except Exception:
                    if not stop_on:
                        return False
            return value

        return run


class _Call(_Node):
    __slots__ = ("args", "function", "pattern")

    def __init__(
        self,
        function: str,
        args: list[_Node],
        start: int,
        end: int,
        pattern: re.Pattern[str] | None = None,
    ) -> None:
        super().__init__(start, end)
        self.function = function
        self.args = args
        self.pattern = pattern

    def children(self) -> Sequence[_Node]:
        return self.args

    def build(self) -> Evaluator:
        if self.pattern is not None:
            search = self.pattern.search
            subject = _compile(self.args[0])

            def matches(ctx: Context) -> bool:
                value = subject(ctx)
                return isinstance(value, str) and search(value) is not None

            return matches

        impl = _FUNCTIONS[self.function].impl
        fns = tuple(_compile(arg) for arg in self.args)
        if len(fns) == 1:
            (only,) = fns

            def call_one(ctx: Context) -> Any:
                return impl(only(ctx))

            return call_one
        if len(fns) == 2:
            first, second = fns

            def call_two(ctx: Context) -> Any:
                return impl(first(ctx), second(ctx))

            return call_two

        def call(ctx: Context) -> Any:
            return impl(*[fn(ctx) for fn in fns])

        return call


# --- the parser --------------------------------------------------------------------------

_COMPARISON_OPS: Final = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})


class _Parser:
    def __init__(
        self, source: str, known: Callable[[str], bool] | None, choices: list[str]
    ) -> None:
        self.source = source
        self.stream = _tokenize(source)
        self.tokens: list[_Token] = [next(self.stream)]
        self.pos = 0
        self.depth = 0
        self.known = known
        self.choices = choices
        self.names: set[str] = set()

    @property
    def token(self) -> _Token:
        while self.pos >= len(self.tokens):
            self.tokens.append(next(self.stream))
        return self.tokens[self.pos]

    def error(self, message: str, offset: int) -> ExprError:
        return ExprError(message, self.source, offset)

    def at(self, value: str) -> bool:
        token = self.token
        return token.kind == "op" and token.value == value

    def advance(self) -> _Token:
        token = self.token
        self.pos += 1
        return token

    def nest(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression is nested too deeply (limit {MAX_DEPTH})", token.start)

    def parse(self) -> _Node:
        if self.token.kind == "end":
            raise self.error("empty expression", 0)
        node = self.parse_or()
        token = self.token
        if token.kind != "end":
            if token.kind == "op" and token.value == ")":
                raise self.error("unmatched ')'", token.start)
            if token.kind == "op" and token.value == "]":
                raise self.error("unmatched ']'", token.start)
            if token.kind == "name" and token.value == "is":
                raise self.error("unexpected name 'is' (use '==' or '!=')", token.start)
            raise self.error(f"unexpected {_describe(token, self.source)}", token.start)
        return node

    def parse_or(self) -> _Node:
        operands = [self.parse_and()]
        while self.at("or"):
            self.advance()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else _BoolOp(False, operands)

    def parse_and(self) -> _Node:
        operands = [self.parse_not()]
        while self.at("and"):
            self.advance()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else _BoolOp(True, operands)

    def parse_not(self) -> _Node:
        if not self.at("not"):
            return self.parse_comparison()
        token = self.advance()
        self.nest(token)
        node = _Not(self.parse_not(), token.start)
        self.depth -= 1
        return node

    def parse_comparison(self) -> _Node:
        operands = [self.parse_additive()]
        ops: list[str] = []
        while True:
            token = self.token
            if token.kind != "op":
                break
            if token.value in _COMPARISON_OPS:
                self.advance()
                ops.append(token.value)
            elif token.value == "not":
                self.advance()
                if not self.at("in"):
                    found = _describe(self.token, self.source)
                    raise self.error(f"expected 'in' after 'not', found {found}", self.token.start)
                self.advance()
                ops.append("not in")
            else:
                break
            operands.append(self.parse_additive())
        return operands[0] if not ops else _Compare(operands, ops)

    def parse_additive(self) -> _Node:
        first = self.parse_multiplicative()
        rest: list[tuple[str, _Node]] = []
        while self.token.kind == "op" and self.token.value in ("+", "-"):
            op = self.advance().value
            rest.append((op, self.parse_multiplicative()))
        return _Arithmetic(first, rest) if rest else first

    def parse_multiplicative(self) -> _Node:
        first = self.parse_unary()
        rest: list[tuple[str, _Node]] = []
        while self.token.kind == "op" and self.token.value in ("*", "/", "%"):
            op = self.advance().value
            rest.append((op, self.parse_unary()))
        return _Arithmetic(first, rest) if rest else first

    def parse_unary(self) -> _Node:
        if not (self.at("-") or self.at("+")):
            return self.parse_atom()
        token = self.advance()
        self.nest(token)
        node = _Unary(token.value, self.parse_unary(), token.start)
        self.depth -= 1
        return node

    def parse_atom(self) -> _Node:
        token = self.token
        if token.kind in ("number", "string", "const"):
            self.advance()
            return _Const(token.value, token.start, token.end)
        if token.kind == "name":
            self.advance()
            if self.at("("):
                return self.parse_call(token)
            return self.name(token)
        if self.at("("):
            self.advance()
            self.nest(token)
            node = self.parse_or()
            self.close(token, ")")
            self.depth -= 1
            node.start, node.end = token.start, self.tokens[self.pos - 1].end
            return node
        if self.at("["):
            self.advance()
            self.nest(token)
            items = self.parse_items(token, "]")
            self.depth -= 1
            return _List(items, token.start, self.tokens[self.pos - 1].end)
        raise self.error(f"expected a value, found {_describe(token, self.source)}", token.start)

    def parse_items(self, opening: _Token, closing: str) -> list[_Node]:
        """Comma-separated expressions up to ``closing``; a trailing comma is allowed."""
        items: list[_Node] = []
        while not self.at(closing):
            if self.token.kind == "end":
                raise self.error(f"'{opening.value}' was never closed", opening.start)
            items.append(self.parse_or())
            if self.at(","):
                self.advance()
            elif not self.at(closing):
                self.close(opening, closing, f"expected ',' or '{closing}'")
        self.advance()
        return items

    def close(self, opening: _Token, closing: str, expected: str | None = None) -> None:
        if self.at(closing):
            self.advance()
            return
        token = self.token
        if token.kind == "end":
            raise self.error(f"'{opening.value}' was never closed", opening.start)
        expected = expected or f"expected '{closing}'"
        raise self.error(f"{expected}, found {_describe(token, self.source)}", token.start)

    def name(self, token: _Token) -> _Node:
        name: str = token.value
        if self.known is not None and not self.known(name):
            message = f"unknown name {name!r}"
            close = difflib.get_close_matches(name, self.choices, n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
            raise self.error(message, token.start)
        self.names.add(name)
        return _Name(name, token.start, token.end)

    def parse_call(self, name: _Token) -> _Node:
        function: str = name.value
        if function not in _FUNCTIONS:
            message = f"unknown function {function!r}"
            method = function.rsplit(".", 1)
            if len(method) == 2 and method[1] in _FUNCTIONS:
                message += f" (there are no methods: write {method[1]}({method[0]}, ...))"
            else:
                close = difflib.get_close_matches(function, sorted(_FUNCTIONS), n=1)
                if close:
                    message += f" (did you mean {close[0]!r}?)"
            raise self.error(message, name.start)
        opening = self.advance()
        self.nest(name)
        args = self.parse_items(opening, ")")
        self.depth -= 1
        end = self.tokens[self.pos - 1].end
        spec = _FUNCTIONS[function]
        count = len(args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            if spec.max_args is None:
                wanted = f"at least {spec.min_args}"
            else:
                wanted = str(spec.min_args)
            plural = "" if wanted.endswith(" 1") or wanted == "1" else "s"
            raise self.error(
                f"{function}() takes {wanted} argument{plural} ({count} given)", name.start
            )
        pattern = None
        if function == "matches":
            pattern = self.pattern(args[1])
        return _Call(function, args, name.start, end, pattern)

    def pattern(self, node: _Node) -> re.Pattern[str]:
        if not (isinstance(node, _Const) and isinstance(node.value, str)):
            raise self.error("the pattern of matches() must be a string literal", node.start)
        try:
            return re.compile(node.value)
        except re.error as exc:
            offset = node.start
            raw = self.source[node.start + 1 : node.end - 1]
            if raw == node.value and exc.pos is not None:
                offset = node.start + 1 + exc.pos  # no escapes: pattern positions map 1:1
            raise self.error(f"invalid regular expression: {exc.msg}", offset) from None


# --- the public face ---------------------------------------------------------------------


class Expr:
    """A compiled condition: evaluate it as often as you like, it never changes.

    ``names`` holds every variable the condition reads, whether or not a given evaluation
    reaches it (short-circuiting may skip some).
    """

    __slots__ = ("_conditions", "_fn", "_tree", "names", "source")

    def __init__(self, source: str, tree: _Node, names: frozenset[str]) -> None:
        self.source = source
        self.names = names
        self._tree = tree
        self._fn = _compile(tree)
        self._conditions: list[tuple[str, Evaluator]] | None = None

    def __repr__(self) -> str:
        return f"Expr({self.source!r})"

    def evaluate(self, ctx: Context) -> Any:
        """The condition's value in ``ctx`` (see the module docstring for the semantics)."""
        return self._fn(ctx)

    def truth(self, ctx: Context) -> bool:
        """Whether the condition holds in ``ctx``."""
        value = self._fn(ctx)
        if value is True or value is False:
            return value
        return _truthy(value)

    def explain(self, ctx: Context) -> list[tuple[str, Any]]:
        """Each leaf condition under ``and``/``or``, as (source text, value), in source order.

        A leaf is anything that is not an ``and``/``or`` (a comparison, a call, a bare name,
        ``not`` of one of those); ``not (a or b)`` is explained by ``a`` and ``b``.

        Every leaf is evaluated, even those short-circuiting would skip, so an operator sees
        all the reasons at once; the overall result is :meth:`evaluate`'s.
        """
        if self._conditions is None:
            self._conditions = [
                (self.source[node.start : node.end], _compile(node))
                for node in self._tree.conditions()
            ]
        return [(text, fn(ctx)) for text, fn in self._conditions]

    def always(self) -> bool:
        """Whether the condition holds in every context, as far as its constants show.

        ``true``, ``1 < 2``, ``score > 0.5 or true`` always hold; a condition that reads a
        name in a way that decides the result is never assumed to. Used to find rules that
        make every later rule unreachable.
        """
        return _always(self._tree) is True

    def bindings(self, ctx: Context) -> dict[str, Any]:
        """The value of every name the condition reads, as looked up in ``ctx``."""
        return {name: _Name(name, 0, 0).build()(ctx) for name in sorted(self.names)}


def _always(node: _Node) -> bool | None:
    """Truth of ``node`` in every context: True, False, or None when it depends."""
    if isinstance(node, _BoolOp):
        results = [_always(operand) for operand in node.operands]
        decisive, other = (False, True) if node.is_and else (True, False)
        if decisive in results:
            return decisive
        return other if all(r is other for r in results) else None
    if isinstance(node, _Not):
        inner = _always(node.operand)
        return None if inner is None else not inner
    is_const, value = _constant_value(node)
    return _truthy(value) if is_const else None


def compile_expr(
    source: str, *, names: Collection[str] | Callable[[str], bool] | None = None
) -> Expr:
    """Parse and compile a condition, or raise :class:`ExprError` saying where it is wrong.

    ``names``, when given, are the variables a condition may read (a collection, checked
    with suggestions for near misses, or a predicate); anything else is rejected here
    rather than silently evaluating to null on every request.
    """
    known: Callable[[str], bool] | None
    choices: list[str] = []
    if names is None:
        known = None
    elif callable(names):
        known = names
    else:
        allowed = frozenset(names)
        known = allowed.__contains__
        choices = sorted(allowed)
    parser = _Parser(source, known, choices)
    tree = parser.parse()
    return Expr(source, tree, frozenset(parser.names))
