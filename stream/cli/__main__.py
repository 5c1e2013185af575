"""``python -m reprocut.stream.cli``: the ``reprocut`` command without the console script."""

import sys

from .main import main

sys.exit(main())
