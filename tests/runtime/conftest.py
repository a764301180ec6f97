"""Shared fixtures of the runtime-checker tests. TensorFlow is imported once per session, lazily."""

from __future__ import annotations

import types

import pytest


@pytest.fixture(scope="session")
def tf() -> types.ModuleType:
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="session")
def keras3(tf: types.ModuleType) -> types.ModuleType:
    keras = pytest.importorskip("keras")
    if not keras.__version__.startswith("3."):
        pytest.skip("needs Keras 3")
    return keras


@pytest.fixture(scope="session")
def tf_keras(tf: types.ModuleType) -> types.ModuleType:
    return pytest.importorskip("tf_keras")
