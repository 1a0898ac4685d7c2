"""``python -m minicnn.explore``: see :mod:`minicnn.explore`."""

import sys

from . import main

sys.exit(main())
