"""``python -m minicnn.explore``: see [`minicnn.explore`][]."""

import sys

from . import main

sys.exit(main())
