"""The demo (``python3 dev.py demo``): development's settings with debug pages off, so that the
demo's users see the site's own "not found" and error pages, as production's users do.

Static files are still served from the app folders by WhiteNoise (``WHITENOISE_USE_FINDERS``),
without ``collectstatic``; ``DJANGO_DEBUG=1`` brings Django's debug pages back.
"""

from config import env
from config.settings.dev import *  # noqa: F403

DEBUG = env.get("DJANGO_DEBUG")
