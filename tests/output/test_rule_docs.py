"""The rule catalogue printed by ``keras-varlint rule --all``."""

from __future__ import annotations

from keras_varlint.output import rule_docs


def test_anchor_matches_github_slugs() -> None:
    assert rule_docs.anchor("# untracked-variable (KVL001)") == "untracked-variable-kvl001"
    assert rule_docs.anchor("## Why is this bad?") == "why-is-this-bad"


def test_demote_leaves_code_fences_alone() -> None:
    page = "# name (KVL001)\n\n## What it does\ntext #1\n\n```python\n# a comment\nx = 1  # KVL001\n```\n"
    assert rule_docs.demote(page) == (
        "## name (KVL001)\n\n### What it does\ntext #1\n\n```python\n# a comment\nx = 1  # KVL001\n```\n"
    )


def test_render_all_has_index_and_every_page_in_code_order(rules: dict) -> None:
    shuffled = dict(reversed(list(rules.items())))
    document = rule_docs.render_all(shuffled)
    assert document.startswith("# Rules\n")
    assert "| [KVL001](#untracked-variable-kvl001) | untracked-variable | error | on | Summary of " in document
    assert "| [KVL105](#frozen-weight-on-path-kvl105) | frozen-weight-on-path | info | off |" in document
    positions = [document.index(f"\n## {rule.name} ({code})\n") for code, rule in sorted(rules.items())]
    assert positions == sorted(positions)
    for rule in rules.values():
        assert rule_docs.demote(rule.documentation()) in document
    assert document.count("\n# ") == 0  # one title; rule pages nest under it
    assert document.endswith("\n") and not document.endswith("\n\n")
