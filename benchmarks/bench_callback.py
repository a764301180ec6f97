"""Overhead of ``keras_varlint.callbacks.VariableCheck`` on a 10-epoch ``fit`` of a small CNN.

    .venv/bin/python benchmarks/bench_callback.py [--repeats 3] [--samples 2048]

Each repeat fits two fresh models from the same initial weights, one with the callback and one without,
in alternating order; the wall-clock overhead is the median of the per-repeat ratios. On a shared machine
that ratio is noisy, so the script also times the callback's own hooks (every call Keras makes into it,
measured inside the fit) against that fit's wall time: the direct cost, independent of other load.
The backend is Keras's (set KERAS_BACKEND to compare).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def build(keras, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10),
        ]
    )
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


class Timed:
    """Wraps the hooks the callback implements to add up the time spent in them (the others are Keras's
    no-op defaults; wrapping ``on_train_batch_end`` would also turn off Keras's asynchronous dispatch)."""

    HOOKS = ("on_train_begin", "on_train_batch_begin", "on_epoch_end", "on_train_end")

    def __init__(self, callback):
        self.seconds = 0.0
        for name in self.HOOKS:
            setattr(callback, name, self._timed(getattr(callback, name)))

    def _timed(self, method):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return run


def fit_seconds(keras, x, y, callbacks, epochs):
    model = build(keras, 0)
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0, callbacks=callbacks)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()

    import keras

    from keras_varlint.callbacks import VariableCheck

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 28, 28, 1), dtype="float32")
    y = rng.integers(0, 10, args.samples)
    fit_seconds(keras, x[:128], y[:128], [], 1)  # warm up the runtime
    ratios, direct = [], []
    for repeat in range(args.repeats):
        order = [False, True] if repeat % 2 == 0 else [True, False]
        times = {}
        for with_check in order:
            callbacks = [VariableCheck(on_problem="raise")] if with_check else []
            timer = Timed(callbacks[0]) if callbacks else None
            times[with_check] = fit_seconds(keras, x, y, callbacks, args.epochs)
            if timer is not None:
                direct.append(timer.seconds / times[with_check])
        ratios.append(times[True] / times[False])
        print(f"repeat {repeat}: without {times[False]:.2f}s, with VariableCheck {times[True]:.2f}s, "
              f"wall-clock overhead {100 * (ratios[-1] - 1):+.2f}%, time in the callback's hooks "
              f"{100 * direct[-1]:.3f}% of its fit")
    print(f"backend {keras.backend.backend()}: time in the callback's hooks {100 * max(direct):.3f}% of the fit "
          f"(worst repeat); median wall-clock overhead {100 * (statistics.median(ratios) - 1):+.2f}% "
          f"over {args.repeats} repeats of a {args.epochs}-epoch fit ({args.samples} samples, batch 64)")


if __name__ == "__main__":
    main()
