"""Controller mapping databases in SDL2's mapping-string format (no Qt, no SDL).

`GUID,name,element:binding,...` one per line, `#` comments. tvclient bundles a small database of
its own (`gamecontrollerdb.txt` next to this module) and reads the user's lines from
`<config dir>/gamecontrollerdb.txt`, which are added after the bundled ones and so win. Lines
are checked here before SDL sees them, so one bad line is reported with its number and the rest
of the file still loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BUNDLED_DB",
    "USER_DB_NAME",
    "MappingFile",
    "MappingLine",
    "parse_mapping_file",
    "parse_mapping_line",
]

BUNDLED_DB = Path(__file__).with_name("gamecontrollerdb.txt")
USER_DB_NAME = "gamecontrollerdb.txt"

_GUID_RE = re.compile(r"[0-9a-fA-F]{32}")
# element:binding, where a binding is bN, aN (optionally +/- prefixed or ~ suffixed), hN.M,
# or a field like platform:Linux / crc:abcd / hint:...
_FIELD_RE = re.compile(r"[+-]?[A-Za-z0-9_]+:[^,]*")
_MAX_LINE = 4096


@dataclass(frozen=True, slots=True)
class MappingLine:
    """One valid mapping: the controller GUID, its name, and the text SDL is given."""

    guid: str
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class MappingFile:
    """A parsed mapping file: its valid lines and a readable note for each bad one."""

    path: Path
    mappings: tuple[MappingLine, ...]
    problems: tuple[str, ...]


def parse_mapping_line(line: str) -> MappingLine:
    """Check one mapping line.

    Raises:
        ValueError: the line is not a mapping SDL would accept (the message says why).
    """
    text = line.strip()
    if len(text) > _MAX_LINE:
        raise ValueError("line is too long")
    parts = text.split(",")
    if parts and parts[-1] == "":
        parts.pop()
    if len(parts) < 3:
        raise ValueError("expected GUID,name,bindings")
    guid, name, fields = parts[0], parts[1].strip(), parts[2:]
    if not _GUID_RE.fullmatch(guid):
        raise ValueError(f"{guid!r} is not a 32-digit hexadecimal GUID")
    if not name:
        raise ValueError("the controller name is empty")
    for field in fields:
        if not _FIELD_RE.fullmatch(field):
            raise ValueError(f"{field!r} is not an element:binding pair")
    if not text.endswith(","):
        text += ","
    return MappingLine(guid=guid.lower(), name=name, text=text)


def parse_mapping_file(path: Path) -> MappingFile:
    """Read a mapping file; a missing file is an empty one, unreadable lines are problems."""
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return MappingFile(path, (), ())
    except OSError as exc:
        return MappingFile(path, (), (f"{path}: cannot read ({exc.strerror})",))
    mappings: list[MappingLine] = []
    problems: list[str] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            mappings.append(parse_mapping_line(line))
        except ValueError as exc:
            problems.append(f"{path}:{number}: {exc}")
    return MappingFile(path, tuple(mappings), tuple(problems))
