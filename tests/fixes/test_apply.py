"""Applying fixes to text: positions, overlaps, shared imports, and the re-parse guard."""

from __future__ import annotations

from keras_varlint.fixes import Edit, Fix, apply_fixes, unified_diff
from keras_varlint.fixes.resolve import import_edit

TEXT = "import tensorflow as tf\n\nx = tf.Variable(1.0)\ny = tf.Variable(2.0)\n"
IMPORT = Edit(1, 0, 1, 0, "import keras\n")


def fix(*edits: Edit, applicability: str = "safe") -> Fix:
    return Fix(applicability, "m", list(edits))


def test_edits_replace_line_column_ranges() -> None:
    new, applied = apply_fixes(TEXT, [fix(Edit(3, 4, 3, 6, "keras"), IMPORT)])
    assert new == "import keras\nimport tensorflow as tf\n\nx = keras.Variable(1.0)\ny = tf.Variable(2.0)\n"
    assert len(applied) == 1


def test_an_import_shared_by_two_fixes_is_added_once() -> None:
    new, applied = apply_fixes(TEXT, [fix(Edit(3, 4, 3, 6, "keras"), IMPORT), fix(Edit(4, 4, 4, 6, "keras"), IMPORT)])
    assert new.count("import keras\n") == 1 and new.count("keras.Variable") == 2
    assert len(applied) == 2


def test_overlapping_fixes_apply_the_first_only() -> None:
    first, second = fix(Edit(3, 0, 3, 6, "z = tf")), fix(Edit(3, 4, 3, 15, "keras.Variable"))
    new, applied = apply_fixes(TEXT, [second, first])
    assert applied == [first] and "z = tf.Variable(1.0)" in new


def test_a_result_that_does_not_parse_keeps_the_original() -> None:
    assert apply_fixes(TEXT, [fix(Edit(3, 4, 3, 15, "keras.Variable(("))]) == (TEXT, [])


def test_edits_out_of_the_text_are_skipped() -> None:
    assert apply_fixes(TEXT, [fix(Edit(40, 0, 40, 1, "x"))]) == (TEXT, [])


def test_columns_count_characters_not_bytes() -> None:
    text = 'a = "é"; b = tf.Variable(0.0)\n'
    new, _ = apply_fixes(text, [fix(Edit(1, 13, 1, 15, "keras"))])
    assert new == 'a = "é"; b = keras.Variable(0.0)\n'


def test_import_goes_in_isort_order() -> None:
    assert import_edit('"""Doc."""\n\nimport abc\nimport tensorflow as tf\nfrom keras import ops\n', "keras") == Edit(4, 0, 4, 0, "import keras\n")
    assert import_edit("import abc\nfrom tensorflow import something\n", "keras") == Edit(2, 0, 2, 0, "import keras\n")
    assert import_edit("from __future__ import annotations\nfrom tensorflow import a\n", "keras") == Edit(2, 0, 2, 0, "import keras\n")
    assert import_edit('"""Doc."""\nx = 1\n', "keras") == Edit(2, 0, 2, 0, "import keras\n")


def test_unified_diff_names_the_file() -> None:
    assert unified_diff("a.py", "x\n", "y\n") == "--- a.py\n+++ a.py\n@@ -1 +1 @@\n-x\n+y\n"


def test_summary_after_fix_runtime_reports_each_fix() -> None:
    from keras_varlint.findings import Finding, Severity
    from keras_varlint.output import json as json_format
    from keras_varlint.output import summary
    from keras_varlint.result import LintResult

    def finding(line: int, status: str, detail: str) -> Finding:
        return Finding("a.py", line, 4, line, 9, "KVL001", "untracked-variable", Severity.ERROR, "m",
                       extra={"fix_verified": {"status": status, "detail": detail}})

    fixed = [finding(3, "verified", "w is tracked and gets a gradient"),
             finding(9, "broke the layer", "L: construct failed: ValueError: no shape")]
    result = LintResult(findings=[finding(9, "x", "y")], fixed=fixed)
    assert summary.render(result, fixed=1).splitlines() == [
        "a.py:3:5: KVL001 fix verified at runtime: w is tracked and gets a gradient",
        "a.py:9:5: KVL001 fix rolled back: it broke the layer: L: construct failed: ValueError: no shape",
        "Found 2 errors (1 fixed, 1 remaining).",
    ]
    data = __import__("json").loads(json_format.render(result, {}))
    assert [f["fix_verified"]["status"] for f in data["fixed"]] == ["verified", "broke the layer"]
    assert "fixed" not in __import__("json").loads(json_format.render(LintResult(), {}))
