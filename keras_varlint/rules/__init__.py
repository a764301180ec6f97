"""The rule catalogue: one module per rule; importing this package registers them all."""

import importlib
import pkgutil

from keras_varlint.rules.base import Examples, Report, Rule, registry

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("kvl"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Examples", "Report", "Rule", "registry"]
