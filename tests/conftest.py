"""The whole suite runs in strict mode: an internal error raises instead of
becoming flake8-lightning's warning line, so no test can pass over a crash.

Set in the environment (not only in this process) so that the flake8 and
flake8-lightning subprocesses the tests start are strict too.
"""

import os

from flake8_lightning.checker import STRICT_ENV

os.environ[STRICT_ENV] = "1"
