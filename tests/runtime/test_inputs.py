"""Choosing input shapes: configured shape, ``input_spec``, ``build`` subscripts, then the ladder."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from keras_varlint.runtime.inputs import LADDER, InputPlan, make_inputs, plan_inputs, positional_input_count


class Plain:
    input_spec = None

    def call(self, x, training=None, mask=None):
        return x


class Image(Plain):
    def build(self, input_shape):
        self.h, self.w = input_shape[1], input_shape[2]
        self.c = input_shape[3]


class Pair(Plain):
    def build(self, input_shape):
        self.d = input_shape[1][-1]

    def call(self, inputs):
        return inputs


class TwoInputs(Plain):
    def call(self, query, value, training=None):
        return query


class Spec(Plain):
    input_spec = SimpleNamespace(shape=None, ndim=3, min_ndim=None, axes={-1: 16})


def shapes(layer: Any, configured: list | None = None) -> list[tuple]:
    return [plan.args for plan in plan_inputs(layer, configured)]


def test_without_hints_the_ladder_is_tried_in_order() -> None:
    assert shapes(Plain()) == [(shape,) for shape in LADDER]


def test_configured_shape_comes_first() -> None:
    assert shapes(Plain(), [2, 5])[0] == ((2, 5),)
    assert shapes(TwoInputs(), [[2, 5], [2, 7]])[0] == ((2, 5), (2, 7))


def test_build_subscripts_set_the_minimum_rank() -> None:
    plans = plan_inputs(Image())
    assert plans[0] == InputPlan(((2, 8, 8, 3),), "build")
    assert [p.args[0] for p in plans[1:]] == [(2, 8), (2, 4, 8)]  # the rest of the ladder, deduplicated


def test_build_indexing_a_list_of_shapes_means_a_list_input() -> None:
    assert shapes(Pair())[0] == ([(2, 8), (2, 8)],)


def test_input_spec_rank_and_axes() -> None:
    assert shapes(Spec())[0] == ((2, 4, 16),)
    assert all(args[0][-1] == 16 for args in shapes(Spec()))


def test_one_tensor_per_required_positional_parameter() -> None:
    assert positional_input_count(Plain()) == 1
    assert positional_input_count(TwoInputs()) == 2
    assert shapes(TwoInputs())[0] == ((2, 8), (2, 8))


@pytest.mark.runtime
def test_inputs_are_float32_from_a_fixed_seed(tf: Any) -> None:
    plan = InputPlan(((2, 3), [(2, 4), (2, 5)]), "config")
    first, again = make_inputs(plan), make_inputs(plan)
    assert first[0].dtype == tf.float32 and first[0].shape == (2, 3)
    assert [t.shape for t in first[1]] == [(2, 4), (2, 5)]
    assert (first[0].numpy() == again[0].numpy()).all()
