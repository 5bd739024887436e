"""Local development and the demo: debug on, a development-only secret, SQLite by default."""

from config import env
from config.settings.base import *  # noqa: F403

DEBUG = env.get("DJANGO_DEBUG", default=True)
SECRET_KEY = env.get("DJANGO_SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)

# Static files straight from the app folders, no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
