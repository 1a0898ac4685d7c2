"""mkdocs hook: links from docs/ to files of the checkout become links to the repository.

The pages link to the code they explain (``[conv.py](../minicnn/layers/conv.py)``), which
reads well on GitHub and in an editor, but the site holds only docs/. For each relative
link that leaves docs/, this checks that the file exists in the checkout (a missing one
is a warning, so ``mkdocs build --strict`` fails on a broken link) and rewrites it to
``<repo_url>/blob/main/<path>``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.source_links")
LINK = re.compile(r"\]\((\.\./[^)#\s]+)(#[^)\s]*)?\)")


def on_page_markdown(markdown, page, config, files):
    root = Path(config["config_file_path"]).resolve().parent
    docs = Path(config["docs_dir"]).resolve()
    page_dir = (docs / page.file.src_path).parent
    repo = config["repo_url"].rstrip("/")

    def rewrite(match: re.Match) -> str:
        target = (page_dir / match.group(1)).resolve()
        if target.is_relative_to(docs):
            return match.group(0)  # a page of the site: mkdocs checks it itself
        if not target.is_relative_to(root) or not target.exists():
            log.warning(f"{page.file.src_path}: the link {match.group(1)} points to nothing")
            return match.group(0)
        kind = "tree" if target.is_dir() else "blob"
        anchor = match.group(2) or ""
        return f"]({repo}/{kind}/main/{target.relative_to(root).as_posix()}{anchor})"

    return LINK.sub(rewrite, markdown)
