"""A small, safe expression language for user rules — parsed here, never ``eval``-ed.

    rule      := expr [ "for" DURATION ]                      (condition must hold that long)
               | "no data for" DURATION                       (absence)
    expr      := and_expr ( "or" and_expr )*
    and_expr  := not_expr ( "and" not_expr )*
    not_expr  := "not" not_expr | comparison
    comparison:= sum ( ( ">" | ">=" | "<" | "<=" | "==" | "!=" ) sum )?
    sum       := term ( ("+" | "-") term )*
    term      := unary ( ("*" | "/") unary )*
    unary     := "-" unary | atom
    atom      := NUMBER [ "%" ] | "value" | FUNC "(" sum [ "," DURATION ] ")" | "(" expr ")"
    FUNC      := mean | median | min | max | std | rate | delta | pct_change | abs
    DURATION  := NUMBER ( "s" | "m" | "h" | "d" )

Examples: ``value > 90 for 10m``, ``rate(value, 5m) > 100``, ``pct_change(value, 1h) < -50``,
``no data for 10m``, ``mean(value, 1h) > 2 * median(value, 1d)``.

The parser produces a small tree of frozen dataclasses; ``evaluate`` runs it vectorised over a
series. Anything else — attribute access, names other than ``value``, calls to other
functions, strings — is a ``RuleError`` naming the position and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 500
UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
FUNCTIONS = ("mean", "median", "min", "max", "std", "rate", "delta", "pct_change", "abs")
WINDOWED = frozenset(FUNCTIONS) - {"abs"}
COMPARISONS = (">=", "<=", "==", "!=", ">", "<")

_TOKEN = re.compile(
    r"\s*(?:(?P<duration>\d+(?:\.\d+)?(?:s|m|h|d)\b)|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<op>>=|<=|==|!=|[-+*/()<>,%])|(?P<word>[A-Za-z_][A-Za-z_0-9]*))"
)


class RuleError(ValueError):
    """A rule that cannot be parsed; the message names the position and what was expected."""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Value:
    pass


@dataclass(frozen=True)
class Call:
    name: str
    arg: Node
    window_s: float | None


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Num | Value | Call | Unary | Binary


@dataclass(frozen=True)
class Rule:
    condition: Node | None  # None: an absence rule
    hold_s: float = 0.0  # how long the condition must hold ("for 10m")
    absence_s: float = 0.0  # "no data for 10m"
    text: str = ""


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokens(text: str) -> list[_Tok]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            bad = text[pos:].lstrip()[:12]
            raise RuleError(
                f"unexpected {bad!r} at position {len(text) - len(text[pos:].lstrip()) + 1}"
            )
        kind = match.lastgroup or ""
        tokens.append(_Tok(kind, match.group(kind), match.start(kind) + 1))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text) + 1))
    return tokens


def parse_duration(text: str) -> float:
    number, unit = float(text[:-1]), text[-1]
    return number * UNITS_S[unit]


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> _Tok:
        return self.tokens[self.i]

    def take(self, text: str | None = None, kind: str | None = None) -> _Tok:
        tok = self.peek()
        if (text is not None and tok.text != text) or (kind is not None and tok.kind != kind):
            wanted = repr(text) if text else kind
            found = repr(tok.text) if tok.text else "the end"
            raise RuleError(f"expected {wanted} at position {tok.pos}, found {found}")
        self.i += 1
        return tok

    def accept(self, text: str) -> bool:
        if self.peek().text == text:
            self.i += 1
            return True
        return False

    def rule(self, source: str) -> Rule:
        if self.peek().text == "no":
            self.take("no")
            self.take("data")
            self.take("for")
            absence = parse_duration(self.take(kind="duration").text)
            self.take(kind="end")
            return Rule(None, absence_s=absence, text=source)
        condition = self.expr()
        hold = 0.0
        if self.accept("for"):
            hold = parse_duration(self.take(kind="duration").text)
        self.take(kind="end")
        return Rule(condition, hold_s=hold, text=source)

    def expr(self) -> Node:
        node = self.and_expr()
        while self.accept("or"):
            node = Binary("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.accept("and"):
            node = Binary("and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.accept("not"):
            return Unary("not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        if self.peek().text in COMPARISONS:
            op = self.take().text
            node = Binary(op, node, self.sum())
        return node

    def sum(self) -> Node:
        node = self.term()
        while self.peek().text in ("+", "-"):
            op = self.take().text
            node = Binary(op, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().text in ("*", "/"):
            op = self.take().text
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.accept("-"):
            return Unary("-", self.unary())
        return self.atom()

    def atom(self) -> Node:
        tok = self.peek()
        if tok.kind == "number":
            self.i += 1
            return Num(float(tok.text))  # a trailing "%" is read by the caller's comparison
        if tok.text == "value":
            self.i += 1
            return Value()
        if tok.text == "(":
            self.i += 1
            node = self.expr()
            self.take(")")
            return node
        if tok.kind == "word" and tok.text in FUNCTIONS:
            self.i += 1
            self.take("(")
            arg = self.sum()
            window = None
            if tok.text in WINDOWED:
                self.take(",")
                window = parse_duration(self.take(kind="duration").text)
            self.take(")")
            return Call(tok.text, arg, window)
        if tok.kind == "word":
            raise RuleError(
                f"unknown name {tok.text!r} at position {tok.pos} "
                f"(use value or one of {', '.join(FUNCTIONS)})"
            )
        found = repr(tok.text) if tok.text else "the end"
        raise RuleError(
            f"expected a number, value or a function at position {tok.pos}, found {found}"
        )


def parse_rule(text: str) -> Rule:
    """Parse ``text`` or raise ``RuleError`` saying where and what is wrong."""
    if not text.strip():
        raise RuleError("the rule is empty")
    if len(text) > MAX_LENGTH:
        raise RuleError(f"the rule is longer than {MAX_LENGTH} characters")
    # "%" after a number means percent; fold it into the number before parsing.
    folded = re.sub(r"(\d+(?:\.\d+)?)\s*%", lambda m: str(float(m.group(1))), text)
    return _Parser(folded).rule(text)
