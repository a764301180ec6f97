"""``keras-varlint server``: a Language Server (pygls + lsprotocol) over standard input/output.

It publishes diagnostics when a Python file is opened, changed or saved, linting the editor's
buffer in place of the file on disk. Each project (the directory of its ``pyproject.toml``, else
the file's directory) gets one ``engine.FileLinter``, built on the first file and kept: its index
stays warm, and a change re-analyses only the inheritance groups holding the file's classes.
Hover over a finding shows its rule page; code actions offer the finding's fix (when it has one)
and ``# noqa: KVLxxx`` for its line. ``# noqa`` and per-file-ignores are applied as the command
line applies them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from keras_varlint.findings import Finding, Severity
from keras_varlint.output.common import TOOL_NAME, tool_version

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}


class VarlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(TOOL_NAME, tool_version(), text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.linters: dict[str, Any] = {}  # project root -> (Settings, engine.FileLinter)
        self.findings: dict[str, list[Finding]] = {}  # uri -> the findings published for it

    def linter(self, path: Path) -> tuple[Any, Any]:
        from keras_varlint.config import load_settings
        from keras_varlint.engine import FileLinter

        settings = load_settings(SimpleNamespace(paths=[str(path.parent)]))
        root = str(settings.project_root or path.parent)
        if root not in self.linters:
            self.linters[root] = (settings, FileLinter(settings, [Path(root)]))
        return self.linters[root]

    def lint(self, uri: str) -> list[Finding]:
        """The findings of the open document ``uri`` (its buffer), noqa and per-file-ignores applied."""
        from keras_varlint.engine import _per_file_ignored, _relative_to_root, noqa_suppresses

        document = self.workspace.get_text_document(uri)
        path = Path(document.path)
        if path.suffix != ".py":
            return []
        settings, linter = self.linter(path)
        lines = document.source.split("\n")
        kept = []
        for finding in linter.lint(path, text=document.source):
            line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
            if noqa_suppresses(line, finding.code):
                continue
            if _per_file_ignored(_relative_to_root(str(path), settings.project_root), finding.code,
                                 settings.per_file_ignores):
                continue
            kept.append(finding)
        return kept


def _range(line: int, column: int, end_line: int, end_column: int) -> lsp.Range:
    """A 0-based LSP range from the findings' 1-based lines and 0-based columns."""
    return lsp.Range(lsp.Position(max(line - 1, 0), max(column, 0)), lsp.Position(max(end_line - 1, 0), max(end_column, 0)))


def diagnostic(finding: Finding) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=_range(finding.line, finding.column, max(finding.end_line, finding.line),
                     finding.end_column if finding.end_line >= finding.line else finding.column),
        message=finding.message, severity=_SEVERITY.get(finding.severity, lsp.DiagnosticSeverity.Warning),
        code=finding.code, source=TOOL_NAME,
    )


def _contains(finding: Finding, position: lsp.Position) -> bool:
    start = (finding.line - 1, finding.column)
    end = (max(finding.end_line, finding.line) - 1, finding.end_column)
    return start <= (position.line, position.character) <= end


server = VarlintServer()


def _publish(ls: VarlintServer, uri: str) -> None:
    try:
        findings = ls.lint(uri)
    except Exception as err:  # a bad config, say: tell the user, keep serving
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"{TOOL_NAME}: {' '.join(str(err).split())}"))
        findings = []
    ls.findings[uri] = findings
    version = ls.workspace.get_text_document(uri).version
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[diagnostic(f) for f in findings], version=version)
    )


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: VarlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: VarlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: VarlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: VarlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.findings.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: VarlintServer, params: lsp.HoverParams) -> lsp.Hover | None:
    """The rule page of each finding under the cursor."""
    from keras_varlint.rules.base import registry

    rules = registry()
    pages = [rules[f.code].documentation() for f in ls.findings.get(params.text_document.uri, [])
             if _contains(f, params.position) and f.code in rules]
    if not pages:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n---\n".join(dict.fromkeys(pages))))


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: VarlintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    """For each finding in the range: its fix, if it has one, and ``# noqa: CODE`` on its line."""
    from keras_varlint.noqa import with_codes

    uri = params.text_document.uri
    lines = ls.workspace.get_text_document(uri).source.split("\n")
    wanted = params.range
    actions = []
    for finding in ls.findings.get(uri, []):
        if finding.line - 1 > wanted.end.line or max(finding.end_line, finding.line) - 1 < wanted.start.line:
            continue
        diag = diagnostic(finding)
        fix = getattr(finding, "fix", None)
        if fix is not None:
            edits = [lsp.TextEdit(_range(e.line, e.column, e.end_line, e.end_column), e.content) for e in fix.edits]
            label = "" if fix.applicability == "safe" else " (unsafe)"
            actions.append(lsp.CodeAction(
                title=f"{TOOL_NAME}: {fix.message}{label}", kind=lsp.CodeActionKind.QuickFix, diagnostics=[diag],
                edit=lsp.WorkspaceEdit(changes={uri: edits}), is_preferred=fix.applicability == "safe",
            ))
        if 0 < finding.line <= len(lines):
            line = lines[finding.line - 1]
            edit = lsp.TextEdit(_range(finding.line, 0, finding.line, len(line)), with_codes(line, [finding.code]))
            actions.append(lsp.CodeAction(
                title=f"{TOOL_NAME}: add '# noqa: {finding.code}'", kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diag], edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
            ))
    return actions


def serve() -> int:
    """Serve over standard input/output until the client says exit."""
    logging.basicConfig(level=logging.WARNING)
    server.start_io()
    return 0
