"""Parsing only what matters: one class segment at a time, the whole file only as a fallback."""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from keras_varlint.discovery.summary import ClassHeader


class ParseError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass
class ParsedClass:
    node: cst.ClassDef
    module: cst.Module  # the tree the node belongs to, for positions
    line_offset: int  # file line = module line + line_offset


def _find_class(module: cst.Module, header: ClassHeader, occurrence: int) -> cst.ClassDef | None:
    found: list[cst.ClassDef] = []

    class Finder(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            if node.name.value == header.name:
                found.append(node)
            return True

    module.visit(Finder())
    return found[occurrence] if occurrence < len(found) else None


class FileParser:
    """Parses the classes of one file; remembers a whole-file parse once it was needed."""

    def __init__(self, text: str, headers: list[ClassHeader]) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.headers = headers
        self._whole: cst.Module | None = None
        self.error: ParseError | None = None

    def parse_class(self, header: ClassHeader) -> ParsedClass | None:
        segment = "\n".join(self.lines[header.line - 1: header.body_end]) + "\n"
        wrapped = header.col > 0
        if wrapped:  # keep columns exact: an indented class parses as the body of `if 1:`
            segment = "if 1:\n" + segment
        try:
            module = cst.parse_module(segment)
            node = module.body[0]
            if wrapped:
                node = node.body.body[0]
            if isinstance(node, cst.ClassDef) and node.name.value == header.name:
                return ParsedClass(node, module, header.line - 1 - wrapped)
        except (cst.ParserSyntaxError, IndexError, AttributeError, RecursionError):
            pass
        return self._from_whole_file(header)

    def _from_whole_file(self, header: ClassHeader) -> ParsedClass | None:
        if self.error is not None:
            return None
        if self._whole is None:
            try:
                self._whole = cst.parse_module(self.text)
            except cst.ParserSyntaxError as err:
                self.error = _python_syntax_error(self.text) or ParseError(err.message, err.raw_line, err.raw_column)
                return None
            except RecursionError:
                self.error = ParseError("too deeply nested to parse", 1, 0)
                return None
        occurrence = [h.name for h in self.headers[: self.headers.index(header)]].count(header.name)
        node = _find_class(self._whole, header, occurrence)
        return ParsedClass(node, self._whole, 0) if node is not None else None


def _python_syntax_error(text: str) -> ParseError | None:
    """Python's own message for a syntax error: clearer, and on the line a user expects."""
    try:
        compile(text, "<file>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as err:
        return ParseError(f"SyntaxError: {err.msg}", err.lineno or 1, max((err.offset or 1) - 1, 0))
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


class Positions:
    """Source ranges of reported nodes, computed once per parsed tree and only when asked."""

    def __init__(self) -> None:
        self._cache: dict[int, dict[cst.CSTNode, CodeRange]] = {}

    def range(self, module: cst.Module, node: cst.CSTNode) -> CodeRange | None:
        """None when libcst cannot compute positions (a tree nested too deep for its recursion)."""
        key = id(module)
        if key not in self._cache:
            try:
                self._cache[key] = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
            except (RecursionError, KeyError):  # libcst's own recursion limit on very deep trees
                self._cache[key] = {}
        positions = self._cache[key]
        if not positions:
            return None
        if node not in positions:
            raise LookupError(f"reported a {type(node).__name__} node that is not in the parsed class")
        return positions[node]
