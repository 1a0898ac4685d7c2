"""``minicnn report RUN_DIR`` (or ``python -m minicnn.report RUN_DIR``): write
RUN_DIR/report.html, one self-contained page about a training run (see
[`minicnn.viz.report`][])."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Write the report and print its path; returns the exit status (1 with a message
    on stderr when RUN_DIR is not a training run's folder)."""
    p = argparse.ArgumentParser(
        prog="minicnn report",
        description="Write RUN_DIR/report.html: the command, data, model, curves, filters "
        "before and after training, feature maps, confusion matrix, mistakes and results of "
        "a training run, as one HTML file with its images inside.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="the --out folder of a training run")
    p.add_argument("--title", default=None, help="the page's heading")
    args = p.parse_args(argv)

    from . import viz  # matplotlib is imported only when a report is written

    try:
        path = viz.report(args.run_dir, title=args.title)
    except (FileNotFoundError, ValueError) as err:
        print(f"minicnn {err}", file=sys.stderr)  # the message starts with "report:"
        return 1
    print(f"Wrote {path} ({path.stat().st_size / 1024:.0f} KB); open it in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
