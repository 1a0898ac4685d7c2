"""The docs are part of the product: every number on a docs page is a doctest.

Each docs/*.md page is run with doctest (its ``>>>`` examples and their printed
outputs), so a page whose numbers no longer match the code fails here. Concept
pages must contain at least one example; the index must name every layer.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import numpy as np
import pytest

import minicnn as mc
from minicnn.gradcheck import layer_classes

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.glob("*.md"))
# Pages that are prose by nature: the index (a table of links) and the architecture
# notes, and the Korean glossary (a table of terms). Every other page teaches a concept
# and must show it with numbers; the Korean pages (*.ko.md) are run like the English ones.
PROSE_PAGES = {"README.md", "architecture.md", "glossary.ko.md"}
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples(page):
    printoptions = np.get_printoptions()  # a page may set its own; do not leak it
    try:
        with mc.backend("numpy"):
            result = doctest.testfile(
                str(page), module_relative=False, optionflags=FLAGS, encoding="utf-8", verbose=False
            )
    finally:
        np.set_printoptions(**printoptions)
    assert result.failed == 0, f"{page.name}: {result.failed} example(s) failed (see output)"
    if page.name not in PROSE_PAGES:
        assert result.attempted > 0, (
            f"{page.name} has no >>> example; every number on a "
            f"concept page must come from code that runs here"
        )


def test_examples_end_before_code_fence():
    """Doctest ends an expected output at a blank line, so a ``` fence right after an
    output would be read as output and the page would fail with a puzzling diff; this
    names the line instead."""
    parser = doctest.DocTestParser()
    for page in PAGES:
        for example in parser.get_examples(page.read_text(encoding="utf-8")):
            assert "```" not in example.want, (
                f"{page.name}:{example.lineno + 1}: leave a blank line between the output "
                f"and the closing ```"
            )


def test_index_names_every_layer():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    missing = [
        cls.__name__
        for cls in layer_classes()
        if not re.search(rf"\b{re.escape(cls.__name__)}\b", index)
    ]
    assert not missing, f"layers without an entry in docs/README.md: {missing}"


def test_index_links_resolve():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", index)
    assert links, "docs/README.md links no page"
    broken = [link for link in links if not link.startswith("http") and not (DOCS / link).exists()]
    assert not broken, f"docs/README.md links to files that do not exist: {broken}"
    for page in PAGES:
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not link {page.name}"


# The concept pages behind the labs, each with a Korean version (<name>.ko.md) written for
# Korean students: these eleven.
KOREAN_PAGES = (
    "convolution conv_backward im2col pooling losses batchnorm gradcheck conv_transpose "
    "inception transfer_learning segmentation"
).split()


def _examples(page: Path) -> list[tuple[str, str]]:
    """(source without its comments, expected output) of every >>> example of a page."""
    parser = doctest.DocTestParser()
    return [
        (re.sub(r"\s+#[^\n]*", "", example.source).strip(), example.want)
        for example in parser.get_examples(page.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize("name", KOREAN_PAGES)
def test_korean_page_runs_the_english_examples(name):
    """A Korean page shows the same numbers as its English page: the same examples, the
    same outputs, only the prose and the code comments in Korean. Change an English
    example and this names the Korean page to change with it."""
    korean = DOCS / f"{name}.ko.md"
    assert korean.exists(), f"docs/{name}.ko.md is missing (the Korean version of {name}.md)"
    assert _examples(korean) == _examples(DOCS / f"{name}.md"), (
        f"docs/{name}.ko.md and docs/{name}.md run different examples; keep them in step"
    )
