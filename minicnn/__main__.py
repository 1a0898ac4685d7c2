"""``python -m minicnn``: the ``minicnn`` command (see minicnn/cli.py)."""

import sys

from minicnn.cli import main

if __name__ == "__main__":
    sys.exit(main())
