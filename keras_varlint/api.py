"""The Python API of the static linter: ``keras_varlint.lint(paths, ...)``.

It runs what ``keras-varlint PATH ...`` runs (config file, selection, ``# noqa``, per-file-ignores,
cache) and returns the findings instead of printing them. TensorFlow is never imported.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

from keras_varlint.findings import Finding

PathLike = str | os.PathLike[str]


def _codes(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


def lint(
    paths: PathLike | Iterable[PathLike],
    *,
    select: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    extend_select: str | Iterable[str] | None = None,
    keras_version: int | None = None,
    config: PathLike | None = None,
    use_cache: bool = False,
) -> list[Finding]:
    """Lint files and directories (``.py`` and ``.ipynb``); return the findings, sorted by place.

    ``select``/``ignore``/``extend_select`` take codes or prefixes (``"KVL001"``, ``["KVL1"]``,
    ``"ALL"``) as the command line does, on top of the ``[tool.keras-varlint]`` table found above
    the first path (or ``config``). ``keras_version`` (2 or 3) analyses every class as that
    version. The cache is off unless ``use_cache``. Raises ``keras_varlint.config.UsageError``
    (its message is one line) for a bad argument, a missing path or a bad config file; a file
    that cannot be read or parsed is a KVL000 finding.
    """
    from keras_varlint.config import UsageError, load_settings
    from keras_varlint.engine import lint_paths

    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise UsageError("lint: no path given")
    for item in items:
        if not os.path.lexists(item):
            raise UsageError(f"path does not exist: {os.fspath(item)}")
    if keras_version not in (None, 2, 3):
        raise UsageError(f"keras_version must be 2 or 3, not {keras_version!r}")
    args = SimpleNamespace(
        paths=[os.fspath(item) for item in items], config=None if config is None else os.fspath(config),
        select=_codes(select), ignore=_codes(ignore), extend_select=_codes(extend_select),
        keras_version=keras_version, no_cache=not use_cache,
    )
    settings = load_settings(args)
    result = lint_paths([Path(item) for item in args.paths], settings)
    return list(result.findings)
