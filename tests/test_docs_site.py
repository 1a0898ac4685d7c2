"""`make docs`: the site builds from docs/ plus the API reference, warnings as errors."""

from __future__ import annotations

import importlib.util
import logging
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # mkdocs_hooks.py sits at the root, beside mkdocs.yml
import mkdocs_hooks  # noqa: E402

needs_mkdocs = pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mkdocstrings") is None,
    reason="the docs tools are not installed: pip install -e '.[docs]' (make test does)",
)

# What the API reference must document for a newcomer from PyTorch: fit, callbacks,
# DataLoader, transforms, viz and save/load.
REFERENCE = {
    "api/train/index.html": ["fit", "CSVLogger", "EarlyStopping", "on_batch_end"],
    "api/data/index.html": ["DataLoader", "RandomShift", "load_digit"],
    "api/viz/index.html": ["plot_history", "plot_filters"],
    "api/checkpoint/index.html": ["save", "load", "allow_pickle=False"],
    "api/cli/index.html": ["minicnn predict"],
}


@needs_mkdocs
@pytest.mark.slow
def test_the_site_builds_strictly_with_the_api_reference(tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for page, names in REFERENCE.items():
        html = (site / page).read_text(encoding="utf-8")
        for name in names:
            assert name in html, f"{page} does not mention {name}"
    # The project has no public address (mkdocs.yml sets no repo_url): links to the code
    # show the file's path in the checkout, not a dead relative link or an invented URL.
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<code>minicnn/layers/conv.py</code>" in index
    assert 'href="../minicnn/' not in index
    assert "/blob/main/" not in index
    html_pages = {
        p.relative_to(site).as_posix(): p.read_text("utf-8") for p in site.rglob("*.html")
    }
    assert_offline(site, html_pages)
    assert_cross_references_render(html_pages)
    assert_layers_show_how_to_build_them(html_pages["api/model/index.html"])
    assert_every_class_shows_its_constructor(html_pages)


# An address outside the site in an attribute that loads or links something (href, src,
# a CSS url(...)): the site must work in a classroom without internet.
EXTERNAL = re.compile(r"""(?:href|src)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""")


def assert_offline(site: Path, html_pages: dict[str, str]) -> None:
    texts = dict(html_pages)
    for path in [*site.rglob("*.css"), *site.rglob("*.js")]:
        texts[path.relative_to(site).as_posix()] = path.read_text("utf-8", errors="replace")
    external = {
        name: EXTERNAL.findall(text)[:3] for name, text in texts.items() if EXTERNAL.search(text)
    }
    assert not external, f"the built site loads or links outside itself: {external}"
    # code is coloured at build time (Pygments), not by highlight.js from a CDN
    assert "highlight.min.js" not in html_pages["index.html"]
    assert (site / "css" / "pygments.css").exists()
    assert 'class="highlight"' in html_pages["api/index.html"]


def assert_cross_references_render(html_pages: dict[str, str]) -> None:
    """Docstrings cross-reference with mkdocs-autorefs ([`fit`][minicnn.train.fit]);
    a Sphinx role (:func:`fit`) would show up literally."""
    literal = {
        # the role, then its target in backticks or, once Markdown has read it, in <code>
        name: re.findall(r":(?:func|class|meth|mod|attr|data|exc):(?:`|<code>)", html)[:3]
        for name, html in html_pages.items()
    }
    literal = {name: found for name, found in literal.items() if found}
    assert not literal, f"Sphinx-style cross-references render literally: {literal}"
    train = html_pages["api/train/index.html"]
    # the module docstring's [`EarlyStopping`][minicnn.train.EarlyStopping] became a link
    assert re.search(r'<a[^>]*href="#minicnn\.train\.EarlyStopping"', train)
    assert "][minicnn." not in train


def assert_every_class_shows_its_constructor(html_pages: dict[str, str]) -> None:
    """Each class of the reference whose constructor takes arguments shows its signature
    (mkdocstrings' merge_init_into_class): layers, losses, optimizers, schedulers,
    callbacks, data sets and loaders alike."""
    import importlib
    import inspect

    heading = re.compile(r'<h\d id="(minicnn\.[\w.]+)" class="doc doc-heading">')
    checked, missing = 0, []
    for name, html in html_pages.items():
        if not name.startswith("api/"):
            continue
        starts = [m for m in heading.finditer(html)]
        for i, match in enumerate(starts):
            module, _, qualname = match.group(1).rpartition(".")
            try:
                cls = getattr(importlib.import_module(module), qualname)
                takes_arguments = bool(inspect.signature(cls).parameters)
            except (ImportError, AttributeError, ValueError, TypeError):
                continue  # a module, a method or an attribute: not a class of a module
            own = getattr(getattr(cls, "__init__", None), "__module__", None) or ""
            if not inspect.isclass(cls) or not own.startswith("minicnn"):
                continue  # not a class, or one whose constructor is argparse's, Python's
            end = starts[i + 1].start() if i + 1 < len(starts) else len(html)
            checked += 1
            if takes_arguments and "doc-signature" not in html[match.end() : end]:
                missing.append(match.group(1))
    assert checked > 60 and not missing, f"no constructor signature shown for {missing}"


def assert_layers_show_how_to_build_them(model_page: str) -> None:
    """Models and layers: each layer's constructor signature, so a reader sees what to
    pass; the Layer contract's method list is a list, not one run-on paragraph."""
    for heading, parameters in {
        "Conv2D": ["in_channels", "out_channels", "kernel_size", "padding"],
        "Linear": ["in_features", "out_features"],
        "MaxPool2D": ["kernel_size", "stride"],
        "BatchNorm2D": ["num_features", "momentum"],
        "Dropout": ["p"],
        "ConvTranspose2D": ["in_channels", "stride", "output_padding"],
    }.items():
        found = re.search(rf'id="minicnn\.layers\.\w+\.{heading}"', model_page)
        assert found, f"{heading} is not on the Models and layers page"
        section = model_page[found.end() :]
        signature = section[section.index('class="doc-signature') : section.index("</pre>")]
        for name in parameters:
            assert name in signature, f"{heading}'s signature lacks {name}"
        # and a table that says what each one is (an "Args:" section of the docstring)
        table = section[: section.index("</table>")]
        assert "Parameters:" in table and f"<code>{parameters[0]}</code>" in table, heading
    layer = model_page[model_page.index('id="minicnn.layers.base.Layer"') :]
    contract = layer[: layer.index("Containers")]
    assert contract.count("<li>") >= 4, "the Layer docstring's method list is not a list"


def page(src_path: str):
    return types.SimpleNamespace(file=types.SimpleNamespace(src_path=src_path))


CONFIG = {
    "config_file_path": str(ROOT / "mkdocs.yml"),
    "docs_dir": str(ROOT / "docs"),
    "repo_url": "https://example.org/minicnn/",
}
NO_REPO = {**CONFIG, "repo_url": None}


def test_without_a_repository_links_to_the_code_show_its_path(caplog):
    """mkdocs.yml names no repo_url (the kit has no public address): no invented link."""
    text = (
        "see [`minicnn/layers/conv.py`](../minicnn/layers/conv.py#L3), "
        "[functional/conv.py](../minicnn/functional/conv.py), "
        "[the tests](../tests/) and [pooling](pooling.md)"
    )
    out = mkdocs_hooks.on_page_markdown(text, page("convolution.md"), NO_REPO, None)
    assert out == (
        "see `minicnn/layers/conv.py`, `minicnn/functional/conv.py`, "
        "the tests (`tests/`) and [pooling](pooling.md)"
    )
    assert not caplog.records


def test_mkdocs_yml_names_no_repository():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert not re.search(r"^\s*repo_url\s*:", config, re.M)


def test_with_a_repository_links_to_the_code_point_at_it(caplog):
    text = "see [conv](../minicnn/layers/conv.py#L3) and [pooling](pooling.md)"
    out = mkdocs_hooks.on_page_markdown(text, page("convolution.md"), CONFIG, None)
    assert out == (
        "see [conv](https://example.org/minicnn/blob/main/minicnn/layers/conv.py#L3) "
        "and [pooling](pooling.md)"
    )
    nested = mkdocs_hooks.on_page_markdown("[t](../../tests/)", page("api/index.md"), CONFIG, None)
    assert nested == "[t](https://example.org/minicnn/tree/main/tests)"
    assert not caplog.records


def test_a_broken_link_to_the_code_is_a_warning(caplog):
    """A warning fails `mkdocs build --strict`, which is how make docs builds."""
    with caplog.at_level(logging.WARNING):
        out = mkdocs_hooks.on_page_markdown(
            "[gone](../minicnn/nothing_here.py)", page("convolution.md"), CONFIG, None
        )
    assert out == "[gone](../minicnn/nothing_here.py)"
    assert "convolution.md: the link ../minicnn/nothing_here.py points to nothing" in caplog.text


def test_every_module_is_in_the_api_reference():
    """A new module shows up in the reference, or this test says where to add it.
    Left out on purpose: the kernels (backend internals, selected by mc.set_backend),
    ``__main__`` entry points, and the submodules of packages documented as a whole
    (explore, lab, functional)."""
    import pkgutil

    import minicnn

    documented = set()
    for page in (ROOT / "docs" / "api").glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("::: "):
                documented.add(line[4:].strip())
    whole = ("minicnn.explore.", "minicnn.lab.", "minicnn.functional.", "minicnn.kernels")
    modules = {
        m.name
        for m in pkgutil.walk_packages(minicnn.__path__, "minicnn.")
        if not m.name.endswith("__main__") and not m.name.startswith(whole)
    }
    missing = sorted(modules - documented - {"minicnn.data", "minicnn.layers"})
    assert not missing, f"add a '::: name' line to a page in docs/api/ for: {missing}"
