"""The settings gunicorn serves the customers benchmark with (``benchmarks/customers.py``).

The catalogue benchmark's (``catalogue_settings.py``: production's settings, the run's own
static folder) with one change: the URLconf adds a second yardstick, ``/bare/page/``.
"""

from catalogue_settings import *  # noqa: F403

ROOT_URLCONF = "customers_urls"
