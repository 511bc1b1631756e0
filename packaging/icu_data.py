"""A smaller ICU data library for the Linux bundle: the app's languages only, no converters.

PySide6's Linux wheels carry ICU 73, and `libicudata.so.73` is one 31 MB symbol (`icudt73_dat`)
holding ICU's "common data" package: locale data for ~800 locales, collation tables, charset
converters, time zones. Qt uses ICU for collation, locale-aware case mapping and legacy text
codecs; the app needs none of that for other languages than its own (English, Traditional
Chinese, Indonesian) and reads only UTF-8.

This module rewrites the package the way ICU's own data filters do (the build option
`ICU_DATA_FILTER_FILE` that Chromium and Android use): it reads the items from the wheel's
library, keeps every item that is not specific to a locale plus the locales of `LANGUAGES`, drops
the charset converters (`.cnv`), and links the result into a new `libicudata.so.73` with the
same soname and symbol, using binutils (`as`, `ld`; PyInstaller needs binutils already).

The package format ("CmnD", offset table of contents) is: a DataHeader, then at the TOC start a
uint32 count and `count` pairs (name offset, data offset), both relative to the TOC start, sorted
by name (ICU looks items up by binary search), then the names, then the items, 16-byte aligned.
The self-test checks the result: ICU collation must still order "a" before "B" and sort Chinese
by strokes.
"""

from __future__ import annotations

import re
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LANGUAGES", "IcuDataError", "IcuPackage", "build_library", "keep_item", "read_symbol",
    "shrink",
]

LANGUAGES = frozenset({"root", "en", "zh", "id", "yue"})
"""Locale data kept (yue: Cantonese, a fallback of some zh_Hant_HK lookups)."""

_LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z0-9]+)*$")
_NOT_LOCALES = frozenset({"pool", "res_index"})
_SYMBOL = re.compile(rb"^icudt\d+[lb]?_dat$")
_ALIGN = 16


class IcuDataError(ValueError):
    """The library does not hold an ICU common data package this module understands."""


@dataclass(frozen=True, slots=True)
class IcuPackage:
    """An ICU common data package: its DataHeader bytes and its items, in TOC order."""

    symbol: str
    header: bytes
    items: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, symbol: str, data: bytes) -> IcuPackage:
        """Split a package into its header and items."""
        if len(data) < 32 or data[2:4] != b"\xda\x27":
            raise IcuDataError(f"{symbol} is not ICU data (no 0xda27 magic)")
        header_size = struct.unpack_from("<H", data, 0)[0]
        if data[12:16] != b"CmnD":
            raise IcuDataError(f"{symbol} is {data[12:16]!r} data, not a common data package")
        toc = header_size
        count = struct.unpack_from("<I", data, toc)[0]
        offsets = [struct.unpack_from("<II", data, toc + 4 + 8 * i) for i in range(count)]
        items: list[tuple[str, bytes]] = []
        for index, (name_offset, data_offset) in enumerate(offsets):
            end_name = data.index(b"\0", toc + name_offset)
            name = data[toc + name_offset : end_name].decode("ascii")
            end = offsets[index + 1][1] if index + 1 < count else len(data) - toc
            items.append((name, data[toc + data_offset : toc + end]))
        return cls(symbol, data[:header_size], tuple(items))

    def to_bytes(self) -> bytes:
        """The package with its table of contents rebuilt (names sorted, items aligned)."""
        items = sorted(self.items, key=lambda item: item[0].encode("ascii"))
        names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
        toc_size = 4 + 8 * len(items)
        first_item = _aligned(toc_size + len(names))
        name_offsets: list[int] = []
        position = toc_size
        for name, _ in items:
            name_offsets.append(position)
            position += len(name) + 1
        body = bytearray()
        data_offsets: list[int] = []
        for _, item in items:
            data_offsets.append(first_item + len(body))
            body += item + b"\0" * (_aligned(len(item)) - len(item))
        toc = bytearray(struct.pack("<I", len(items)))
        for name_offset, data_offset in zip(name_offsets, data_offsets, strict=True):
            toc += struct.pack("<II", name_offset, data_offset)
        toc += names
        toc += b"\0" * (first_item - len(toc))
        return self.header + bytes(toc) + bytes(body)


def _aligned(size: int) -> int:
    return (size + _ALIGN - 1) // _ALIGN * _ALIGN


def keep_item(name: str) -> bool:
    """Whether an item (`icudt73l/coll/zh_Hant.res`) stays.

    Dropped: charset converters, transliterators, the word-break dictionaries (Qt breaks text
    with its own Unicode tables, not ICU's break iterators), and other languages' locale data.
    """
    base = name.rsplit("/", 1)[-1]
    if base.endswith((".cnv", ".dict")) or "/translit/" in name:
        return False
    stem = base.rsplit(".", 1)[0]
    if not base.endswith(".res") or stem in _NOT_LOCALES or not _LOCALE.match(stem):
        return True
    return stem.split("_")[0] in LANGUAGES


def read_symbol(library: Path) -> tuple[str, bytes]:
    """The ICU data symbol of a 64-bit little-endian ELF library: (name, bytes)."""
    raw = library.read_bytes()
    if raw[:4] != b"\x7fELF" or raw[4] != 2 or raw[5] != 1:
        raise IcuDataError(f"{library} is not a 64-bit little-endian ELF file")
    shoff = struct.unpack_from("<Q", raw, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", raw, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", raw, shoff + i * shentsize) for i in range(shnum)
    ]
    for section in sections:
        if section[1] != 11:  # SHT_DYNSYM
            continue
        strtab = sections[section[6]]
        for offset in range(section[4], section[4] + section[5], 24):
            name_index, _info, _other, shndx, value, size = struct.unpack_from(
                "<IBBHQQ", raw, offset
            )
            start = strtab[4] + name_index
            name = raw[start : raw.index(b"\0", start)]
            if _SYMBOL.match(name) and 0 < shndx < len(sections):
                home = sections[shndx]
                file_offset = home[4] + (value - home[3])
                return name.decode("ascii"), raw[file_offset : file_offset + size]
    raise IcuDataError(f"no icudt*_dat symbol in {library}")


def build_library(package: IcuPackage, soname: str, out: Path) -> None:
    """Link the package into a shared library exporting `package.symbol` (needs `as`, `ld`)."""
    with tempfile.TemporaryDirectory(prefix="tvclient-icu-") as scratch:
        blob = Path(scratch) / "data.bin"
        blob.write_bytes(package.to_bytes())
        source = Path(scratch) / "data.s"
        source.write_text(
            "\t.section .rodata\n"
            f"\t.globl {package.symbol}\n"
            f"\t.type {package.symbol}, %object\n"
            f"\t.balign {_ALIGN}\n"
            f"{package.symbol}:\n"
            f'\t.incbin "{blob}"\n'
            f"\t.size {package.symbol}, . - {package.symbol}\n"
            '\t.section .note.GNU-stack,"",%progbits\n',
            encoding="ascii",
        )
        obj = Path(scratch) / "data.o"
        subprocess.run(["as", str(source), "-o", str(obj)], check=True)  # noqa: S603, S607
        subprocess.run(  # noqa: S603
            ["ld", "-shared", "-soname", soname, "-o", str(out), str(obj)],  # noqa: S607
            check=True,
        )


def shrink(library: Path, out: Path) -> tuple[int, int]:
    """Write the smaller copy of `library` to `out`; (items before, items after)."""
    symbol, data = read_symbol(library)
    package = IcuPackage.parse(symbol, data)
    kept = tuple(item for item in package.items if keep_item(item[0]))
    build_library(IcuPackage(symbol, package.header, kept), library.name, out)
    return len(package.items), len(kept)
