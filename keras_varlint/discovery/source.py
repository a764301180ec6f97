"""Reading a file's bytes and decoding them the way Python itself would."""

from __future__ import annotations

import hashlib
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """The file cannot be read or decoded; the message is the reason."""


@dataclass
class SourceFile:
    path: Path
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.blake2b(self.data, digest_size=16).hexdigest()


def read_source(path: Path) -> SourceFile:
    try:
        return SourceFile(path, path.read_bytes())
    except OSError as err:
        raise SourceError(f"cannot read file: {err.strerror or err}") from None


def decode(data: bytes) -> str:
    """Decode per PEP 263 (BOM, coding cookie, UTF-8 default); newlines normalised to ``\\n``."""
    if b"\0" in data:
        raise SourceError("file contains a NUL byte (binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as err:
        raise SourceError(f"cannot decode file: {err}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
