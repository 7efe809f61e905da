"""Read a Terraform provider's resource schemas from its Go source (for :mod:`.generate`).

pulumi-alicloud enforces at preview what terraform-provider-alicloud's schema says (``ValidateFunc``,
``ForceNew``, ``Deprecated``, the resource's ``DeprecationMessage``), but its Pulumi package schema
carries only names, types and property-level deprecations. This module reads the rest from the Go
source of a checkout, without Go: a resource function's ``Schema: map[string]*schema.Schema{...}``
literal is parsed for the fields the contract needs, and each fact keeps the file and line it
came from. Validators it cannot express as data (custom Go functions) are recorded as
``{"unparsed": <expression>}`` and never checked.

Also reads terraform-provider-random's plugin-framework resources (``RequiresReplace`` plan
modifiers and ``int64validator`` bounds) for pulumi-random.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


class Git:
    """Files of one commit of a git repository (a bare mirror or a checkout)."""

    def __init__(self, git_dir: Path, ref: str = "HEAD") -> None:
        self.git_dir = git_dir
        self.commit = self._run("rev-parse", f"{ref}^{{commit}}").strip()
        self.describe = self._run("describe", "--tags", "--always", self.commit).strip()
        self.date = self._run("log", "-1", "--format=%cI", self.commit).strip()

    def _run(self, *args: str) -> str:
        return subprocess.run(
            ["git", f"--git-dir={self.git_dir}", *args], check=True, capture_output=True, text=True
        ).stdout

    @cache  # noqa: B019 (one Git per generation run)
    def show(self, path: str) -> str:
        return self._run("show", f"{self.commit}:{path}")

    def grep(self, pattern: str, *paths: str) -> list[tuple[str, int, str]]:
        """``git grep -n -E`` at the commit: (path, line, text) per hit."""
        proc = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", "grep", "-n", "-E", pattern, self.commit, "--", *paths],
            capture_output=True, text=True,
        )
        hits = []
        for line in proc.stdout.splitlines():
            _, path, number, text = line.split(":", 3)
            hits.append((path, int(number), text))
        return hits


# --- a small Go literal reader -------------------------------------------------------------------

def _skip_string(src: str, i: int) -> int:
    """Index after the string literal starting at ``src[i]`` (``"..."``, ```...```, ``'.'``)."""
    quote = src[i]
    if quote == "`":
        return src.index("`", i + 1) + 1
    j = i + 1
    while src[j] != quote:
        j += 2 if src[j] == "\\" else 1
    return j + 1


def matching(src: str, i: int) -> int:
    """Index of the bracket closing the one at ``src[i]``, strings and comments skipped."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = [pairs[src[i]]]
    j = i + 1
    while stack:
        c = src[j]
        if c in "\"`'":
            j = _skip_string(src, j)
            continue
        if src.startswith("//", j):
            j = src.index("\n", j)
            continue
        if src.startswith("/*", j):
            j = src.index("*/", j) + 2
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if c != stack[-1]:
                raise ValueError(f"unbalanced {c!r} at offset {j}")
            stack.pop()
        j += 1
    return j - 1


def split_top(body: str, sep: str = ",") -> list[str]:
    """``body`` split at ``sep`` outside brackets, strings and comments."""
    parts, depth, start, j = [], 0, 0, 0
    while j < len(body):
        c = body[j]
        if c in "\"`'":
            j = _skip_string(body, j)
            continue
        if body.startswith("//", j):
            end = body.find("\n", j)
            j = len(body) if end < 0 else end
            continue
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(body[start:j])
            start = j + 1
        j += 1
    parts.append(body[start:])
    return [p for p in (_strip_comments(p).strip() for p in parts) if p]


def _strip_comments(text: str) -> str:
    out, j = [], 0
    while j < len(text):
        c = text[j]
        if c in "\"`'":
            k = _skip_string(text, j)
            out.append(text[j:k])
            j = k
        elif text.startswith("//", j):
            end = text.find("\n", j)
            j = len(text) if end < 0 else end
        elif text.startswith("/*", j):
            j = text.index("*/", j) + 2
        else:
            out.append(c)
            j += 1
    return "".join(out)


def go_string(literal: str) -> str | None:
    """The value of a Go string literal, or None when ``literal`` is not one."""
    literal = literal.strip()
    if len(literal) >= 2 and literal[0] == literal[-1] == "`":
        return literal[1:-1]
    if len(literal) >= 2 and literal[0] == literal[-1] == '"':
        inner = literal[1:-1]
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), inner)
    return None


# --- terraform-plugin-sdk schemas (terraform-provider-alicloud) -----------------------------------

@dataclass
class Attribute:
    """What the contract keeps of one ``*schema.Schema`` entry."""

    line: int
    force_new: bool = False
    deprecated: str | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    each_rules: list[dict[str, Any]] = field(default_factory=list)  # on the elements of a list/set
    nested: dict[str, Attribute] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line}
        if self.force_new:
            out["forceNew"] = True
        if self.deprecated:
            out["deprecated"] = self.deprecated
        if self.rules:
            out["rules"] = self.rules
        if self.each_rules:
            out["eachRules"] = self.each_rules
        if self.nested:
            out["nested"] = {k: v.to_json() for k, v in sorted(self.nested.items())}
        return out


class Constants:
    """Resolves Go string constants (``KubernetesClusterNetworkTypeFlannel``) of the provider package."""

    def __init__(self, git: Git, folder: str, packages: dict[str, tuple[Git, str]] | None = None) -> None:
        self.git, self.folder = git, folder
        self.packages = packages or {}  # imported Go packages: name -> (repository, folder)
        self.cache: dict[str, str | None] = {}

    def value(self, name: str) -> str | None:
        if "." in name:
            package, _, const = name.partition(".")
            if package not in self.packages:
                return None
            git, folder = self.packages[package]
            return Constants(git, folder).value(const)
        if name not in self.cache:
            hits = self.git.grep(rf"^\s*(const\s+)?{re.escape(name)}\s+(\w+\s+)?=\s*(\w+\()?\"", f"{self.folder}/*.go")
            found = None
            for _, _, text in hits:
                m = re.search(r'=\s*(?:\w+\()?"([^"]*)"', text)
                if m:
                    found = m.group(1)
                    break
            self.cache[name] = found
        return self.cache[name]


def _strings(expr: str, constants: Constants) -> list[str] | None:
    """The values of a ``[]string{...}`` literal; None when one cannot be resolved."""
    m = re.match(r"\s*\[\]string\s*\{", expr)
    if not m:
        return None
    close = matching(expr, m.end() - 1)
    values = []
    for item in split_top(expr[m.end(): close]):
        text = go_string(item)
        if text is None:
            inner = re.fullmatch(r"(?:string\()?\s*([A-Za-z_][\w.]*)\s*\)?", item)
            text = constants.value(inner.group(1)) if inner else None
        if text is None:
            return None
        values.append(text)
    return values


def _call(expr: str) -> tuple[str, list[str]] | None:
    m = re.match(r"\s*(?:validation\.)?(\w+)\s*\(", expr)
    if not m:
        return None
    close = matching(expr, m.end() - 1)
    if expr[close + 1:].strip():
        return None
    return m.group(1), split_top(expr[m.end(): close])


def _int(text: str) -> int | None:
    try:
        return int(text.strip().replace("_", ""))
    except ValueError:
        return None


def validator(expr: str, constants: Constants) -> list[dict[str, Any]]:
    """A ``ValidateFunc`` expression as contract rules (see :mod:`askflow.plan.contract.check`)."""
    expr = expr.strip()
    m = re.fullmatch(r"validation\.ToDiagFunc\((.*)\)", expr, re.S)
    if m:
        expr = m.group(1).strip()
    bare = re.fullmatch(r"(?:validation\.)?(StringIsJSON|StringIsNotEmpty|NoZeroValues|StringIsNotWhiteSpace|IsIPAddress|IsIPv4Address|IsCIDR)", expr)
    if bare:
        expr += "()"
    call = _call(expr)
    unparsed = [{"unparsed": " ".join(expr.split())[:200]}]
    if call is None:
        return unparsed
    name, args = call
    if name in ("StringInSlice", "StringInSliceIgnoreCase") and args:
        values = _strings(args[0], constants)
        if values is None:
            return unparsed
        ignore_case = name.endswith("IgnoreCase") or (len(args) > 1 and args[1].strip() == "true")
        return [{"in": values, **({"ignoreCase": True} if ignore_case else {})}]
    if name == "IntInSlice" and args:
        m2 = re.match(r"\s*\[\]int\s*\{(.*)\}\s*$", args[0], re.S)
        ints = [_int(v) for v in split_top(m2.group(1))] if m2 else [None]
        return [{"in": ints}] if None not in ints else unparsed
    bounds = {"IntBetween": ("min", "max"), "IntAtLeast": ("min",), "IntAtMost": ("max",),
              "FloatBetween": ("min", "max"), "FloatAtLeast": ("min",)}
    if name in bounds:
        if name.startswith("Float"):
            try:
                nums: list[float | int | None] = [float(a) for a in args]
            except ValueError:
                return unparsed
        else:
            nums = [_int(a) for a in args]
        if None in nums or len(nums) != len(bounds[name]):
            return unparsed
        return [dict(zip(bounds[name], nums, strict=True))]
    if name == "StringLenBetween" and len(args) == 2:
        lo, hi = _int(args[0]), _int(args[1])
        return [{"minLength": lo, "maxLength": hi}] if lo is not None and hi is not None else unparsed
    if name in ("StringMatch", "StringDoesNotMatch") and args:
        m2 = re.fullmatch(r"regexp\.MustCompile\((.*)\)", args[0].strip(), re.S)
        pattern = go_string(m2.group(1)) if m2 else None
        if pattern is None:
            return unparsed
        key = "pattern" if name == "StringMatch" else "notPattern"
        message = go_string(args[1]) if len(args) > 1 else None
        return [{key: pattern, **({"message": message} if message else {})}]
    if name == "IsCIDRNetwork" and len(args) == 2:
        lo, hi = _int(args[0]), _int(args[1])
        return [{"cidr": [lo, hi]}] if lo is not None and hi is not None else unparsed
    if name in ("IsCIDR", "CIDRNetwork"):
        return [{"cidr": [0, 32]}] if name == "IsCIDR" else unparsed
    if name in ("IsIPAddress", "IsIPv4Address"):
        return [{"ip": 4 if name == "IsIPv4Address" else 0}]
    if name == "StringIsJSON":
        return [{"json": True}]
    if name in ("StringIsNotEmpty", "NoZeroValues", "StringIsNotWhiteSpace"):
        return [{"notEmpty": True}]
    if name == "All":
        out: list[dict[str, Any]] = []
        for a in args:
            out.extend(validator(a, constants))
        return out
    if name == "Any":
        alternatives = [validator(a, constants) for a in args]
        if any(r and "unparsed" in r[0] for r in alternatives):
            return unparsed
        return [{"anyOf": alternatives}]
    return unparsed


def _fields(body: str) -> dict[str, str]:
    out = {}
    for part in split_top(body):
        m = re.match(r"\s*(\w+)\s*:\s*(.*)$", part, re.S)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def _schema_map(src: str, open_brace: int, base_line: int, constants: Constants) -> dict[str, Attribute]:
    """Entries of a ``map[string]*schema.Schema{...}`` literal whose ``{`` is at ``open_brace``."""
    close = matching(src, open_brace)
    body = src[open_brace + 1: close]
    attrs: dict[str, Attribute] = {}
    j = 0
    for m in re.finditer(r'"(\w+)"\s*:\s*', body):
        if m.start() < j:
            continue
        name, k = m.group(1), m.end()
        line = base_line + src.count("\n", 0, open_brace + 1 + m.start())
        if body[k] == "{" or body.startswith("&schema.Schema{", k):
            brace = body.index("{", k)
            end = matching(body, brace)
            attrs[name] = _attribute(src, open_brace + 1 + brace, line, base_line, constants)
            j = end + 1
        else:  # "tags": tagsSchema() and other helpers: nothing to read here
            j = k + 1
    return attrs


def _attribute(src: str, open_brace: int, line: int, base_line: int, constants: Constants) -> Attribute:
    close = matching(src, open_brace)
    fields = _fields(src[open_brace + 1: close])
    attr = Attribute(line=line)
    attr.force_new = fields.get("ForceNew") == "true"
    if "Deprecated" in fields:
        attr.deprecated = go_string(fields["Deprecated"]) or None
    for key in ("ValidateFunc", "ValidateDiagFunc"):
        if key in fields:
            attr.rules = validator(fields[key], constants)
    elem = fields.get("Elem")
    if elem:
        start = src.index(elem[:40], open_brace)
        if elem.startswith("&schema.Resource{"):
            m = re.search(r"Schema\s*:\s*map\[string\]\*schema\.Schema\s*\{", elem)
            if m:
                attr.nested = _schema_map(src, start + m.end() - 1, base_line, constants)
        elif elem.startswith("&schema.Schema{"):
            inner = _fields(elem[elem.index("{") + 1: matching(elem, elem.index("{"))])
            for key in ("ValidateFunc", "ValidateDiagFunc"):
                if key in inner:
                    attr.each_rules = validator(inner[key], constants)
    return attr


@dataclass
class TfResource:
    name: str
    file: str
    line: int
    deprecation: str | None
    attributes: dict[str, Attribute]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "file": self.file, "line": self.line,
                               "attributes": {k: v.to_json() for k, v in sorted(self.attributes.items())}}
        if self.deprecation:
            out["deprecated"] = self.deprecation
        return out


class AlicloudSource:
    """terraform-provider-alicloud at one commit: resource name -> parsed schema."""

    def __init__(self, git: Git, oss_sdk: Git | None = None) -> None:
        self.git = git
        self.constants = Constants(git, "alicloud", {"oss": (oss_sdk, "oss")} if oss_sdk else None)
        provider = git.show("alicloud/provider.go")
        self.functions = dict(re.findall(r'"(alicloud_\w+)"\s*:\s*(\w+)\(\)', provider))

    def resource(self, tf_name: str) -> TfResource | None:
        fn = self.functions.get(tf_name)
        if not fn:
            return None
        hits = self.git.grep(rf"^func {fn}\(\) \*schema\.Resource", "alicloud/*.go")
        if not hits:
            return None
        path, line, _ = hits[0]
        src = self.git.show(path)
        start = src.index(f"func {fn}()")
        body_open = src.index("{", src.index("*schema.Resource", start))
        body_close = matching(src, body_open)
        body = src[body_open:body_close]
        m = re.search(r"\n\s*Schema\s*:\s*map\[string\]\*schema\.Schema\s*\{", body)
        attrs = _schema_map(src, body_open + m.end() - 1, 1, self.constants) if m else {}
        dep = re.search(r"\n\s*DeprecationMessage\s*:\s*(\"(?:[^\"\\]|\\.)*\"|`[^`]*`)", body)
        return TfResource(
            name=tf_name, file=path, line=line,
            deprecation=go_string(dep.group(1)) if dep else None, attributes=attrs,
        )


# --- terraform-plugin-framework schemas (terraform-provider-random) --------------------------------

class RandomSource:
    """terraform-provider-random: which attributes require replacement, and integer bounds."""

    def __init__(self, git: Git) -> None:
        self.git = git

    def resource(self, tf_name: str) -> TfResource | None:
        path = f"internal/provider/resource_{tf_name.removeprefix('random_')}.go"
        try:
            src = self.git.show(path)
        except subprocess.CalledProcessError:
            return None
        m = re.search(r"Attributes\s*:\s*map\[string\]schema\.Attribute\s*\{", src)
        if not m:
            return None
        open_brace = m.end() - 1
        close = matching(src, open_brace)
        attrs: dict[str, Attribute] = {}
        body = src[open_brace + 1: close]
        j = 0
        for a in re.finditer(r'"(\w+)"\s*:\s*schema\.\w+Attribute\s*\{', body):
            if a.start() < j:
                continue
            brace = a.end() - 1
            end = matching(body, brace)
            text = body[brace:end]
            line = 1 + src.count("\n", 0, open_brace + 1 + a.start())
            attr = Attribute(line=line, force_new="RequiresReplace" in text)
            lo = re.search(r"int64validator\.AtLeast\((\d+)\)", text)
            if lo:
                attr.rules = [{"min": int(lo.group(1))}]
            attrs[a.group(1)] = attr
            j = end
        line = 1 + src.count("\n", 0, m.start())
        return TfResource(name=tf_name, file=path, line=line, deprecation=None, attributes=attrs)
