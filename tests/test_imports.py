"""The import graph runs one way: layers → functional → kernels, never back; nothing but
the functional core reaches the kernels; and only the public API (minicnn/__init__.py)
imports the checkpoint module. Checked statically, from the import statements (and the
calls) of every module in the package."""

from __future__ import annotations

import ast
from pathlib import Path

import minicnn

PACKAGE = Path(minicnn.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, source: str | None = None) -> set[str]:
    """Every minicnn module that ``path`` imports (relative imports resolved); ``source``
    stands in for the file's text when given."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    source = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source)):
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


def kernel_calls(source: str) -> list[str]:
    """The calls of ``kernels()`` or ``fused(...)`` in ``source``, by name or as an
    attribute (``backend.kernels()``): how code reaches the backend's kernels."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ("kernels", "fused"):
                calls.append(f"{name}() at line {node.lineno}")
    return calls


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


# The functional core is the one way to the kernels: the code above it (layers, the
# explorer, the labs' references, ...) calls minicnn.functional, so what it shows or
# grades is the math a student reads there, on every backend.
KERNEL_USERS = ("minicnn.functional", "minicnn.kernels", "minicnn.backend")


def above_the_core(module: str) -> bool:
    return not any(module == m or module.startswith(m + ".") for m in KERNEL_USERS)


def test_nothing_above_the_functional_core_imports_the_kernels():
    checked = {m for m in GRAPH if above_the_core(m)}
    # the explorer and the labs' references are among the modules checked
    assert {"minicnn.explore.network", "minicnn.explore.backward"} <= checked
    assert {"minicnn.lab.lab1", "minicnn.lab.lab2", "minicnn.lab.lab6"} <= checked
    assert {"minicnn.layers.conv", "minicnn.model", "minicnn.validate"} <= checked
    forbidden = ("minicnn.kernels", "minicnn.backend.kernels", "minicnn.backend.fused")
    bad = sorted(
        (mod, imp)
        for mod in checked
        for imp in GRAPH[mod]
        if any(imp == f or imp.startswith(f + ".") for f in forbidden)
    )
    assert bad == []


def test_nothing_above_the_functional_core_calls_the_kernels():
    calls = {
        module_name(p): kernel_calls(p.read_text(encoding="utf-8"))
        for p in PACKAGE.rglob("*.py")
        if above_the_core(module_name(p))
    }
    assert {m: c for m, c in calls.items() if c} == {}


def test_the_kernel_rules_catch_what_the_explorer_did_before():
    """Both checks see the old explorer's ``kernels().im2col(...)`` and its import."""
    source = "from ..backend import kernels\n\ncols = kernels().im2col(x, k, s, p)\n"
    path = PACKAGE / "explore" / "network.py"
    assert "minicnn.backend.kernels" in imports_of(path, source)
    assert kernel_calls(source) == ["kernels() at line 3"]
    assert "minicnn.kernels.numpy" in imports_of(path, "from ..kernels.numpy import im2col")


PACKAGES = {module_name(p) for p in PACKAGE.rglob("__init__.py")}


def private_owner(imported: str) -> str | None:
    """The package a private module or name (``_validate``, ``_helper``) belongs to, or
    None when ``imported`` is public: a private thing is for its own package only."""
    parts = imported.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            owner = ".".join(parts[:i])
            return owner if owner in PACKAGES else ".".join(parts[: i - 1])
    return None


def test_nothing_imports_a_private_module_or_name_of_another_package():
    """Layers once imported functional's private ``_validate``; what several packages
    share is public (minicnn.validate)."""
    assert private_owner("minicnn.functional._validate.check_array") == "minicnn.functional"
    assert private_owner("minicnn.functional.pool._pool_geometry") == "minicnn.functional"
    bad = sorted(
        (mod, imp)
        for mod, imps in GRAPH.items()
        for imp in imps
        if (owner := private_owner(imp)) and not (mod == owner or mod.startswith(owner + "."))
    )
    assert bad == []


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
