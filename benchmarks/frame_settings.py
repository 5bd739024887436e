"""The settings of ``benchmarks/frame_cpu.py``: the demo's (debug off), with the customers
benchmark's URLconf (``/bare/page/``: the signed-in frame, empty). ``ALLIANSSI_CACHE_URL`` in the
environment gives the shared cache, as in production."""

from config.settings.demo import *  # noqa: F403

ROOT_URLCONF = "customers_urls"
