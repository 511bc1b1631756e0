"""The import rules of design.md are the architecture: this test keeps them true.

It reads every module's imports with `ast` (including imports inside functions, which is where
lazy imports live), so a rule cannot be dodged by importing late.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tvclient"

# part -> parts (and third-party roots) it must never import
FORBIDDEN: dict[str, set[str]] = {
    "app": {"tvclient.merchant", "tvclient.sandbox", "tvclient.antom", "tvclient.booth"},
    "device": {
        "tvclient.merchant", "tvclient.sandbox", "tvclient.antom", "tvclient.app",
        "tvclient.booth", "PySide6", "shiboken6",
    },
    "merchant": {
        "tvclient.sandbox", "tvclient.app", "tvclient.device", "tvclient.booth", "PySide6",
    },
    "sandbox": {
        "tvclient.merchant", "tvclient.app", "tvclient.device", "tvclient.booth", "PySide6",
    },
    "antom": {
        "tvclient.merchant", "tvclient.sandbox", "tvclient.app", "tvclient.device",
        "tvclient.booth", "PySide6",
    },
}


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: stays inside its own part by construction
                continue
            yield node.lineno, node.module or ""


def _violations(part: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / part).rglob("*.py")):
        for lineno, module in _imports(path):
            for banned in FORBIDDEN[part]:
                if module == banned or module.startswith(banned + "."):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{lineno} imports {module}")
    return found


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_part_respects_import_rules(part: str) -> None:
    """Each part imports only what design.md allows (device/ has no Qt; app/ speaks HTTP only)."""
    assert (PACKAGE / part).is_dir()
    assert _violations(part) == []


def test_shared_modules_stay_leaf() -> None:
    """money.py and clock.py are used by every part, so they import no part themselves."""
    for name in ("money.py", "clock.py"):
        modules = [m for _, m in _imports(PACKAGE / name)]
        assert not [m for m in modules if m.startswith("tvclient.")], name
