"""The gateway's module map (bot/gateway/__init__.py) is true: every module listed, none imports one above it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bot.gateway

GATEWAY = Path(bot.gateway.__file__).parent
MAP_LINE = re.compile(r"^    (\w+)\.py\s", re.MULTILINE)


def layers() -> list[str]:
    """The modules in the order the map lists them (top first)."""
    return MAP_LINE.findall(bot.gateway.__doc__ or "")


def gateway_imports(module: str) -> set[str]:
    """The gateway modules `module` imports (`from bot.gateway import x`, `from bot.gateway.x import …`)."""
    tree = ast.parse((GATEWAY / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "bot.gateway":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.gateway."):
            found.add(node.module.split(".")[2])  # type: ignore[union-attr]
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("bot.gateway."))
    return found


def test_the_map_lists_every_module_once() -> None:
    files = sorted(path.stem for path in GATEWAY.glob("*.py") if path.stem != "__init__")
    assert sorted(layers()) == files


def test_no_module_imports_one_listed_above_it() -> None:
    order = layers()
    upward = [
        f"{module} imports {imported}"
        for position, module in enumerate(order)
        for imported in sorted(gateway_imports(module))
        if order.index(imported) <= position
    ]
    assert upward == []
