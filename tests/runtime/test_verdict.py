"""The confirmation table applied to hand-made runtime results (no TensorFlow)."""

from __future__ import annotations

from pathlib import Path

from keras_varlint.findings import Finding, Severity
from keras_varlint.runtime.harness import ClassResult
from keras_varlint.runtime.report import CheckError, RuntimeFinding, RuntimeReport, Sublayer, VariableInfo
from keras_varlint.runtime.verdict import judge

FILE = "/proj/layers.py"


def finding(code: str, attribute: str | None = None, line: int = 10) -> Finding:
    return Finding(
        "layers.py", line, 4, line, 30, code, "rule", Severity.ERROR, "static", "L", attribute,
        extra={"file": FILE, "module": "layers", "root": "/proj", "class": "L", "class_line": 3},
    )


def result(*findings: RuntimeFinding, variables: list[VariableInfo] | None = None, **kw: object) -> ClassResult:
    report = RuntimeReport("L", "l", "keras3", list(findings), variables or [], modes=[None])
    return ClassResult("L", checked=True, report=report, **kw)  # type: ignore[arg-type]


def variable(attribute: str, tracked: bool = True, gradient: bool | None = True) -> VariableInfo:
    return VariableInfo(f"l/{attribute}", "l", attribute, tracked, True, True, gradient)


def test_untracked_matches_list_elements_of_the_attribute() -> None:
    runtime = RuntimeFinding("KVL901", "m", variable="v0", layer_path="l", attribute="vs[0]")
    verdict = judge(finding("KVL001", "vs"), result(runtime))  # self.vs = [tf.Variable(...), ...]
    assert (verdict.status, verdict.evidence) == ("confirmed", [runtime])
    other = judge(finding("KVL001", "vsx"), result(runtime, variables=[variable("vsx")]))
    assert other.status == "refuted"


def test_a_defect_on_another_sublayer_does_not_confirm() -> None:
    runtime = RuntimeFinding("KVL901", "m", variable="w", layer_path="l/inner", attribute="w")
    assert judge(finding("KVL001", "w"), result(runtime)).status == "inconclusive"


def test_tracked_without_gradient_is_not_a_refutation_of_untracked() -> None:
    verdict = judge(finding("KVL001", "w"), result(variables=[variable("w", gradient=False)]))
    assert verdict.status == "inconclusive" and "is tracked (so not lost), but gets no gradient" in verdict.detail


def test_created_in_call_must_be_at_the_finding_lines() -> None:
    runtime = RuntimeFinding("KVL903", "m", variable="v", layer_path="l", file=FILE, line=22)
    assert judge(finding("KVL002", line=22), result(runtime)).status == "confirmed"  # v = tf.Variable(...)
    elsewhere = judge(finding("KVL002", line=10), result(runtime))
    assert elsewhere.status == "inconclusive" and "not here" in elsewhere.detail


def test_state_lock_error_while_building_confirms_add_weight_in_call() -> None:
    error = CheckError("build", "ValueError", "You cannot add new elements of state ...", [(FILE, 10)])
    unchecked = ClassResult("L", reason="building L failed", errors=[error])
    assert judge(finding("KVL002", line=10), unchecked).status == "confirmed"
    assert judge(finding("KVL002", line=30), unchecked).status == "inconclusive"
    assert judge(finding("KVL007", "w"), unchecked).detail == "building L failed"


def test_read_only_property_needs_an_attribute_error_at_its_line() -> None:
    error = CheckError("construct", "AttributeError", "can't set attribute", [(FILE, 12)])
    assert judge(finding("KVL009", line=12), ClassResult("L", errors=[error])).status == "confirmed"
    assert judge(finding("KVL009", line=40), ClassResult("L", errors=[error])).status == "inconclusive"
    assert judge(finding("KVL009", line=40), result()).status == "refuted"


def test_a_graph_failure_at_the_finding_line_confirms_a_gradient_rule() -> None:
    error = CheckError("graph", "NotImplementedError", "numpy() is only available ...", [(FILE, 10)])
    runtime = RuntimeFinding("KVL904", "fails under tf.function", layer_path="l", error=error)
    assert judge(finding("KVL102", "w", line=10), result(runtime, variables=[variable("w")])).status == "confirmed"
    assert judge(finding("KVL102", "w", line=11), result(runtime, variables=[variable("w")])).status == "refuted"


def test_a_failed_call_leaves_gradient_rules_inconclusive() -> None:
    error = CheckError("call", "ValueError", "shape mismatch", [])
    runtime = RuntimeFinding("KVL904", "calling the built layer failed: ValueError: shape mismatch", error=error)
    verdict = judge(finding("KVL007", "w"), result(runtime))
    assert verdict.status == "inconclusive" and "shape mismatch" in verdict.detail


def test_codes_without_a_runtime_counterpart_are_inconclusive() -> None:
    assert judge(finding("KVL105", "w"), result()).detail == "KVL105 has no runtime check"


def test_a_class_level_finding_is_confirmed_by_any_untracked_variable_of_the_class() -> None:
    runtime = RuntimeFinding("KVL901", "m", variable="kernel", layer_path="l", attribute="dense.kernel")
    assert judge(finding("KVL201", None, line=3), result(runtime)).status == "confirmed"  # line 3: the class line
    assert judge(finding("KVL201", None, line=10), result(runtime)).status == "inconclusive"


def test_a_layer_made_on_one_line_and_called_on_another_is_the_same_defect(tmp_path: Path) -> None:
    source = tmp_path / "layers.py"
    source.write_text(
        "class L:\n"
        "    @staticmethod\n"
        "    def _head(units):\n"
        "        return Dense(units)\n"  # line 4: the static finding
        "\n"
        "    def call(self, x):\n"
        "        layer = Dense(4)\n"  # line 7: the static finding
        "        return self._head(4)(layer(x))\n"  # line 8: where both are built
    )
    created = RuntimeFinding(
        "KVL903", "m", variable="kernel", layer_path="l", file=str(source), line=8, stack=[(str(source), 8, 6, 8)]
    )
    for line in (4, 7):
        static = finding("KVL003", line=line)
        static.extra["file"] = str(source)
        assert judge(static, result(created)).status == "confirmed", line


def test_an_attribute_holding_a_never_called_sublayer_is_confirmed() -> None:
    report_result = result()
    assert report_result.report is not None
    report_result.report.sublayers = [Sublayer("l/skip", "l", "skip", built=False)]
    assert judge(finding("KVL101", "skip"), report_result).status == "confirmed"
    report_result.report.sublayers = [Sublayer("l/skip", "l", "skip", built=True)]
    report_result.report.variables = [VariableInfo("l/skip/w", "l/skip", "w", True, True, True, True)]
    assert judge(finding("KVL101", "skip"), report_result).status == "refuted"


def test_an_all_zero_gradient_confirms_a_gradient_rule() -> None:
    zero = VariableInfo("l/latent", "l", "latent", True, True, True, True, zero_gradient=True)
    verdict = judge(finding("KVL104", "latent"), result(variables=[zero]))
    assert verdict.status == "confirmed" and "zero gradient" in verdict.detail
