"""`python -m generator` runs the mqcat command line."""

import sys

from .cli import main

sys.exit(main())
