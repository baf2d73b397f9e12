"""``python -m rescalesim``."""

import sys

from rescalesim.cli import main

sys.exit(main())
