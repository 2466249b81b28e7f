"""The import rule between the layers (docs/architecture.md, "The layers"), read from the code.

Every import counts: at module level, inside functions (the lazy ones) and relative ones.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Each layer, and the top-level packages it must never import.
FORBIDDEN = {
    "transforms": {"flows", "warehouse", "wirehouse"},
    "gazetteer": {"flows", "warehouse", "wirehouse"},
    "warehouse": {"flows"},
}


def imported_packages(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in the module at path, a file under root."""
    module_parts = path.relative_to(root).with_suffix("").parts
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: the package it climbs to
                top = (module_parts[: -node.level] or (node.module or "",))[0]
            else:
                top = (node.module or "").split(".")[0]
            found.append((node.lineno, top))
    return found


def test_imported_packages_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    module = tmp_path / "transforms" / "probe.py"
    module.parent.mkdir()
    module.write_text(
        "import polars\n"
        "def f():\n"
        "    from warehouse import db\n"
        "    from . import schemas\n"
        "    import flows.ingest\n",
        encoding="utf-8",
    )
    assert imported_packages(module, tmp_path) == [
        (1, "polars"), (3, "warehouse"), (4, "transforms"), (5, "flows"),
    ]  # fmt: skip


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_none_of_the_layers_above_it(layer: str) -> None:
    modules = sorted((ROOT / layer).rglob("*.py"))
    assert modules, f"{layer}/ has no modules: the test reads the wrong folder"
    breaches = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in modules
        for line, package in imported_packages(path)
        if package in FORBIDDEN[layer]
    ]
    assert breaches == []
