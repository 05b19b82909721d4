"""The whole suite runs in strict mode: an internal error raises instead of
becoming flake8-lightning's warning line, so no test can pass over a crash. The on-disk cache is off unless a test turns it on.

Set in the environment (not only in this process) so that the flake8 and
flake8-lightning subprocesses the tests start are strict too.
"""

import os

from flake8_lightning.cache import NO_CACHE_ENV
from flake8_lightning.checker import STRICT_ENV

os.environ[STRICT_ENV] = "1"
# Every test analyses its files: a finding served from an earlier test's cache
# would hide a broken rule (tests/test_cache.py turns the cache on itself).
os.environ[NO_CACHE_ENV] = "1"
