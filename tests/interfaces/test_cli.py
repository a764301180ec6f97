"""The ``keras-varlint`` command line, with a fake engine and a fake rule registry.

The engine is replaced through ``sys.modules["keras_varlint.engine"]``, so these tests run
whether or not the real engine exists yet; ``test_cli_e2e.py`` runs the real one.
"""

from __future__ import annotations

import copy
import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from keras_varlint.findings import Finding, Severity
from keras_varlint.interfaces import cli
from keras_varlint.output.common import tool_version
from keras_varlint.result import LintResult
from keras_varlint.selection import enabled_codes
from keras_varlint.settings import Settings

DEFAULT_OFF = {"KVL010", "KVL105"}
CODES = [f"KVL00{i}" for i in range(1, 10)] + ["KVL010"] + [f"KVL10{i}" for i in range(1, 6)] + ["KVL201"]


def fake_rule(code: str) -> type:
    def documentation(cls: type) -> str:
        return f"# rule-{cls.code.lower()} ({cls.code})\n\nThe page of {cls.code}.\n"

    return type(code, (), {
        "code": code, "name": f"rule-{code.lower()}", "severity": Severity.WARNING, "summary": f"About {code}.",
        "default_enabled": code not in DEFAULT_OFF, "documentation": classmethod(documentation),
    })


REGISTRY = {code: fake_rule(code) for code in CODES}

KVL001 = Finding("pkg/layers.py", 7, 17, 7, 30, "KVL001", "untracked-variable", Severity.ERROR,
                 "tf.Variable stored on self.w is not tracked", layer="Scale", attribute="w")
KVL101 = Finding("pkg/layers.py", 9, 8, 9, 20, "KVL101", "unused-weight", Severity.WARNING,
                 "weight self.b is never read", layer="Scale", attribute="b")
KVL101_B = Finding("pkg/other.py", 2, 0, 2, 5, "KVL101", "unused-weight", Severity.WARNING,
                   "weight self.c is never read")


@dataclass
class FakeEngine:
    """Stands in for ``keras_varlint.engine``: records calls, returns a copy of ``result``."""

    result: LintResult = field(default_factory=lambda: LintResult(files=1))
    calls: list[tuple[list[Path], Settings]] = field(default_factory=list)

    def lint_paths(self, paths: list[Path], settings: Settings) -> LintResult:
        self.calls.append((paths, settings))
        return copy.deepcopy(self.result)

    @property
    def settings(self) -> Settings:
        (_, settings), = self.calls
        return settings


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setitem(sys.modules, "keras_varlint.engine", fake)
    monkeypatch.setattr(cli, "_registry", lambda: REGISTRY)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "layers.py").write_text("import keras\n")
    return fake


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    def invoke(*argv: str) -> Run:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


def assert_usage_error(outcome: Run, *fragments: str) -> None:
    assert outcome.code == 2
    assert outcome.out == ""
    assert outcome.err.startswith("keras-varlint: error: ")
    assert outcome.err.count("\n") == 1 and outcome.err.endswith("\n")
    for fragment in fragments:
        assert fragment in outcome.err


# --- exit codes and paths --------------------------------------------------------------------


def test_clean_run_exits_0_with_no_output(engine: FakeEngine, run) -> None:
    outcome = run()
    assert (outcome.code, outcome.out, outcome.err) == (0, "", "")
    assert engine.calls[0][0] == [Path(".")]


def test_findings_exit_1_in_flake8_format(engine: FakeEngine, run) -> None:
    engine.result = LintResult(files=2, findings=[KVL001, KVL101])
    outcome = run("pkg")
    assert outcome.code == 1
    assert outcome.out == (
        "pkg/layers.py:7:18: KVL001 tf.Variable stored on self.w is not tracked\n"
        "pkg/layers.py:9:9: KVL101 weight self.b is never read\n"
        "Found 2 errors.\n"
    )
    assert engine.calls[0][0] == [Path("pkg")]


def test_fixable_findings_are_marked_and_counted_as_ruff_does(engine: FakeEngine, run) -> None:
    from keras_varlint.fixes import Edit, Fix

    safe, unsafe = copy.deepcopy(KVL001), copy.deepcopy(KVL101)
    safe.fix = Fix("safe", "Replace", [Edit(7, 17, 7, 19, "keras")])
    unsafe.fix = Fix("unsafe", "Delete", [Edit(9, 0, 10, 0, "")])
    engine.result = LintResult(files=2, findings=[safe, unsafe, KVL101_B])
    outcome = run("pkg")
    assert outcome.out.splitlines() == [
        "pkg/layers.py:7:18: KVL001 [*] tf.Variable stored on self.w is not tracked",
        "pkg/layers.py:9:9: KVL101 weight self.b is never read",
        "pkg/other.py:2:1: KVL101 weight self.c is never read",
        "Found 3 errors.",
        "[*] 1 fixable with --fix (1 hidden fix can be enabled with --unsafe-fixes)",
    ]
    assert run("pkg", "--unsafe-fixes").out.splitlines()[1:5:3] == [
        "pkg/layers.py:9:9: KVL101 [*] weight self.b is never read", "[*] 2 fixable with --fix",
    ]
    assert json.loads(run("pkg", "--format", "json").out)["findings"][1]["fix"]["applicability"] == "unsafe"


def test_unfixable_codes_lose_their_fixes(engine: FakeEngine, run, tmp_path: Path) -> None:
    from keras_varlint.fixes import Edit, Fix

    finding = copy.deepcopy(KVL001)
    finding.fix = Fix("safe", "Replace", [Edit(7, 17, 7, 19, "keras")])
    engine.result = LintResult(files=1, findings=[finding])
    (tmp_path / "pyproject.toml").write_text('[tool.keras-varlint]\nunfixable = ["KVL001"]\n')
    outcome = run(str(tmp_path))
    assert "[*]" not in outcome.out and outcome.out.endswith("Found 1 error.\n")


def test_files_and_directories_are_passed_in_order(engine: FakeEngine, run) -> None:
    assert run("pkg/layers.py", "pkg", ".").code == 0
    assert engine.calls[0][0] == [Path("pkg/layers.py"), Path("pkg"), Path(".")]


def test_nonexistent_path_is_a_usage_error(engine: FakeEngine, run) -> None:
    assert_usage_error(run("pkg", "no/such/dir"), "path does not exist: no/such/dir")
    assert engine.calls == []


def test_notes_go_to_stderr_and_an_empty_tree_exits_0(engine: FakeEngine, run) -> None:
    engine.result = LintResult(files=0, notes=["no Python files under pkg"])
    outcome = run("pkg")
    assert (outcome.code, outcome.out) == (0, "")
    assert outcome.err == "keras-varlint: note: no Python files under pkg\n"


def test_unexaminable_files_are_reported_and_exit_1(engine: FakeEngine, run) -> None:
    error = {"path": "pkg/x.py", "message": "cannot read file:\nPermission denied"}
    engine.result = LintResult(files=1, errors=[error])
    outcome = run()
    assert outcome.code == 1
    assert outcome.err == "keras-varlint: error: pkg/x.py: cannot read file: Permission denied\n"


# --- usage errors are one line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--sel", "KVL001"], "unrecognized arguments: --sel"),
        (["--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--keras-version", "4"], "argument --keras-version: invalid choice: 4"),
        (["-j", "0"], "argument -j/--jobs: expected a positive integer, got '0'"),
        (["--jobs", "many"], "argument -j/--jobs: expected a positive integer, got 'many'"),
        (["--runtime-timeout", "-3"], "argument --runtime-timeout: expected a positive number of seconds"),
        (["--runtime-timeout", "nan"], "argument --runtime-timeout: expected a positive number of seconds"),
        (["--select"], "argument --select: expected one argument"),
        (["--select", "KVL999"], "--select: unknown rule code or prefix 'KVL999'"),
        (["--ignore", "KVL001,E501"], "--ignore: unknown rule code or prefix 'E501'"),
        (["--extend-select", "KVL3"], "--extend-select: unknown rule code or prefix 'KVL3'"),
        (["--config", "missing.toml"], "config file not found: missing.toml"),
    ],
)
def test_usage_errors(engine: FakeEngine, run, argv: list[str], fragment: str) -> None:
    assert_usage_error(run(*argv), fragment)
    assert engine.calls == []


def test_bad_config_value_exits_2_naming_the_key(engine: FakeEngine, run, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.keras-varlint]\nkeras-version = 4\n")
    assert_usage_error(run("pkg"), "pyproject.toml: [tool.keras-varlint] keras-version: expected 2 or 3, got 4")


def test_help_and_version(engine: FakeEngine, run) -> None:
    outcome = run("--version")
    assert (outcome.code, outcome.out) == (0, f"keras-varlint {tool_version()}\n")
    outcome = run("--help")
    assert outcome.code == 0 and outcome.out.startswith("usage: keras-varlint")
    for option in ("--select", "--extend-select", "--ignore", "--exclude", "--format", "--keras-version",
                   "--statistics", "--jobs", "--no-cache", "--cache-dir", "--runtime", "--runtime-timeout",
                   "--config", "--version"):
        assert option in outcome.out
    assert engine.calls == []


# --- options reach the settings --------------------------------------------------------------


def test_selection_options_are_comma_separated_and_repeatable(engine: FakeEngine, run) -> None:
    assert run("--select", "KVL0,kvl101", "--select", "KVL2", "--ignore", "KVL005,KVL006",
               "--extend-select", "KVL105").code == 0
    settings = engine.settings
    assert settings.select == ["KVL0", "KVL101", "KVL2"]
    assert settings.ignore == ["KVL005", "KVL006"]
    assert settings.extend_select == ["KVL105"]
    expected = {f"KVL00{i}" for i in (1, 2, 3, 4, 7, 8, 9)} | {"KVL010", "KVL101", "KVL105", "KVL201"}
    assert enabled_codes(settings, REGISTRY) == expected


def test_all_other_options_reach_the_settings(engine: FakeEngine, run, tmp_path: Path) -> None:
    argv = ["--exclude", "gen/*,*_pb2.py", "--exclude", "old", "--keras-version", "2", "-j", "3", "--no-cache",
            "--cache-dir", "c", "--runtime-timeout", "2.5", "pkg"]
    assert run(*argv).code == 0
    settings = engine.settings
    assert settings.exclude == ["gen/*", "*_pb2.py", "old"]
    assert settings.keras_version == 2 and settings.jobs == 3
    assert settings.use_cache is False and settings.cache_dir == tmp_path / "c"
    assert settings.runtime is False and settings.runtime_timeout == 2.5
    assert settings.project_root == (tmp_path / "pkg").resolve()


def test_config_is_found_from_the_first_path_and_cli_wins(engine: FakeEngine, run, tmp_path: Path) -> None:
    (tmp_path / "pkg" / "pyproject.toml").write_text(
        '[tool.keras-varlint]\nkeras-version = 2\njobs = 4\nexclude = ["x"]\nignore = ["KVL1"]\n'
    )
    assert run("pkg", "--keras-version", "3").code == 0
    settings = engine.settings
    assert (settings.keras_version, settings.jobs, settings.exclude) == (3, 4, ["x"])
    assert settings.project_root == (tmp_path / "pkg").resolve()
    assert not enabled_codes(settings, REGISTRY) & {"KVL101", "KVL102"}


def test_explicit_config_option(engine: FakeEngine, run, tmp_path: Path) -> None:
    (tmp_path / "ci.toml").write_text("[tool.keras-varlint]\njobs = 2\n")
    assert run("--config", "ci.toml", "pkg").code == 0
    assert engine.settings.jobs == 2 and engine.settings.project_root == tmp_path.resolve()


# --- formats and statistics ------------------------------------------------------------------


def test_json_format(engine: FakeEngine, run) -> None:
    engine.result = LintResult(files=4, findings=[KVL001])
    outcome = run("--format", "json")
    assert outcome.code == 1
    data = json.loads(outcome.out)
    assert (data["version"], data["files"], data["errors"]) == (1, 4, [])
    assert data["findings"] == [KVL001.to_json()]


def test_sarif_format_lists_the_registry(engine: FakeEngine, run) -> None:
    engine.result = LintResult(files=1, findings=[KVL101])
    outcome = run("--format", "sarif")
    assert outcome.code == 1
    run_ = json.loads(outcome.out)["runs"][0]
    assert [rule["id"] for rule in run_["tool"]["driver"]["rules"]] == CODES
    (result,) = run_["results"]
    assert result["ruleId"] == "KVL101" and run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "KVL101"


def test_github_format(engine: FakeEngine, run) -> None:
    engine.result = LintResult(files=1, findings=[KVL001])
    outcome = run("--format", "github")
    assert outcome.out == (
        "::error file=pkg/layers.py,line=7,col=18,endLine=7,endColumn=31,title=KVL001 untracked-variable"
        "::tf.Variable stored on self.w is not tracked\n"
    )


def test_statistics_follow_the_findings(engine: FakeEngine, run) -> None:
    engine.result = LintResult(files=2, findings=[KVL001, KVL101, KVL101_B])
    outcome = run("--statistics")
    assert outcome.code == 1
    assert outcome.out.splitlines()[3:] == ["  1 KVL001 untracked-variable", "  2 KVL101 unused-weight", "Found 3 errors."]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_statistics_keep_machine_output_parseable(engine: FakeEngine, run, fmt: str) -> None:
    engine.result = LintResult(files=2, findings=[KVL001])
    outcome = run("--format", fmt, "--statistics")
    json.loads(outcome.out)
    assert outcome.err == "  1 KVL001 untracked-variable\n"


# --- --runtime -------------------------------------------------------------------------------


@pytest.fixture
def runtime_module(monkeypatch: pytest.MonkeyPatch):
    """A fake ``keras_varlint.runtime.confirm`` that confirms every finding and adds a KVL902."""
    from keras_varlint.runtime import RuntimeUnavailable

    module = types.SimpleNamespace(calls=[], error=None, unavailable=RuntimeUnavailable)

    def confirm_findings(findings, settings, roots, harvested=None):
        module.calls.append((list(findings), settings, roots, harvested))
        if module.error:
            raise module.error
        for finding in findings:
            finding.runtime = {"status": "confirmed", "detail": "w is not tracked"}
        return [Finding("pkg/layers.py", 3, 0, 3, 5, "KVL902", "no-gradient", Severity.ERROR,
                        "variable scale/b gets no gradient", layer="Scale")]

    module.confirm_findings = confirm_findings
    monkeypatch.setitem(sys.modules, "keras_varlint.runtime.confirm", module)
    return module


def test_runtime_confirms_and_appends_findings(engine: FakeEngine, run, runtime_module) -> None:
    engine.result = LintResult(files=1, findings=[KVL001])
    outcome = run("--runtime", "--runtime-timeout", "9", "pkg")
    assert outcome.code == 1
    assert outcome.out.splitlines() == [
        "pkg/layers.py:3:1: KVL902 variable scale/b gets no gradient",
        "pkg/layers.py:7:18: KVL001 tf.Variable stored on self.w is not tracked [confirmed at runtime]",
        "Found 2 errors.",
    ]
    (findings, settings, roots, harvested), = runtime_module.calls
    assert [f.code for f in findings] == ["KVL001"]
    assert settings.runtime is True and settings.runtime_timeout == 9.0
    assert roots == [Path("pkg")] and harvested is None


def test_runtime_json_carries_the_verdict(engine: FakeEngine, run, runtime_module) -> None:
    engine.result = LintResult(files=1, findings=[KVL001])
    data = json.loads(run("--runtime", "--format", "json").out)
    assert data["findings"][1]["runtime"] == {"status": "confirmed", "detail": "w is not tracked"}


def test_runtime_is_not_run_without_the_flag(engine: FakeEngine, run, runtime_module) -> None:
    engine.result = LintResult(files=1, findings=[KVL001])
    assert run().code == 1
    assert runtime_module.calls == []


def test_runtime_unavailable_exits_2(engine: FakeEngine, run, runtime_module) -> None:
    runtime_module.error = runtime_module.unavailable("No module named 'tensorflow'\n(traceback follows)")
    assert_usage_error(run("--runtime"), "needs TensorFlow (No module named 'tensorflow');",
                       "install it with: pip install 'keras-varlint[runtime]'")


def test_runtime_module_missing_exits_2(engine: FakeEngine, run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keras_varlint.runtime.confirm", None)
    assert_usage_error(run("--runtime"), "--runtime is unavailable")


# --- keras-varlint rule ----------------------------------------------------------------------


def test_rule_prints_its_page(engine: FakeEngine, run) -> None:
    outcome = run("rule", "KVL101")
    assert (outcome.code, outcome.out, outcome.err) == (0, REGISTRY["KVL101"].documentation(), "")
    assert run("rule", "kvl101").out == REGISTRY["KVL101"].documentation()


def test_rule_all_prints_every_page(engine: FakeEngine, run) -> None:
    outcome = run("rule", "--all")
    assert outcome.code == 0
    for code in CODES:
        assert f"## rule-{code.lower()} ({code})\n\nThe page of {code}.\n" in outcome.out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["rule", "KVL999"], "unknown rule code 'KVL999'"),
        (["rule"], "give either a rule code or --all"),
        (["rule", "KVL001", "--all"], "give either a rule code or --all"),
        (["rule", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_rule_usage_errors(engine: FakeEngine, run, argv: list[str], fragment: str) -> None:
    assert_usage_error(run(*argv), fragment)


# --- against the real rule registry ----------------------------------------------------------


def real_registry() -> dict:
    from keras_varlint.rules.base import registry

    return registry()


def test_rule_command_with_the_real_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rule", "KVL001"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("# untracked-variable (KVL001)\n")
    assert "## Example" in page and "## Use instead" in page


def test_real_selectors_validate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run) -> None:
    fake = FakeEngine()
    monkeypatch.setitem(sys.modules, "keras_varlint.engine", fake)
    monkeypatch.chdir(tmp_path)
    assert run("--select", "KVL001", "--extend-select", "KVL0", "--ignore", "ALL").code == 0
    assert_usage_error(run("--select", "KVL0019"), "unknown rule code or prefix 'KVL0019'")


def test_docs_rules_md_is_generated_from_rule_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rule", "--all"]) == 0
    expected = capsys.readouterr().out
    docs = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert docs.is_file(), "run: keras-varlint rule --all > docs/rules.md"
    stale = "docs/rules.md is stale: run keras-varlint rule --all > docs/rules.md"
    assert docs.read_text(encoding="utf-8") == expected, stale
