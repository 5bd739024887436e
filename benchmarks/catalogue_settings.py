"""The settings gunicorn serves the catalogue benchmark with (``benchmarks/catalogue.py``).

Production's settings as they are (DEBUG off, the secret and the hosts from the environment,
HTTPS behind a proxy that sends ``X-Forwarded-Proto``, WhiteNoise's manifest storage), with two
changes: the URLconf adds the bare JSON view that is the benchmark's yardstick, and the static
files are collected into the run's own folder rather than the working tree's ``staticfiles/``.
"""

import os
from pathlib import Path

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "catalogue_urls"
STATIC_ROOT = Path(os.environ["ALLIANSSI_BENCH_STATIC_ROOT"])
