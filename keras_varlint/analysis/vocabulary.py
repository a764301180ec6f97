"""Names of the TensorFlow / Keras / NumPy functions the analysis recognises, by qualified name."""

from __future__ import annotations

from keras_varlint.discovery.keras_names import keras_path

TF_VARIABLE = frozenset(
    {"tensorflow.Variable", "tensorflow.compat.v1.Variable", "tensorflow.compat.v2.Variable",
     "tensorflow.python.ops.variables.Variable"}
)
ADD_WEIGHT_METHODS = frozenset({"add_weight", "add_variable"})

# Attributes of a variable or layer that describe it rather than compute with its value.
METADATA_ATTRS = frozenset(
    {"shape", "dtype", "name", "path", "trainable", "ndim", "get_shape", "device", "initializer", "constraint",
     "regularizer", "aggregation", "synchronization", "built", "handle", "graph", "op", "size", "__class__",
     "_unique_id", "ref", "experimental_ref", "overwrite_with_gradient"}
)
UPDATE_METHODS = frozenset(
    {"assign", "assign_add", "assign_sub", "scatter_update", "scatter_add", "scatter_sub", "scatter_nd_update",
     "scatter_nd_add", "scatter_nd_sub", "scatter_max", "scatter_min", "scatter_mul", "scatter_div",
     "batch_scatter_update", "load", "set_value"}
)
# Members of a sublayer that describe or build it without running its weights.
LAYER_METADATA_METHODS = frozenset(
    {"build", "get_config", "compute_output_shape", "compute_output_spec", "count_params", "get_build_config",
     "compute_mask", "summary"}
)
LAYER_METADATA_ATTRS = frozenset(
    {"supports_masking", "input_spec", "compute_dtype", "variable_dtype", "dtype_policy", "stateful",
     "return_sequences", "return_state", "go_backwards", "units", "filters", "kernel_size", "strides", "padding",
     "data_format", "supports_jit", "built"}
)
# Functions that update the variable given as their first argument (or as one of UPDATE_TARGETS).
_UPDATE_FUNCTIONS = (UPDATE_METHODS - {"load"}) | {
    "moving_average_update", "assign_moving_average", "update", "update_add", "update_sub"}
UPDATE_TARGETS = frozenset({"ref", "x", "variable", "var"})
# Collections through which a layer reaches all its weights or sublayers at once.
COLLECTION_ATTRS = frozenset(
    {"weights", "trainable_weights", "non_trainable_weights", "variables", "trainable_variables",
     "non_trainable_variables", "_trainable_weights", "_non_trainable_weights", "_layers", "layers",
     "submodules", "_flatten_layers", "_self_tracked_trackables", "_tracker", "__dict__"}
)
_CUT_BUILTINS = frozenset({"float", "int", "bool", "complex"})
_CUT_KERAS = frozenset({"ops.convert_to_numpy", "backend.convert_to_numpy", "backend.get_value", "backend.eval",
                        "backend.batch_get_value"})
_STOP = frozenset({"ops.stop_gradient", "backend.stop_gradient"})
_NONDIFF_LAST = frozenset(
    {"argmax", "argmin", "round", "floor", "ceil", "sign", "equal", "not_equal", "greater", "greater_equal", "less",
     "less_equal", "argsort", "one_hot", "logical_and", "logical_or", "logical_not"}
)
_CAST_LAST = frozenset({"cast", "saturate_cast"})
_METADATA_BUILTINS = frozenset({"len", "isinstance", "hasattr", "id", "type", "print", "repr", "str", "getattr"})
_METADATA_LAST = frozenset({"shape", "rank", "ndim", "int_shape", "size", "print", "is_tensor", "is_keras_tensor",
                            "standardize_dtype", "is_variable"})
_GATHER_LAST = frozenset({"gather", "gather_nd", "take", "take_along_axis", "embedding_lookup"})
# Float-valued samplers: what a random weight is drawn from (randint & co. make seeds and indices).
_RANDOM_SAMPLERS = frozenset(
    {"normal", "uniform", "truncated_normal", "gamma", "stateless_normal", "stateless_uniform",
     "stateless_truncated_normal", "randn", "rand", "random", "random_sample", "standard_normal", "beta", "laplace"}
)
_FILLS = frozenset({"zeros", "ones", "fill", "full"})


def _ml_namespace(qualname: str) -> str | None:
    """The name inside TensorFlow or Keras, e.g. ``tensorflow.math.argmax`` -> ``math.argmax``."""
    found = keras_path(qualname)
    if found:
        return found[0]
    if qualname.startswith("tensorflow."):
        return qualname[len("tensorflow."):]
    return None


def is_numpy(qualname: str) -> bool:
    return qualname.startswith("numpy.") or qualname == "numpy"


def is_cut(qualname: str) -> bool:
    """Calls that turn a tensor into a Python or NumPy value."""
    if qualname in _CUT_BUILTINS or is_numpy(qualname) and not qualname.startswith("numpy.random."):
        return True
    inner = _ml_namespace(qualname)
    return inner in _CUT_KERAS or qualname == "tensorflow.make_ndarray"


def is_stop_gradient(qualname: str) -> bool:
    inner = _ml_namespace(qualname)
    return qualname == "tensorflow.stop_gradient" or inner in _STOP


def nondiff_kind(qualname: str) -> str | None:
    """'op' for argmax/round/comparison-like ops, 'cast' for casts, 'gather' for index-taking ops."""
    inner = _ml_namespace(qualname)
    if inner is None:
        return None
    last = inner.rpartition(".")[2]
    if last in _NONDIFF_LAST:
        return "op"
    if last in _CAST_LAST:
        return "cast"
    if last in _GATHER_LAST:
        return "gather"
    return None


def is_update_function(qualname: str) -> bool:
    """`tf.compat.v1.assign`, `tf.keras.backend.moving_average_update`, `moving_averages.assign_moving_average`..."""
    inner = _ml_namespace(qualname)
    if inner is None:
        return False
    scope, _, last = inner.rpartition(".")
    return last in _UPDATE_FUNCTIONS and (scope in ("", "compat.v1", "backend") or scope.endswith("moving_averages"))


def is_metadata_call(qualname: str) -> bool:
    if qualname in _METADATA_BUILTINS:
        return True
    inner = _ml_namespace(qualname)
    if inner is None:
        return False
    return inner.rpartition(".")[2] in _METADATA_LAST or inner.startswith(("debugging.", "summary."))


def is_keras_variable(qualname: str) -> bool:
    inner = keras_path(qualname)
    return bool(inner) and inner[0] in {"Variable", "backend.Variable", "backend.common.variables.Variable",
                                        "backend.common.variables.KerasVariable", "variables.Variable"}


def is_random_sampler(qualname: str) -> bool:
    last = qualname.rpartition(".")[2]
    if last not in _RANDOM_SAMPLERS:
        return False
    if qualname.startswith("numpy.random."):
        return True
    inner = _ml_namespace(qualname)
    return bool(inner) and inner.startswith("random.")


def is_fill(qualname: str) -> bool:
    inner = _ml_namespace(qualname)
    return bool(inner) and inner in {f"{ns}{f}" for ns in ("", "ops.", "math.") for f in _FILLS}


def is_initializer(qualname: str) -> bool:
    """A Keras initializer class or ``initializers.get``."""
    inner = keras_path(qualname)
    if not inner or not inner[0].startswith("initializers."):
        return False
    last = inner[0].rpartition(".")[2]
    return last[:1].isupper() or last == "get"
