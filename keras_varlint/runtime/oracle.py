"""``check_layer``: run a layer under ``tf.GradientTape`` and prove which variables never train.

The oracle (see docs/keras-tracking.md): call once to build, then call again inside
``tf.variable_creator_scope`` and under a tape. Variables the tape watched but the layer tree does not
track are KVL901; tracked trainable variables with a None gradient in every training mode are KVL902;
variables created by a call after the build are KVL903; an exception is KVL904. The same step then runs
inside ``tf.function`` for what only graph mode shows. TensorFlow is imported only when a check runs.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from keras_varlint.runtime import introspect
from keras_varlint.runtime.errors import Site, check_error, import_tensorflow, user_site
from keras_varlint.runtime.report import (
    RuntimeFinding,
    RuntimeReport,
    Sublayer,
    TensorAttribute,
    VariableInfo,
    short_path,
)

_SINGLETON = "singleton tf.Variables"


def check_layer(layer: Any, *inputs: Any, training: bool | None = None, **call_kwargs: Any) -> RuntimeReport:
    """Check that every variable ``layer`` uses is tracked, trains, and is created once.

    ``inputs`` and ``call_kwargs`` are passed to ``layer(...)``. With ``training=None`` and a ``call``
    that accepts ``training``, both ``training=True`` and ``training=False`` are checked. The layer is
    called three or four times (build, each training mode, once in ``tf.function``) and keeps its state.
    """
    return run_check(layer, inputs, call_kwargs, training=training)


@dataclass
class CreationLog:
    """Variables created under ``tf.variable_creator_scope``, with their user-code creation site."""

    sites: dict[int, Site] = field(default_factory=dict)  # id(tf.Variable) -> where user code made it
    objects: dict[int, Any] = field(default_factory=dict)
    phase_created: list[Any] = field(default_factory=list)  # created in the latest ``recording()``
    initial: dict[int, Any] = field(default_factory=dict)  # id -> value when created (eager creations)

    @contextlib.contextmanager
    def recording(self, tf: Any) -> Iterator["CreationLog"]:
        def creator(next_creator: Any, **kwargs: Any) -> Any:
            variable = next_creator(**kwargs)
            site = user_site(sys._getframe(1))
            key = id(variable)
            self.objects[key] = variable
            if site is not None:
                self.sites.setdefault(key, site)
            self.phase_created.append(variable)
            if key not in self.initial:
                try:
                    self.initial[key] = variable.numpy().copy()
                except Exception:  # noqa: BLE001  (created inside tf.function: no value yet)
                    pass
            return variable

        self.phase_created = []
        with tf.variable_creator_scope(creator):
            yield self


def run_check(
    layer: Any,
    inputs: Sequence[Any],
    call_kwargs: dict[str, Any],
    *,
    training: bool | None = None,
    log: CreationLog | None = None,
) -> RuntimeReport:
    """``check_layer`` with a creation log that may already hold the sites of variables made in ``__init__``."""
    tf = import_tensorflow()
    if not introspect.is_layer(layer):
        raise TypeError(f"check_layer expects a Keras layer, got {type(layer).__qualname__}")
    log = log or CreationLog()
    before = [(v, v.numpy().copy()) for v in _state_of(layer, tf)]
    try:
        return _Check(tf, layer, list(inputs), dict(call_kwargs), training, log).run()
    finally:
        _restore(layer, tf, before, log)


def _state_of(layer: Any, tf: Any) -> list[Any]:
    """The tf.Variables the layer tracks (non-trainable ones too, e.g. BatchNormalization's moving mean)."""
    result: dict[int, Any] = {}
    for variable in list(getattr(layer, "variables", None) or []):
        inner = introspect.as_tf_variable(variable, tf)
        if inner is not None:
            result.setdefault(id(inner), inner)
    return list(result.values())


def _restore(layer: Any, tf: Any, before: list[tuple[Any, Any]], log: "CreationLog") -> None:
    """Leave the layer as the check found it: variables it had get their values back; variables the check's
    build created get their initial values (the calls in training mode moved, say, a moving mean)."""
    had = {id(v) for v, _ in before}
    for variable, value in before:
        _assign(variable, value)
    for variable in _state_of(layer, tf):
        if id(variable) not in had and id(variable) in log.initial:
            _assign(variable, log.initial[id(variable)])


def _assign(variable: Any, value: Any) -> None:
    try:
        variable.assign(value)
    except Exception:  # noqa: BLE001  (a variable that cannot take its old value back: leave it)
        pass


@dataclass
class _ModeResult:
    watched: dict[int, Any]
    created: list[Any]
    grads: dict[int, bool]  # id(tf.Variable) -> has gradient
    zeros: dict[int, bool]  # id(tf.Variable) -> its gradient is exactly zero everywhere
    tensor_grads: dict[tuple[str, str], bool]


@dataclass
class _Seen:
    """What the eager calls observed, by ``id`` of each tf.Variable."""

    root: str  # path of the checked layer
    paths: dict[int, str]  # id(layer) -> its path in the tree
    owners: dict[int, str]  # variable -> deepest layer tracking it
    tracked: set[int]
    trainable: dict[int, Any]
    created: dict[int, Any]  # made by a call after the build
    first_call: set[int]  # made by the first of those calls
    watched: dict[int, Any]  # read in some call
    grads: dict[int, bool]  # trainable variable -> got a gradient in some mode
    zeros: dict[int, bool]  # trainable variable -> every gradient it got was exactly zero


class _Check:
    def __init__(
        self, tf: Any, layer: Any, inputs: list[Any], kwargs: dict[str, Any], training: bool | None, log: CreationLog
    ) -> None:
        self.tf, self.layer, self.inputs, self.kwargs, self.log = tf, layer, inputs, kwargs, log
        if training is not None:
            self.modes: list[bool | None] = [training]
        elif introspect.accepts_training(layer):
            self.modes = [True, False]
        else:
            self.modes = [None]
        self.report = RuntimeReport(
            layer_class=type(layer).__name__,
            layer_name=str(getattr(layer, "name", type(layer).__name__)),
            keras=introspect.keras_flavour(layer),
            modes=list(self.modes),
        )
        self.index = introspect.AttributeIndex()

    # -- the phases ---------------------------------------------------------------------------

    def run(self) -> RuntimeReport:
        build_kwargs = self._call_kwargs(self.modes[0] if len(self.modes) == 1 else None)
        try:
            with self.log.recording(self.tf):
                self.layer(*self.inputs, **build_kwargs)
        except Exception as exc:  # noqa: BLE001  (user code: any exception is a finding)
            return self._failed("build", exc, "building the layer (first call) failed")
        tree = introspect.layer_tree(self.layer)
        self._reindex(tree)
        results: list[_ModeResult] = []
        for mode in self.modes:
            try:
                results.append(self._eager_call(tree, mode))
            except Exception as exc:  # noqa: BLE001
                return self._failed("call", exc, f"calling the built layer{_mode_text(mode)} failed")
            self._reindex(tree)
        tree = introspect.layer_tree(self.layer)  # a call may have added sublayers
        self._report_eager(tree, results)
        self._graph_call(tree)
        return self.report

    def _eager_call(self, tree: list[tuple[str, Any]], mode: bool | None) -> _ModeResult:
        tf = self.tf
        trainable = self._trainable()
        with self._arrays_as_tensors(tree) as arrays:
            tensors = list(self.index.tensors) + arrays
            with self.log.recording(tf) as log, tf.GradientTape() as tape:
                for _, _, tensor in tensors:
                    tape.watch(tensor)
                outputs = self.layer(*self.inputs, **self._call_kwargs(mode))
                loss = _loss(tf, outputs, self.layer)
        created = list(log.phase_created)
        watched = {id(v): v for v in tape.watched_variables()}
        if loss is None:
            self._note("the outputs have no floating-point tensor and there are no losses: gradients not checked")
            return _ModeResult(watched, created, {}, {}, {})
        sources = list(trainable.values()) + [t for _, _, t in tensors]
        grads = tape.gradient(loss, sources, unconnected_gradients=tf.UnconnectedGradients.NONE)
        var_grads = dict(zip(trainable, grads[: len(trainable)]))
        tensor_grads = {(p, a): g is not None for (p, a, _), g in zip(tensors, grads[len(trainable):])}
        return _ModeResult(
            watched,
            created,
            {key: g is not None for key, g in var_grads.items()},
            {key: _all_zero(tf, g) for key, g in var_grads.items() if g is not None},
            tensor_grads,
        )

    @contextlib.contextmanager
    def _arrays_as_tensors(self, tree: list[tuple[str, Any]]) -> Iterator[list[tuple[str, str, Any]]]:
        """Swap float numpy attributes for equal tensors during a call, so the tape can watch them."""
        layers = dict(tree)
        swapped = []
        for path, attribute in self.index.arrays:
            layer = layers.get(path)
            original = getattr(layer, attribute, None)
            if layer is None or original is None:
                continue
            tensor = self.tf.constant(original)
            try:
                setattr(layer, attribute, tensor)
            except Exception:  # noqa: BLE001  (a property without a setter, say)
                continue
            swapped.append((path, attribute, tensor, layer, original))
        try:
            yield [(path, attribute, tensor) for path, attribute, tensor, _, _ in swapped]
        finally:
            for _, attribute, _, layer, original in swapped:
                setattr(layer, attribute, original)

    def _graph_call(self, tree: list[tuple[str, Any]]) -> None:
        tf = self.tf
        if tf.config.functions_run_eagerly():
            self._note("tf.config.run_functions_eagerly(True) is set: the tf.function check was skipped")
            return
        mode = self.modes[0]
        kwargs = self._call_kwargs(mode)
        layer = self.layer
        sources = list(self._trainable().values())

        @tf.function
        def step(*args: Any) -> Any:
            with tf.GradientTape() as tape:
                loss = _loss(tf, layer(*args, **kwargs), layer)
            if loss is None:
                return tf.constant(0.0)
            grads = tape.gradient(loss, sources)
            return [g for g in grads if g is not None] + [loss]

        try:
            with self.log.recording(tf):
                step(*self.inputs)
        except Exception as exc:  # noqa: BLE001
            error = check_error("graph", exc)
            if _SINGLETON in error.message and any(f.code == "KVL903" for f in self.report.findings):
                return  # already reported from eager mode
            file, line = error.origin or (None, None)
            if _SINGLETON in error.message:
                message = f"creates a variable on every call: under tf.function it fails with: {error.message}"
                code = "KVL903"
            else:
                message = f"fails under tf.function{_mode_text(mode)} (eager mode works): {error.describe()}"
                code = "KVL904"
            self.report.findings.append(
                RuntimeFinding(code, message, layer_path=tree[0][0], file=file, line=line, error=error)
            )
            return
        self.report.graph_checked = True

    # -- turning observations into findings ---------------------------------------------------

    def _report_eager(self, tree: list[tuple[str, Any]], results: list[_ModeResult]) -> None:
        tracked, owners = self._tracked(tree)
        seen = _Seen(
            root=tree[0][0],
            paths={id(layer): path for path, layer in tree},
            owners=owners,
            tracked=tracked,
            trainable=self._trainable(),
            created={id(v): v for r in results for v in r.created},
            first_call={id(v) for v in results[0].created},
            watched={k: v for r in results for k, v in r.watched.items()},
            grads={},
            zeros={},
        )
        for r in results:
            for key, has in r.grads.items():
                seen.grads[key] = seen.grads.get(key, False) or has
            for key, zero in r.zeros.items():
                seen.zeros[key] = seen.zeros.get(key, True) and zero
        self.report.gradients_checked = any(r.grads or r.tensor_grads for r in results)
        created_sites = self._report_created(seen)
        self._report_untracked(seen)
        lost = self._report_no_gradient(seen, created_sites)
        self._record_variables(seen, lost)
        depends: dict[tuple[str, str], bool] = {}
        for r in results:
            for where, has in r.tensor_grads.items():
                depends[where] = depends.get(where, False) or has
        final = introspect.index_attributes(tree, self.tf)
        current = {(p, a) for p, a, _ in final.tensors} | set(final.arrays)
        for path, attribute in sorted(current | set(depends)):
            self.report.tensor_attributes.append(TensorAttribute(path, attribute, depends.get((path, attribute))))
        for path, layer in tree[1:]:
            parent, attribute = final.sublayers.get(path, (path.rsplit("/", 1)[0], None))
            self.report.sublayers.append(Sublayer(path, parent, attribute, bool(getattr(layer, "built", True))))

    def _where(self, seen: "_Seen", key: int) -> tuple[str, str | None, str | None, int | None]:
        """(owning layer path, attribute, creation file, line) of a variable, as far as known."""
        path, attribute = self.index.variables.get(key, (seen.owners.get(key), None))
        site = self.log.sites.get(key)
        if site is None:
            return path or seen.root, attribute, None, None
        path = path or seen.paths.get(id(site.owner), seen.root)
        return path, attribute or _assigned_attribute(site.file, site.line), site.file, site.line

    def _finding(self, seen: "_Seen", code: str, key: int, variable: Any, message: str) -> None:
        """Add a finding about the variable ``key`` (``variable``: the object, or its display name)."""
        path, attribute, file, line = self._where(seen, key)
        name = variable if isinstance(variable, str) else introspect.display_name(variable)
        site = self.log.sites.get(key)
        stack = list(site.stack) if site and code == "KVL903" else []
        self.report.findings.append(RuntimeFinding(code, message, name, path, attribute, file, line, stack=stack))

    def _report_created(self, seen: "_Seen") -> set[tuple[str, int]]:
        """KVL903, one finding per creation site (each call makes new variables there); returns the sites."""
        groups: dict[tuple[Any, ...], list[int]] = {}
        for key, variable in seen.created.items():
            site = self.log.sites.get(key)
            group = (site.file, site.line) if site else ("", introspect.display_name(variable))
            groups.setdefault(group, []).append(key)
        for keys in groups.values():
            names = list(dict.fromkeys(introspect.display_name(seen.created[k]) for k in keys))
            first = list(dict.fromkeys(introspect.display_name(seen.created[k]) for k in keys if k in seen.first_call))
            names = first or names
            shown = ", ".join(f"'{n}'" for n in names[:3]) + (", ..." if len(names) > 3 else "")
            if len(names) == 1:
                subject = f"variable {shown} is"
                never = "it starts from its initial value on each step and never trains"
            else:
                subject = f"variables {shown} are"
                never = "they start from their initial values on each step and never train"
            _, _, file, line = self._where(seen, keys[0])
            at = f" at {_loc(file, line)}" if file else ""
            message = (
                f"{subject} created by every call{at}, after the layer was built: {never} "
                "(create weights once, in __init__ or build())"
            )
            self._finding(seen, "KVL903", keys[0], names[0], message)
        return {(g[0], g[1]) for g in groups if g[0]}

    def _report_untracked(self, seen: "_Seen") -> None:
        """KVL901: read in call, not tracked (variables the call itself made are KVL903 already)."""
        for key, variable in seen.watched.items():
            if key in seen.tracked or key in seen.created:
                continue
            path, attribute, _, _ = self._where(seen, key)
            held = f" (held in {_held(path, attribute)})" if attribute else ""
            message = (
                f"variable '{introspect.display_name(variable)}'{held} is read in call() but the layer does not "
                "track it: it is not in trainable_variables, so fit() and optimizers never update it"
            )
            self._finding(seen, "KVL901", key, variable, message)

    def _report_no_gradient(self, seen: "_Seen", created_sites: set[tuple[str, int]]) -> dict[int, Any]:
        """KVL902 for tracked trainable variables without a gradient in every mode, and for trainable
        variables an attribute held (``self.w = ...``) that the layer lost or never tracked and call()
        never reads (Keras 2 drops a variable whose attribute is reassigned). Returns the latter."""
        modes = " and ".join(f"training={m}" for m in self.modes) if self.modes != [None] else ""
        for key, variable in seen.trainable.items():
            if seen.grads.get(key, True):
                continue
            path, attribute, file, line = self._where(seen, key)
            if (file, line) in created_sites:
                continue  # an earlier call's copy of a KVL903 variable
            reason = self._no_gradient_reason(path, attribute, key in seen.watched)
            message = (
                f"trainable variable '{introspect.display_name(variable)}' gets no gradient"
                + (f" ({modes})" if modes else "")
                + f": {reason}, so training never changes it"
            )
            self._finding(seen, "KVL902", key, variable, message)
        lost = {
            key: variable
            for key, variable in self.log.objects.items()
            if key not in seen.tracked
            and key not in seen.watched
            and key not in seen.created
            and getattr(variable, "trainable", False)
            and variable.dtype.is_floating
            and self._where(seen, key)[1] is not None  # once held by an attribute (not a temporary)
            and self._where(seen, key)[2:] not in created_sites
        }
        tensors = {(p, a) for p, a, _ in self.index.tensors}
        for key, variable in lost.items():
            path, attribute, file, line = self._where(seen, key)
            if attribute and (path, attribute) in tensors:
                how = f"attribute '{attribute}' was reassigned to a tensor and the layer dropped the variable"
            else:
                how = "the layer does not track it and call() never reads it"
            at = f" at {_loc(file, line)}" if file else ""
            message = (
                f"trainable variable '{introspect.display_name(variable)}' created{at} gets no gradient: {how}, "
                "so training never changes it"
            )
            self._finding(seen, "KVL902", key, variable, message)
        return lost

    def _record_variables(self, seen: "_Seen", lost: dict[int, Any]) -> None:
        """What the confirmation step needs besides the findings: every variable seen, and its fate."""
        untracked = {k: v for k, v in seen.watched.items() if k not in seen.tracked}
        held = {k: v for k, v in self.index.objects.items() if k in self.index.variables}
        for key, variable in {**seen.trainable, **untracked, **lost, **held}.items():
            path, attribute, file, line = self._where(seen, key)
            self.report.variables.append(
                VariableInfo(
                    name=introspect.display_name(variable),
                    layer_path=path,
                    attribute=attribute,
                    tracked=key in seen.tracked,
                    trainable=bool(getattr(variable, "trainable", False)),
                    read_in_call=key in seen.watched,
                    gradient=False if key in lost else seen.grads.get(key),
                    zero_gradient=seen.zeros.get(key, False),
                    created_in_call=key in seen.created,
                    file=file,
                    line=line,
                )
            )

    def _no_gradient_reason(self, path: str, attribute: str | None, read: bool) -> str:
        if attribute is not None:
            now = {(p, a) for p, a, _ in self.index.tensors}
            if (path, attribute) in now:
                return f"attribute '{attribute}' now holds a tensor computed from it, not the variable"
        if not read:
            return (
                "call() does not read it on a differentiable path "
                "(never read, read through tf.stop_gradient, or only used in build())"
            )
        return (
            "call() reads it but the outputs do not depend on it differentiably "
            "(.numpy(), float(), an integer cast, argmax)"
        )

    # -- helpers ------------------------------------------------------------------------------

    def _failed(self, phase: str, exc: BaseException, what: str) -> RuntimeReport:
        error = check_error(phase, exc)
        file, line = error.origin or (None, None)
        self.report.findings.append(
            RuntimeFinding(
                "KVL904",
                f"{what}: {error.describe()}",
                layer_path=self.report.layer_name,
                file=file,
                line=line,
                error=error,
            )
        )
        return self.report

    def _note(self, text: str) -> None:
        if text not in self.report.notes:
            self.report.notes.append(text)

    def _call_kwargs(self, mode: bool | None) -> dict[str, Any]:
        return {**self.kwargs, "training": mode} if mode is not None else dict(self.kwargs)

    def _reindex(self, tree: list[tuple[str, Any]]) -> None:
        fresh = introspect.index_attributes(tree, self.tf)
        self.index.merge(fresh)  # variables: the first attribute seen holding each one wins
        self.index.tensors, self.index.arrays = fresh.tensors, fresh.arrays  # what attributes hold now

    def _trainable(self) -> dict[int, Any]:
        """Tracked trainable float variables of the tree, by id of their tf.Variable."""
        result: dict[int, Any] = {}
        for variable in self.layer.trainable_variables:
            inner = introspect.as_tf_variable(variable, self.tf)
            if inner is not None and inner.dtype.is_floating:
                result.setdefault(id(inner), inner)
        return result

    def _tracked(self, tree: list[tuple[str, Any]]) -> tuple[set[int], dict[int, str]]:
        """Ids of every variable the tree tracks, and the deepest layer tracking each."""
        tracked: set[int] = set()
        owners: dict[int, str] = {}
        for path, layer in tree:  # breadth first: deeper layers overwrite their ancestors
            for variable in list(getattr(layer, "variables", None) or getattr(layer, "weights", [])):
                inner = introspect.as_tf_variable(variable, self.tf)
                if inner is not None:
                    tracked.add(id(inner))
                    owners[id(inner)] = path
        return tracked, owners


def _all_zero(tf: Any, gradient: Any) -> bool:
    values = gradient.values if isinstance(gradient, tf.IndexedSlices) else gradient
    return bool(tf.reduce_all(tf.equal(values, 0)))


def _loss(tf: Any, outputs: Any, layer: Any) -> Any | None:
    """Sum of every floating-point output plus ``layer.losses``; None when there is nothing to sum."""
    terms = []
    for item in tf.nest.flatten(outputs, expand_composites=True):  # sparse/ragged: their value tensors
        try:
            if tf.is_tensor(item) and tf.as_dtype(item.dtype).is_floating:
                terms.append(tf.reduce_sum(tf.cast(tf.convert_to_tensor(item), tf.float32)))
        except (TypeError, ValueError):
            continue  # not a dense float tensor after all: nothing to differentiate
    for extra in getattr(layer, "losses", []) or []:
        if tf.is_tensor(extra) and extra.dtype.is_floating:
            terms.append(tf.reduce_sum(tf.cast(extra, tf.float32)))
    return tf.add_n(terms) if terms else None


def _assigned_attribute(file: str, line: int) -> str | None:
    """``w`` when the source line reads ``self.w = ...`` (a variable whose attribute was since replaced)."""
    import linecache
    import re

    match = re.search(r"\bself\.(\w+)\s*(?::[^=]+)?=(?!=)", linecache.getline(file, line))
    return match.group(1) if match else None


def _held(path: str, attribute: str) -> str:
    return f"{path.rsplit('/', 1)[-1]}.{attribute}"


def _loc(file: str | None, line: int | None) -> str:
    return f"{short_path(file)}:{line}" if file else "?"


def _mode_text(mode: bool | None) -> str:
    return f" with training={mode}" if mode is not None else ""
