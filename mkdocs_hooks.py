"""mkdocs hook: links from docs/ to files of the checkout, which the site does not hold.

The pages link to the code they explain (``[conv.py](../minicnn/layers/conv.py)``), which
reads well on GitHub and in an editor, but the site holds only docs/. For each relative
link that leaves docs/, this checks that the file exists in the checkout (a missing one
is a warning, so ``mkdocs build --strict`` fails on a broken link) and then:

* with ``repo_url`` set in mkdocs.yml, rewrites it to ``<repo_url>/blob/main/<path>``;
* without one (the course kit has no public home yet, and an invented address would
  send readers to someone else's page), writes the file's path in the checkout as code,
  `` `minicnn/layers/conv.py` ``, for the reader to open in their clone.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.source_links")
LINK = re.compile(r"\[([^\]\n]*)\]\((\.\./[^)#\s]+)(#[^)\s]*)?\)")


def on_page_markdown(markdown, page, config, files):
    root = Path(config["config_file_path"]).resolve().parent
    docs = Path(config["docs_dir"]).resolve()
    page_dir = (docs / page.file.src_path).parent
    repo = (config.get("repo_url") or "").rstrip("/")

    def rewrite(match: re.Match) -> str:
        text, link, anchor = match.group(1), match.group(2), match.group(3) or ""
        target = (page_dir / link).resolve()
        if target.is_relative_to(docs):
            return match.group(0)  # a page of the site: mkdocs checks it itself
        if not target.is_relative_to(root) or not target.exists():
            log.warning(f"{page.file.src_path}: the link {link} points to nothing")
            return match.group(0)
        path = target.relative_to(root).as_posix() + ("/" if target.is_dir() else "")
        if repo:
            kind = "tree" if target.is_dir() else "blob"
            return f"[{text}]({repo}/{kind}/main/{path.rstrip('/')}{anchor})"
        if path.rstrip("/").endswith(text.strip("`").rstrip("/")):
            return f"`{path}`"  # the text was the path (or its tail): say it in full
        return f"{text} (`{path}`)"

    return LINK.sub(rewrite, markdown)
