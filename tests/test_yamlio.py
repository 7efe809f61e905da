"""Strict YAML reading (askflow.yamlio): duplicate keys refused, everything else as PyYAML reads it."""

from __future__ import annotations

import pytest
import yaml

from askflow import yamlio
from askflow.errors import AskflowError

# Documents PyYAML's safe loader reads; the strict loader must give exactly the same values.
SAME_AS_PYYAML = [
    "a: 1\nb: [x, 2, 3.5, true, null, '007', \"q\"]\nc: {d: e}\n",
    "base: &b {a: 1, c: 3}\nx:\n  <<: *b\n  a: 2\n",  # a merged key may be overridden: not a duplicate
    "x:\n  <<: [{a: 1}, {b: 2}]\n  c: 3\n",
    "2: two\ntrue: yes\n~: nothing\n2024-01-01: date\n",
    "s: &s shared\nt: *s\nlist: &l [1, 2]\nu: *l\n",
    "script: |\n  echo {{inputs.parameters.x}}\n  exit 0\nlong: " + "x" * 200 + "\n",
    "? complex\n: value\nempty: {}\nnone:\n",
    "=: x\na: 1\n",  # the value key `=` is a plain string once the mapping is flattened
    # The same short scalars plain and quoted, in both orders (tag resolution is remembered).
    "a: '1'\nb: 1\nc: 'true'\nd: true\ne: '~'\nf: ~\n",
    "a: 1\nb: '1'\nc: true\nd: 'true'\ne: ~\nf: '~'\ng: 1.0\nh: '1.0'\n",
]


@pytest.mark.parametrize("text", SAME_AS_PYYAML)
def test_reads_what_pyyaml_reads(text: str) -> None:
    assert yamlio.loads(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "line 2, column 1: duplicate key 'a'"),
        ("'a': 1\na: 2\n", "duplicate key 'a'"),  # quoting does not make a different key
        ("1: a\n1: b\n", "duplicate key 1"),
        ("x:\n  <<: {a: 1}\n  b: 1\n  b: 2\n", "line 4, column 3: duplicate key 'b'"),
        ("? [1]\n: x\n", "found unhashable key"),
        ("a: !!map [1, 2]\n", "expected a mapping node, but found sequence"),
        ("a: !!map text\n", "expected a mapping node, but found scalar"),
    ],
)
def test_duplicate_and_unhashable_keys_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(AskflowError) as err:
        yamlio.loads(text, file="f.yaml")
    assert message in err.value.line() and err.value.line().startswith("f.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 2020-13-45\n",
         "YAML value does not load (line 1, column 4: '2020-13-45' is not a valid timestamp); quote it (without a !! tag) if it is meant as text"),
        ("a: !!timestamp x\n", "'x' is not a valid timestamp"),
        ("a: !!int abc\n", "'abc' is not a valid int"),
        ("a: !!float abc\n", "'abc' is not a valid float"),
        ("a: !!bool abc\n", "'abc' is not a valid bool"),
        ("a:\n  b: " + "9" * 5000 + "\n", "line 2, column 6: '999"),  # over Python's int digit limit
        ("a: &a [*a]\n", "alias inside the value it names (line 1, column 4: &a ... *a)"),
        ("a: &a {b: *a}\n", "alias inside the value it names (line 1, column 4"),
        ("a: &a [1, {b: *a}]\n", "alias inside the value it names (line 1, column 4"),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 450)) + "  " * 450 + "x: 1\n",
         "YAML nests too deep to read"),
    ],
)
def test_values_that_do_not_construct_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(AskflowError) as err:
        yamlio.loads(text, file="f.yaml")
    assert message in err.value.line() and err.value.line().startswith("f.yaml: ")
    assert "\n" not in err.value.line()


def test_a_shared_alias_is_not_a_self_reference() -> None:
    assert yamlio.loads("b: &x {c: 1}\na: [*x, *x]\n") == {"b": {"c": 1}, "a": [{"c": 1}, {"c": 1}]}


def test_nested_aliases_load_as_shared_objects_in_linear_time() -> None:
    """Ten levels of nine aliases each name 9**10 leaves; they are shared objects, as PyYAML builds
    them. A check that walks every path would never finish (it did: askflow lint hung on 450 bytes)."""
    lines = ["a0: &a0 [x]"] + [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 11)]
    doc = yamlio.loads("\n".join(lines) + "\n")
    assert doc["a10"][0] is doc["a10"][8] is doc["a9"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "JSON nests too deep to read"),
        ('{"a": ' + "9" * 5000 + "}", "JSON has a number too long to read"),
    ],
)
def test_json_that_python_cannot_hold_is_a_one_line_error(text: str, message: str) -> None:
    with pytest.raises(AskflowError) as err:
        yamlio.loads_json(text, file="f.json")
    assert err.value.line().startswith("f.json: ") and message in err.value.line()
