"""``python -m minicnn.gradcheck``: see [`minicnn.gradcheck.cli`][minicnn.gradcheck.cli]."""

import sys

from .cli import main

sys.exit(main())
