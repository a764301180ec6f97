"""The built-in layer catalogue agrees with the installed Keras: which layers make seed state."""

from __future__ import annotations

import inspect

import pytest

from keras_varlint.discovery.keras_names import LayerState, builtin_layer_state

# Constructor arguments tried in turn until one builds the layer.
_ARGUMENTS = (
    {}, {"rate": 0.5}, {"stddev": 0.1}, {"factor": 0.2}, {"height": 2, "width": 2}, {"units": 2},
    {"value_range": (0, 1)}, {"height_factor": 0.1, "width_factor": 0.1}, {"num_tokens": 3}, {"scale": 1.0},
    {"factor": 0.2, "value_range": (0, 1)},
)
# Layers with trainable weights that also own a seed generator (for recurrent dropout).
_TRAINABLE_AND_SEEDED = {"GRUCell", "LSTMCell", "SimpleRNNCell"}


def _keras3_layers() -> dict[str, object]:
    keras = pytest.importorskip("keras", reason="needs keras 3 installed")
    if not keras.__version__.startswith("3."):
        pytest.skip("needs keras 3 installed")
    return {
        name: obj for name in dir(keras.layers)
        if inspect.isclass(obj := getattr(keras.layers, name)) and issubclass(obj, keras.layers.Layer)
    }


def _construct(cls: type) -> object | None:
    for arguments in _ARGUMENTS:
        try:
            return cls(**arguments)
        except Exception:
            continue
    return None


def test_keras3_layers_that_make_seed_state_are_seeded_and_no_others() -> None:
    wrong = []
    for name, cls in _keras3_layers().items():
        state = builtin_layer_state(f"keras.layers.{name}", 3)
        layer = _construct(cls)
        if layer is None:  # cannot build it here: fall back to its source
            seeded = state is LayerState.SEEDED
            source = "".join(inspect.getsource(k) for k in cls.__mro__ if k.__module__.startswith("keras.src.layers."))
            if seeded and "SeedGenerator" not in source:
                wrong.append(f"{name}: listed as seeded, its source makes no SeedGenerator")
            continue
        makes_seed = bool(getattr(layer, "_seed_generators", None))
        if makes_seed and name in _TRAINABLE_AND_SEEDED:
            continue
        if makes_seed != (state is LayerState.SEEDED):
            wrong.append(f"{name}: makes seed state: {makes_seed}, catalogue says {state.value}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", ["Dropout", "GaussianNoise", "SpatialDropout2D", "AlphaDropout"])
def test_dropout_layers_are_seeded_in_keras3_only(name: str) -> None:
    assert builtin_layer_state(f"keras.layers.{name}", 3) is LayerState.SEEDED
    assert builtin_layer_state(f"tf_keras.layers.{name}", 2) is LayerState.STATELESS
    assert builtin_layer_state(f"tensorflow.keras.layers.{name}", None) is LayerState.STATELESS


@pytest.mark.parametrize("name", ["RNN", "TimeDistributed", "StackedRNNCells"])
def test_weightless_wrappers(name: str) -> None:
    assert builtin_layer_state(f"keras.layers.{name}", 3) is LayerState.WRAPPER
    assert builtin_layer_state("keras.layers.Bidirectional", 3) is LayerState.TRAINABLE  # it copies its layer
