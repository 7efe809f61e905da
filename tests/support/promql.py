"""A small PromQL evaluator: exactly the parts askflow's alert rules use (promtool-style unit tests).

Supported: vector selectors with ``=``, ``!=``, ``=~``, ``!~`` matchers; range selectors in
minutes; ``increase``, ``min_over_time``, ``absent``; ``sum by (...)``; a comparison with a number
(``>``, ``>=``, ``<``, ``<=``, ``==``, ``!=``) that filters. Anything else is a SyntaxError, so a rule
that starts using more PromQL fails its tests until the evaluator learns it.

Semantics follow Prometheus (https://prometheus.io/docs/prometheus/latest/querying/) with one
simplification: ``increase`` sums the sample-to-sample rises in the window (counter resets counted
from zero) without Prometheus' extrapolation to the window's edges, so it never overstates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Labels = frozenset[tuple[str, str]]
#: Series: labels (with __name__) -> [(seconds, value)], sorted by time.
Series = Mapping[Labels, Sequence[tuple[float, float]]]

LOOKBACK = 300.0  # Prometheus' default lookback delta for instant selectors (5m)

_TOKEN = re.compile(r'\s*(?:(?P<num>\d+(?:\.\d+)?)(?P<unit>[smhd])?(?![a-zA-Z_])|(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)'
                    r'|(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>=~|!~|==|!=|>=|<=|[{}()\[\],=<>]))')
_UNITS = {None: 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def _unquote(body: str) -> str:
    """A double-quoted PromQL string's content; an escape Go's strconv would refuse is an error."""
    def one(m: re.Match[str]) -> str:
        c = m.group(1)
        if c not in _ESCAPES:
            raise SyntaxError(f"invalid escape \\{c} in a PromQL string")
        return _ESCAPES[c]
    return re.sub(r"\\(.)", one, body)


_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t"}


def labels(metric: str, /, **kw: str) -> Labels:
    return frozenset({("__name__", metric), *kw.items()})


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            raise SyntaxError(f"unsupported PromQL at {text[pos:]!r}")
        pos = m.end()
        if m.group("num") is not None:
            out.append(("num", m.group("num") + (m.group("unit") or "")))
        elif m.group("name"):
            out.append(("name", m.group("name")))
        elif m.group("str"):
            out.append(("str", _unquote(m.group("str")[1:-1])))
        else:
            out.append(("op", m.group("op")))
    return out


@dataclass
class _Parser:
    toks: list[tuple[str, str]]
    i: int = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            raise SyntaxError(f"expected {value or kind}, found {tok}")
        self.i += 1
        return tok[1]

    def expr(self) -> tuple:
        left = self.unary()
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in (">", ">=", "<", "<=", "==", "!="):
            self.take()
            return ("cmp", tok[1], left, float(self.take("num")))
        return left

    def unary(self) -> tuple:
        name = self.take("name")
        if name == "sum":
            by: tuple[str, ...] = ()
            if self.peek() == ("name", "by"):
                self.take()
                self.take("op", "(")
                by = tuple(self._names())
            self.take("op", "(")
            inner = self.expr()
            self.take("op", ")")
            return ("sum", by, inner)
        if name in ("increase", "min_over_time", "absent"):
            self.take("op", "(")
            inner = self.expr()
            self.take("op", ")")
            return ("call", name, inner)
        if self.peek() == ("op", "("):
            raise SyntaxError(f"function {name} is not supported")
        matchers = [("__name__", "=", name)]
        if self.peek() == ("op", "{"):
            self.take()
            while self.peek() != ("op", "}"):
                key = self.take("name")
                op = self.take("op")
                if op not in ("=", "!=", "=~", "!~"):
                    raise SyntaxError(f"matcher operator {op}")
                matchers.append((key, op, self.take("str")))
                if self.peek() == ("op", ","):
                    self.take()
            self.take("op", "}")
        node: tuple = ("sel", tuple(matchers))
        if self.peek() == ("op", "["):
            self.take()
            num = self.take("num")
            self.take("op", "]")
            m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", num)
            if not m:
                raise SyntaxError(f"range {num!r} needs a unit")
            node = ("range", node, float(m.group(1)) * _UNITS[m.group(2)])
        return node

    def _names(self) -> list[str]:
        names = []
        while self.peek() != ("op", ")"):
            names.append(self.take("name"))
            if self.peek() == ("op", ","):
                self.take()
        self.take("op", ")")
        return names


def parse(text: str) -> tuple:
    p = _Parser(_tokens(text))
    node = p.expr()
    if p.peek() is not None:
        raise SyntaxError(f"unexpected {p.peek()}")
    return node


def _matches(lbls: Labels, matchers: tuple) -> bool:
    d = dict(lbls)
    for key, op, value in matchers:
        have = d.get(key, "")
        ok = {"=": have == value, "!=": have != value,
              "=~": re.fullmatch(value, have) is not None, "!~": re.fullmatch(value, have) is None}[op]
        if not ok:
            return False
    return True


def _drop_name(lbls: Labels) -> Labels:
    return frozenset(kv for kv in lbls if kv[0] != "__name__")


def _increase(samples: Sequence[tuple[float, float]]) -> float:
    total = 0.0
    for (_, a), (_, b) in zip(samples, samples[1:], strict=False):
        total += b - a if b >= a else b  # a counter reset starts again from zero
    return total


def evaluate(text: str, series: Series, at: float) -> dict[Labels, float]:
    """The instant vector ``text`` gives at time ``at`` (seconds) over ``series``."""
    return _eval(parse(text), series, at)


def _eval(node: tuple, series: Series, at: float) -> dict[Labels, float]:
    kind = node[0]
    if kind == "sel":
        out = {}
        for lbls, samples in series.items():
            if _matches(lbls, node[1]):
                recent = [(t, v) for t, v in samples if at - LOOKBACK < t <= at]
                if recent:
                    out[lbls] = recent[-1][1]
        return out
    if kind == "cmp":
        op, inner, bound = node[1], _eval(node[2], series, at), node[3]
        test = {">": lambda v: v > bound, ">=": lambda v: v >= bound, "<": lambda v: v < bound,
                "<=": lambda v: v <= bound, "==": lambda v: v == bound, "!=": lambda v: v != bound}[op]
        return {k: v for k, v in inner.items() if test(v)}
    if kind == "sum":
        by, inner = node[1], _eval(node[2], series, at)
        out: dict[Labels, float] = {}
        for lbls, value in inner.items():
            key = frozenset(kv for kv in lbls if kv[0] in by)
            out[key] = out.get(key, 0.0) + value
        return out
    if kind == "call":
        name, arg = node[1], node[2]
        if name == "absent":
            return {} if _eval(arg, series, at) else {frozenset(): 1.0}
        if arg[0] != "range":
            raise SyntaxError(f"{name} needs a range vector")
        selector, width = arg[1], arg[2]
        out = {}
        for lbls, samples in series.items():
            if _matches(lbls, selector[1]):
                window = [(t, v) for t, v in samples if at - width < t <= at]
                if name == "increase" and len(window) >= 2:
                    out[_drop_name(lbls)] = _increase(window)
                elif name == "min_over_time" and window:
                    out[_drop_name(lbls)] = min(v for _, v in window)
        return out
    raise SyntaxError(f"a bare {kind} is not an instant vector")
