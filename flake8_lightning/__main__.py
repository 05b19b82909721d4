"""``python -m flake8_lightning``: the standalone command."""

import sys

from flake8_lightning.cli import main

sys.exit(main())
