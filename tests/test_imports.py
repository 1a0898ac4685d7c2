"""The import graph runs one way: layers → functional → kernels, never back; and only the
public API (minicnn/__init__.py) imports the checkpoint module. Checked statically, from
the import statements of every module in the package."""

from __future__ import annotations

import ast
from pathlib import Path

import minicnn

PACKAGE = Path(minicnn.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every minicnn module that ``path`` imports (relative imports resolved)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("minicnn")}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if not target.startswith("minicnn"):
                continue
            found.add(target)
            # `from . import functional as F` imports a module, not a name
            found |= {f"{target}.{a.name}" for a in node.names}
    return found


GRAPH = {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def offenders(source_prefix: str, forbidden: tuple[str, ...]) -> list[tuple[str, str]]:
    return sorted(
        (mod, imp)
        for mod, imps in GRAPH.items()
        if mod.startswith(source_prefix)
        for imp in imps
        if any(imp == f or imp.startswith(f + ".") for f in forbidden)
    )


ABOVE_LAYERS = (
    "minicnn.model",
    "minicnn.summary",
    "minicnn.checkpoint",
    "minicnn.train",
    "minicnn.viz",
    "minicnn.gradcheck",
    "minicnn.zoo",
    "minicnn.data",
)


def test_the_graph_is_not_empty():
    assert "minicnn.functional" in GRAPH["minicnn.layers.conv"]
    assert "minicnn.backend" in GRAPH["minicnn.functional.conv"]


def test_kernels_import_neither_functional_nor_layers():
    assert offenders("minicnn.kernels", ("minicnn.functional", "minicnn.layers")) == []


def test_the_message_catalogue_imports_no_minicnn_module():
    """minicnn.messages sits below everything that speaks to a student (gradcheck, the
    grader), so both can import it without a cycle; and gradcheck never imports the grader."""
    assert "minicnn.messages" in GRAPH["minicnn.gradcheck.hints"]
    assert "minicnn.messages" in GRAPH["minicnn.lab.messages"]
    assert offenders("minicnn.messages", ("minicnn",)) == []
    assert offenders("minicnn.gradcheck", ("minicnn.lab",)) == []


def test_functional_imports_no_layer_and_nothing_above():
    assert offenders("minicnn.functional", ("minicnn.layers", *ABOVE_LAYERS)) == []


def test_layers_import_nothing_above_them():
    assert offenders("minicnn.layers", ABOVE_LAYERS) == []


def test_only_the_public_api_imports_checkpoint():
    users = sorted(m for m, imps in GRAPH.items() if "minicnn.checkpoint" in imps)
    assert users == ["minicnn"]


def test_summary_imports_no_container():
    """Sequential.summary imports the summary module, so the summary module must not
    import the model back: it walks any container through ``Layer.in_sequence``."""
    assert offenders("minicnn.summary", ("minicnn.model", "minicnn.layers.residual")) == []
