"""Config discovery, validation of [tool.keras-varlint], and merging with command-line options."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from keras_varlint.config import ConfigError, find_config, load_settings, read_config
from keras_varlint.findings import Severity
from keras_varlint.selection import UsageError, enabled_codes
from keras_varlint.settings import RuntimeExample

DEFAULT_OFF = {"KVL010", "KVL105"}
CODES = [f"KVL00{i}" for i in range(1, 10)] + ["KVL010"] + [f"KVL10{i}" for i in range(1, 6)] + ["KVL201"]
REGISTRY = {
    code: type(code, (), {"code": code, "name": code.lower(), "severity": Severity.ERROR, "summary": "s",
                          "default_enabled": code not in DEFAULT_OFF})
    for code in CODES
}


def write_pyproject(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def settings_for(*paths: Path | str, **options: object):
    args = SimpleNamespace(paths=[str(p) for p in paths], **options)
    return load_settings(args, REGISTRY)


# --- discovery -------------------------------------------------------------------------------


def test_find_config_walks_upward_from_a_file(tmp_path: Path) -> None:
    config = write_pyproject(tmp_path, "[tool.keras-varlint]\nselect = ['KVL001']\n")
    source = tmp_path / "pkg" / "sub" / "layers.py"
    source.parent.mkdir(parents=True)
    source.write_text("x = 1\n")
    assert find_config(source) == config.resolve()
    assert find_config(source.parent) == config.resolve()


def test_find_config_skips_pyprojects_without_the_table(tmp_path: Path) -> None:
    outer = write_pyproject(tmp_path, '[tool."keras-varlint"]\n')
    write_pyproject(tmp_path / "inner", "[tool.ruff]\nline-length = 100\n# keras-varlint is mentioned\n")
    write_pyproject(tmp_path / "inner" / "deeper", "[project]\nname = 'x'\n")
    assert find_config(tmp_path / "inner" / "deeper") == outer.resolve()


def test_find_config_returns_none_without_a_config(tmp_path: Path) -> None:
    write_pyproject(tmp_path / "a", "[tool.black]\n")
    assert find_config(tmp_path / "a") is None


def test_find_config_reports_broken_toml_that_mentions_the_tool(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.keras-varlint]\nselect = [\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML") as info:
        find_config(tmp_path)
    assert "\n" not in str(info.value)


def test_find_config_ignores_broken_toml_of_other_tools(tmp_path: Path) -> None:
    outer = write_pyproject(tmp_path, "[tool.keras-varlint]\n")
    write_pyproject(tmp_path / "inner", "[tool.black\n")
    assert find_config(tmp_path / "inner") == outer.resolve()


# --- reading every key -----------------------------------------------------------------------


FULL_CONFIG = """
    [tool.keras-varlint]
    select = ["KVL0", "kvl1"]
    ignore = ["KVL105"]
    extend-select = ["KVL201"]
    exclude = ["generated/*", "legacy.py"]
    keras-version = 2
    per-file-ignores = { "tests/*" = ["KVL101"], "*_pb2.py" = ["ALL"] }
    jobs = 3
    cache-dir = ".cache/kvl"
    runtime-timeout = 12.5

    [tool.keras-varlint.runtime.examples."pkg.module:MyLayer"]
    kwargs = { units = 4 }
    input_shape = [2, 8]

    [tool.keras-varlint.runtime.examples."top:Other"]
    args = [3, "relu"]
    input_shape = [[2, 8], [2, 4]]
"""


def test_read_config_reads_every_key(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, FULL_CONFIG)
    config = read_config(path, CODES)
    assert config.select == ["KVL0", "KVL1"]
    assert config.ignore == ["KVL105"]
    assert config.extend_select == ["KVL201"]
    assert config.exclude == ["generated/*", "legacy.py"]
    assert config.keras_version == 2
    assert config.per_file_ignores == {"tests/*": ["KVL101"], "*_pb2.py": ["KVL"]}
    assert config.jobs == 3
    assert config.cache_dir == tmp_path / ".cache/kvl"
    assert config.runtime_timeout == 12.5
    assert config.runtime_examples == {
        "pkg.module:MyLayer": RuntimeExample(kwargs={"units": 4}, input_shape=[2, 8]),
        "top:Other": RuntimeExample(args=[3, "relu"], input_shape=[[2, 8], [2, 4]]),
    }


def test_load_settings_from_config(tmp_path: Path) -> None:
    write_pyproject(tmp_path, FULL_CONFIG)
    settings = settings_for(tmp_path)
    assert settings.project_root == tmp_path.resolve()
    assert settings.select == ["KVL0", "KVL1"] and settings.ignore == ["KVL105"]
    assert settings.exclude == ["generated/*", "legacy.py"]
    assert settings.keras_version == 2
    assert settings.jobs == 3
    assert settings.cache_dir == (tmp_path / ".cache/kvl").absolute()
    assert settings.use_cache is True and settings.runtime is False
    assert settings.runtime_timeout == 12.5
    assert settings.runtime_examples["pkg.module:MyLayer"].kwargs == {"units": 4}
    assert enabled_codes(settings, REGISTRY) == set(CODES) - {"KVL105"}


def test_command_line_wins_over_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_pyproject(tmp_path, FULL_CONFIG)
    monkeypatch.chdir(tmp_path)
    settings = settings_for(
        tmp_path, exclude=["other/*"], keras_version=3, jobs=1, cache_dir="elsewhere", no_cache=True,
        runtime=True, runtime_timeout=5.0,
    )
    assert settings.exclude == ["other/*"]
    assert settings.keras_version == 3
    assert settings.jobs == 1
    assert settings.cache_dir == tmp_path / "elsewhere"
    assert settings.use_cache is False
    assert settings.runtime is True and settings.runtime_timeout == 5.0
    assert settings.per_file_ignores == {"tests/*": ["KVL101"], "*_pb2.py": ["KVL"]}


def test_defaults_without_config(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "m.py").write_text("")
    settings = settings_for(tmp_path / "a", tmp_path / "b" / "m.py")
    assert settings.project_root == tmp_path.resolve()
    assert (settings.select, settings.ignore, settings.extend_select) == ([], [], [])
    assert settings.exclude == [] and settings.per_file_ignores == {}
    assert settings.keras_version is None and settings.jobs is None and settings.cache_dir is None
    assert settings.runtime_timeout == 60.0 and settings.use_cache is True


def test_explicit_config_file(tmp_path: Path) -> None:
    config = write_pyproject(tmp_path / "conf", "[tool.keras-varlint]\nkeras-version = 3\n")
    (tmp_path / "src").mkdir()
    settings = settings_for(tmp_path / "src", config=str(config))
    assert settings.keras_version == 3
    assert settings.project_root == (tmp_path / "conf").resolve()


def test_explicit_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="config file not found: .*missing.toml"):
        settings_for(tmp_path, config=str(tmp_path / "missing.toml"))


# --- selection merging (ruff's layering) -----------------------------------------------------


@pytest.mark.parametrize(
    ("cli", "expected"),
    [
        ({}, set(CODES) - {"KVL101", "KVL201"}),
        # --select replaces the file's select and ignore (ruff: `--select F401` runs only F401)
        ({"select": ["KVL101"]}, {"KVL101"}),
        ({"extend_select": ["KVL201"]}, set(CODES) - {"KVL101"}),
        ({"ignore": ["KVL0"]}, {"KVL102", "KVL103", "KVL104", "KVL105"}),
        ({"extend_select": ["KVL101"], "ignore": ["ALL"]}, {"KVL101"}),
        ({"ignore": ["ALL"]}, set()),
    ],
)
def test_selection_layers(tmp_path: Path, cli: dict, expected: set[str]) -> None:
    write_pyproject(tmp_path, '[tool.keras-varlint]\nselect = ["KVL0", "KVL1"]\nignore = ["KVL101"]\n')
    assert enabled_codes(settings_for(tmp_path, **cli), REGISTRY) == expected


def test_cli_ignore_beats_a_more_specific_config_select(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.keras-varlint]\nselect = ["KVL101"]\n')
    assert enabled_codes(settings_for(tmp_path, ignore=["KVL1"]), REGISTRY) == set()


def test_cli_selection_without_config(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, select=["kvl1"], ignore=["KVL105"], extend_select=["KVL001"])
    assert (settings.select, settings.ignore, settings.extend_select) == (["KVL1"], ["KVL105"], ["KVL001"])


@pytest.mark.parametrize("option", ["select", "ignore", "extend_select"])
def test_unknown_selector_on_command_line(tmp_path: Path, option: str) -> None:
    flag = "--" + option.replace("_", "-")
    with pytest.raises(UsageError, match=f"^{flag}: unknown rule code or prefix 'KVL999'$"):
        settings_for(tmp_path, **{option: ["KVL001", "KVL999"]})


# --- bad values: exit 2 naming the key -------------------------------------------------------

SHAPE = "expected a list of positive integers"


@pytest.mark.parametrize(
    ("body", "key", "problem"),
    [
        ('select = "KVL001"', "select", "expected a list of strings"),
        ('select = ["KVL999"]', "select", "unknown rule code or prefix 'KVL999'"),
        ("ignore = [1]", "ignore", "expected a list of strings"),
        ('extend-select = ["X1"]', "extend-select", "unknown rule code"),
        ('exclude = "build"', "exclude", "expected a list of strings"),
        ("keras-version = 4", "keras-version", "expected 2 or 3, got 4"),
        ('keras-version = "3"', "keras-version", "expected 2 or 3"),
        ("keras-version = 3.0", "keras-version", "expected 2 or 3"),
        ("keras-version = true", "keras-version", "expected 2 or 3"),
        ('per-file-ignores = ["KVL001"]', "per-file-ignores", "expected a table"),
        ('per-file-ignores = { "a/*" = ["NOPE"] }', 'per-file-ignores."a/\\*"', "unknown rule code"),
        ("jobs = 0", "jobs", "expected a positive integer, got 0"),
        ("jobs = 2.5", "jobs", "expected a positive integer"),
        ('cache-dir = 3', "cache-dir", "expected a directory path"),
        ("runtime-timeout = -1", "runtime-timeout", "expected a positive number"),
        ('runtime-timeout = "60"', "runtime-timeout", "expected a positive number"),
        ("runtime = 1", "runtime", "expected a table"),
        ("runtime = { example = {} }", "runtime.example", r"unknown key \(did you mean 'runtime.examples'\?\)"),
        ('runtime.examples = { "no_colon" = {} }', 'runtime.examples."no_colon"',
         "expected a key of the form 'package.module:ClassName'"),
        ('runtime.examples."m:C" = 3', 'runtime.examples."m:C"', "expected a table"),
        ('runtime.examples."m:C" = { shape = [1] }', 'runtime.examples."m:C".shape', "unknown key"),
        ('runtime.examples."m:C" = { args = 1 }', 'runtime.examples."m:C".args', "expected a list"),
        ('runtime.examples."m:C" = { kwargs = [] }', 'runtime.examples."m:C".kwargs', "expected a table"),
        ('runtime.examples."m:C" = { input_shape = [2, 0] }', 'runtime.examples."m:C".input_shape', SHAPE),
        ('runtime.examples."m:C" = { input_shape = [] }', 'runtime.examples."m:C".input_shape', SHAPE),
        ('runtime.examples."m:C" = { input_shape = [[2], 3] }', 'runtime.examples."m:C".input_shape', SHAPE),
        ("extend_select = []", "extend_select", r"unknown key \(did you mean 'extend-select'\?\)"),
        ("colour = 1", "colour", "unknown key$"),
    ],
)
def test_bad_config_value_names_file_and_key(tmp_path: Path, body: str, key: str, problem: str) -> None:
    write_pyproject(tmp_path, f"[tool.keras-varlint]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        settings_for(tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str((tmp_path / "pyproject.toml").resolve())) or message.startswith("pyproject.toml")
    assert re.search(rf"\[tool\.keras-varlint\] {key}: {problem}", message), message


def test_config_path_is_shown_relative_to_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_pyproject(tmp_path / "proj", "[tool.keras-varlint]\njobs = -2\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^proj/pyproject.toml: \[tool.keras-varlint\] jobs: "):
        settings_for("proj")


def test_tool_table_must_be_a_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool]\nkeras-varlint = "yes"\n')
    with pytest.raises(ConfigError, match=r"\[tool.keras-varlint\] must be a table"):
        settings_for(tmp_path)
