"""GitHub workflow-command annotations and their escaping."""

from __future__ import annotations

from keras_varlint.output import github
from keras_varlint.result import LintResult


def test_github_annotations(result: LintResult, rules: dict) -> None:
    assert github.render(result, rules).splitlines() == [
        "::error file=pkg/layers.py,line=12,col=18,endLine=12,endColumn=41,title=KVL001 untracked-variable"
        "::tf.Variable stored on self.w is not tracked by Keras 3",
        "::warning file=pkg/layers.py,line=30,col=1,endLine=31,endColumn=5,title=KVL101 unused-weight"
        "::weight self.b is never read [refuted at runtime: b gets a gradient]",
        "::notice file=other dir/m.py,line=5,col=9,endLine=5,endColumn=21,title=KVL105 frozen-weight-on-path"
        "::non-trainable weight self.scale, 50%25 sure: never assigned [confirmed at runtime]",
        "::error file=broken.py,line=3,col=5,endLine=3,endColumn=5,title=KVL000 parse-error::invalid syntax",
        "::error file=secret.py,title=keras-varlint error::cannot read file: Permission denied",
    ]


def test_escaping_follows_actions_toolkit() -> None:
    assert github.escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert github.escape_property("dir,x/a:b%.py\n") == "dir%2Cx/a%3Ab%25.py%0A"
    line = github.command("warning", "two\nlines", file="we,ird:name.py", line=3)
    assert line == "::warning file=we%2Cird%3Aname.py,line=3::two%0Alines"
    assert line.count("\n") == 0


def test_github_without_findings(rules: dict) -> None:
    assert github.render(LintResult(files=1), rules) == ""
