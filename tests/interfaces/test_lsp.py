"""``keras-varlint server``, driven through the protocol by a real LSP client (pygls's
``LanguageClient``) talking to the server process over stdio (issue 13, part 4)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from tests.helpers import UNTRACKED

lsp = pytest.importorskip("lsprotocol.types", reason="lsprotocol is not installed: pip install 'keras-varlint[lsp]'")
client_module = pytest.importorskip("pygls.lsp.client", reason="pygls is not installed: pip install 'keras-varlint[lsp]'")

BASE = "from tensorflow import keras\n\n\nclass Base(keras.layers.Layer):\n    pass\n"
CHILD = UNTRACKED.replace("import keras\n", "from pkg.base import Base\n").replace("(keras.layers.Layer)", "(Base)")
FIXED = CHILD.replace("tf.Variable(1.0)", "self.add_weight(shape=())")


class Session:
    """A client connected to ``keras-varlint server``; collects the diagnostics it publishes."""

    def __init__(self) -> None:
        self.client = client_module.LanguageClient("test-client", "1")
        self.published: asyncio.Queue = asyncio.Queue()

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params) -> None:  # no `ls` parameter: pygls passes the params only
            self.published.put_nowait(params)

    async def start(self, root: Path) -> None:
        await self.client.start_io(sys.executable, "-m", "keras_varlint.interfaces.cli", "server", cwd=str(root))
        await self.client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities(),
                                                                root_uri=root.as_uri()))
        self.client.initialized(lsp.InitializedParams())

    async def diagnostics(self, uri: str) -> list:
        while True:
            params = await asyncio.wait_for(self.published.get(), timeout=120)
            if params.uri == uri:
                return list(params.diagnostics)

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def project(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "base.py").write_text(BASE)
    (root / "pyproject.toml").write_text("[tool.keras-varlint]\n")
    (root / "pkg" / "layers.py").write_text(FIXED)  # on disk: clean; the buffers say otherwise
    return root


def test_diagnostics_hover_and_code_actions_through_the_protocol(tmp_path: Path) -> None:
    root = project(tmp_path / "proj")
    path = root / "pkg" / "layers.py"
    uri = path.as_uri()

    async def scenario() -> None:
        session = Session()
        await session.start(root)
        try:
            # open: the buffer (not the file) is linted, its base class found in pkg/base.py
            session.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=CHILD)))
            (diag,) = await session.diagnostics(uri)
            assert (diag.code, diag.source, diag.severity) == ("KVL001", "keras-varlint", lsp.DiagnosticSeverity.Error)
            assert (diag.range.start.line, diag.range.start.character) == (7, 17)
            assert (diag.range.end.line, diag.range.end.character) == (7, 33)
            assert diag.message.startswith("tf.Variable stored in self.w is not tracked by Keras 3")

            # hover on the finding: the rule page; elsewhere: nothing
            page = await session.client.text_document_hover_async(lsp.HoverParams(
                lsp.TextDocumentIdentifier(uri), lsp.Position(7, 20)))
            assert page.contents.value.startswith("# untracked-variable (KVL001)")
            assert await session.client.text_document_hover_async(lsp.HoverParams(
                lsp.TextDocumentIdentifier(uri), lsp.Position(0, 0))) is None

            # code actions: the finding's fix and a noqa directive
            actions = await session.client.text_document_code_action_async(lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(7, 0), lsp.Position(7, 0)),
                lsp.CodeActionContext(diagnostics=[diag])))
            by_title = {action.title: action for action in actions}
            noqa = by_title["keras-varlint: add '# noqa: KVL001'"]
            (edit,) = noqa.edit.changes[uri]
            assert edit.new_text == "        self.w = tf.Variable(1.0)  # noqa: KVL001"
            assert (edit.range.start.line, edit.range.start.character, edit.range.end.character) == (7, 0, 33)
            assert any(title.startswith("keras-varlint: Replace tf.Variable") for title in by_title), list(by_title)

            # change: the noqa'd buffer has no finding; then the bug again, then a fix, then save
            session.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                [lsp.TextDocumentContentChangeWholeDocument(text=CHILD.replace("(1.0)", "(1.0)  # noqa: KVL001"))]))
            assert await session.diagnostics(uri) == []
            session.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=3), [lsp.TextDocumentContentChangeWholeDocument(text=CHILD)]))
            assert [d.code for d in await session.diagnostics(uri)] == ["KVL001"]
            session.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=4), [lsp.TextDocumentContentChangeWholeDocument(text=FIXED)]))
            assert await session.diagnostics(uri) == []
            session.client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
            assert await session.diagnostics(uri) == []
        finally:
            await session.stop()

    asyncio.run(scenario())


def test_server_latency_per_change(tmp_path: Path) -> None:
    """Re-linting one changed buffer in a warm server: one round trip per change, measured."""
    root = project(tmp_path / "proj")
    for i in range(30):  # a project around the file, indexed once
        (root / "pkg" / f"other{i}.py").write_text(FIXED.replace("Scale", f"Scale{i}"))
    uri = (root / "pkg" / "layers.py").as_uri()

    async def scenario() -> list[float]:
        session = Session()
        await session.start(root)
        try:
            session.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=CHILD)))
            await session.diagnostics(uri)
            times = []
            for version in range(2, 12):
                text = CHILD if version % 2 else FIXED
                started = time.perf_counter()
                session.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
                found = await session.diagnostics(uri)
                times.append(time.perf_counter() - started)
                assert len(found) == (1 if version % 2 else 0)
            return times
        finally:
            await session.stop()

    times = sorted(asyncio.run(scenario()))
    assert times[len(times) // 2] < 2.0, times  # generous on a shared CI machine; the median is printed
    print(f"median per-change round trip: {times[len(times) // 2] * 1000:.0f} ms")


def test_server_without_pygls_is_a_usage_error(tmp_path: Path) -> None:
    import subprocess

    code = ("import sys; sys.modules['pygls'] = None; from keras_varlint.interfaces.cli import main; "
            "sys.exit(main(['server']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("keras-varlint: error: server needs pygls and lsprotocol: pip install 'keras-varlint[lsp]'")
