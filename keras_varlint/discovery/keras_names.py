"""What a fully qualified name means to Keras: layer class, tf.Module, creating call, and so on."""

from __future__ import annotations

import enum

# Prefixes under which Keras' public and private namespaces live, most specific first.
_KERAS_PREFIXES = (
    ("tensorflow.python.keras.", 2),
    ("tensorflow.compat.v1.keras.", 2),
    ("tensorflow.compat.v2.keras.", 0),
    ("tensorflow.keras.", 0),  # 0: Keras 3 on TF >= 2.16 unless the file says otherwise
    ("tf_keras.src.", 2),
    ("tf_keras.", 2),
    ("keras._tf_keras.keras.", 3),
    ("keras.src.", 3),
    ("keras.api.", 3),
    ("keras.engine.", 2),
    ("keras.", 3),
)
_LAYER_ROOTS = frozenset({"Layer", "Model", "Sequential", "Functional", "Network", "InputLayer"})
_NOT_LAYERS = frozenset({"InputSpec", "Input", "TFSMLayer"})
MODULE_ROOTS = frozenset({"tensorflow.Module", "tensorflow.python.module.module.Module", "tensorflow.compat.v2.Module"})


class LayerState(str, enum.Enum):
    """What a layer class owns, as far as making one inside ``call`` is concerned."""

    STATELESS = "stateless"  # no variables: Flatten, Add, Keras 2's Dropout
    WRAPPER = "wrapper"  # no variables of its own; runs the layer it is given (RNN, TimeDistributed)
    SEEDED = "seeded"  # only a random-seed state variable, made on construction or on the first call
    UNTRAINABLE = "untrainable"  # only non-trainable variables: lookup tables, statistics
    TRAINABLE = "trainable"  # trainable variables, or we cannot tell


# Built-in layers that own no variables: making one inside `call` loses nothing.
_STATELESS = frozenset(
    {"Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "ThresholdedReLU", "Add", "Subtract", "Multiply", "Average",
     "Maximum", "Minimum", "Concatenate", "Dot", "Flatten", "Reshape", "Permute", "RepeatVector", "Lambda", "Identity",
     "Masking", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
     "Cropping1D", "Cropping2D", "Cropping3D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
     "AveragePooling2D", "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
     "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "MaxPool1D",
     "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
     "GlobalAvgPool3D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "ActivityRegularization",
     "Resizing", "Rescaling", "CenterCrop", "UnitNormalization", "AutoContrast", "Equalization", "Hashing",
     "CategoryEncoding"}
)
# Wrappers with no variables of their own: `RNN(self.cell)` trains the cell's weights. (Not
# Bidirectional: it copies the layer it wraps into new forward and backward layers.)
_WRAPPERS = frozenset({"RNN", "TimeDistributed", "StackedRNNCells"})
# Random layers: each makes a seed-generator variable (Keras 3) or a tf.random.Generator (Keras 2's
# preprocessing layers, on their first call). Checked against Keras 3.15 in tests/discovery.
_SEEDED = frozenset(
    {"AugMix", "CutMix", "MixUp", "RandAugment", "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter",
     "RandomContrast", "RandomCrop", "RandomElasticTransform", "RandomErasing", "RandomFlip", "RandomGaussianBlur",
     "RandomGrayscale", "RandomHeight", "RandomHue", "RandomInvert", "RandomPerspective", "RandomPosterization",
     "RandomRotation", "RandomSaturation", "RandomSharpness", "RandomShear", "RandomTranslation", "RandomWidth",
     "RandomZoom", "Solarization"}
)
# Keras 2's dropout and noise layers use stateless random ops; Keras 3's own a SeedGenerator.
_SEEDED_IN_KERAS3 = frozenset(
    {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
     "AlphaDropout"}
)
_UNTRAINABLE = frozenset(
    {"StringLookup", "IntegerLookup", "TextVectorization", "Discretization", "Normalization", "HashedCrossing"}
)


def builtin_layer_state(qualname: str, keras_version: int | None) -> LayerState:
    """What the built-in layer class ``qualname`` owns. With the version unknown (None), a
    dropout layer counts as Keras 2's: stateless."""
    name = qualname.rpartition(".")[2]
    if name in _SEEDED_IN_KERAS3:
        return LayerState.SEEDED if keras_version == 3 else LayerState.STATELESS
    for names, state in ((_STATELESS, LayerState.STATELESS), (_WRAPPERS, LayerState.WRAPPER),
                         (_SEEDED, LayerState.SEEDED), (_UNTRAINABLE, LayerState.UNTRAINABLE)):
        if name in names:
            return state
    return LayerState.TRAINABLE


class Family(enum.IntEnum):
    """Which Keras a name belongs to: 2, 3, or 0 for `tf.keras` (decided by the file)."""

    TF_KERAS = 0
    KERAS2 = 2
    KERAS3 = 3


def keras_path(qualname: str) -> tuple[str, Family] | None:
    """``keras.src.layers.core.dense.Dense`` -> (``layers.core.dense.Dense``, KERAS3)."""
    for prefix, family in _KERAS_PREFIXES:
        if qualname.startswith(prefix):
            return qualname[len(prefix):], Family(family)
    return None


def keras_layer_family(qualname: str) -> Family | None:
    """The Keras family if ``qualname`` names a Keras layer or model class, else None."""
    found = keras_path(qualname)
    if not found:
        return None
    path, family = found
    parts = path.split(".")
    last = parts[-1]
    if not last[:1].isupper() or last in _NOT_LAYERS:
        return None
    if last in _LAYER_ROOTS:  # keras.Model, keras.engine.base_layer.Layer, ...
        return family
    if parts[0] in ("layers", "models") and len(parts) > 1:  # keras.layers.Dense, keras.src.layers.core.dense.Dense
        return family
    if parts[0] == "engine" and "Layer" in last:  # tf_keras.src.engine.base_preprocessing_layer.PreprocessingLayer
        return family
    return None


# Submodules of the top-level `keras` / `tf.keras` / `tf_keras` namespaces (what a star import of
# them binds besides classes such as `Layer` and `Model`).
KERAS_SUBMODULES = frozenset(
    {"activations", "applications", "backend", "callbacks", "config", "constraints", "datasets", "distribution",
     "dtype_policies", "export", "initializers", "layers", "losses", "metrics", "mixed_precision", "models", "ops",
     "optimizers", "preprocessing", "quantizers", "random", "regularizers", "saving", "src", "tree", "utils",
     "visualization", "wrappers"}
)


def star_provides(module: str, name: str) -> bool:
    """Whether ``from <module> import *``, for a Keras namespace, may bind ``name``: classes (and,
    at the top of a Keras package, its submodules). We cannot list Keras' modules, so we trust
    the shape of the name."""
    found = keras_path(f"{module}.{name}")
    if found is None:
        return False
    inside = found[0].rpartition(".")[0]  # the path of `module` within Keras ("" at the top)
    return name[:1].isupper() or (not inside and name in KERAS_SUBMODULES)


def is_layer_root(qualname: str) -> bool:
    """The base ``Layer``/``Model`` themselves: their own code is Keras', not the user's."""
    found = keras_path(qualname)
    return bool(found) and found[0].split(".")[-1] in _LAYER_ROOTS


def is_module_root(qualname: str) -> bool:
    return qualname in MODULE_ROOTS
