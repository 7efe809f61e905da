"""The plan runner: how it records registrations and what it leaves behind in the interpreter."""

from __future__ import annotations

import gc

import pulumi
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

from askflow.collector import batch_collector
from askflow.errors import AskflowError
from askflow.plan.mocks import SIG_KEY, UNKNOWN, _plain, _plain_struct
from tests.plan.harness import record


def _struct(value: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def test_recorded_inputs_read_from_protobuf_equal_the_generic_conversion() -> None:
    """The one-pass reader gives exactly what MessageToDict + _plain give, special values included."""
    value = {
        "name": "a",
        "count": 3.0,
        "ratio": 0.5,
        "enabled": False,
        "nothing": None,
        "later": UNKNOWN,
        "zeta": {"b": [1.0, "x", {"c": UNKNOWN}, [True]], "a": {}},
        "password": {SIG_KEY: rpc._special_secret_sig, "value": "hunter2"},
        "stringData": {SIG_KEY: rpc._special_secret_sig, "value": {"user": "u", "keys": ["k1", {"k": 2.0}]}},
        "nested": {"ref": {SIG_KEY: rpc._special_resource_sig, "urn": "urn:pulumi:s::p::t::n"}},
        "list": [{SIG_KEY: rpc._special_output_value_sig, "value": 2.0}, {SIG_KEY: rpc._special_output_value_sig}],
        "empty": [],
    }
    struct = _struct(value)
    expected = _plain(json_format.MessageToDict(struct, preserving_proto_field_name=True))
    got = _plain_struct(struct)
    assert got == expected
    assert list(got) == sorted(got)  # keys ordered like _plain's
    assert got["password"] == "[secret]" and got["later"] == "[unknown]" and got["count"] == 3
    # A secret map keeps its shape (a Secret's stringData must stay a map); every leaf is masked.
    assert got["stringData"] == {"keys": ["[secret]", {"k": "[secret]"}], "user": "[secret]"}


def test_batch_collector_restores_the_collector_even_when_the_run_fails() -> None:
    before = (gc.get_threshold(), gc.get_freeze_count())
    with pytest.raises(RuntimeError), batch_collector():
        assert gc.get_threshold()[0] == 200_000
        assert gc.get_freeze_count() > 0
        raise RuntimeError("program failed")
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_plan_leaves_the_collector_as_it_found_it() -> None:
    before = (gc.get_threshold(), gc.get_freeze_count())
    plan = record(lambda: pulumi.CustomResource("test:index:Thing", "thing", {"size": 1}))
    assert [r.inputs for r in plan.resources] == [{"size": 1}]
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_non_finite_input_is_one_line_naming_the_resource() -> None:
    with pytest.raises(AskflowError) as err:
        record(lambda: pulumi.CustomResource("test:index:Thing", "thing", {"size": float("nan")}))
    assert err.value.line() == "an input is nan, which JSON cannot hold; pass a finite number (resource thing, test:index:Thing)"


def test_a_heap_the_caller_froze_stays_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        record(lambda: pulumi.CustomResource("test:index:Thing", "thing", {"size": 1}))
        with batch_collector():
            pass
        # Still frozen (unfreezing would drop the count to 0); a few frozen objects may have died.
        assert gc.get_freeze_count() > frozen * 0.9
    finally:
        gc.unfreeze()


def test_a_nested_run_leaves_unfreezing_to_the_outermost() -> None:
    """`askflow plan` runs the program inside the command's own batch run: writing the manifests
    afterwards must still find the heap frozen."""
    before = (gc.get_threshold(), gc.get_freeze_count())
    with batch_collector():
        with batch_collector():
            pass
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 200_000
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
