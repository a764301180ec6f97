"""Without ``--runtime`` nothing imports TensorFlow: the package, the runtime package, the confirmation
entry point, the test helpers and the pytest plugin all import it lazily."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_package_and_its_interfaces_does_not_import_tensorflow() -> None:
    code = (
        "import sys, keras_varlint, keras_varlint.runtime, keras_varlint.runtime.confirm, keras_varlint.testing, "
        "keras_varlint.interfaces.pytest_plugin\n"
        "loaded = [m for m in ('tensorflow', 'keras', 'tf_keras', 'numpy') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
