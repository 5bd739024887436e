import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# At the worker's start, not on its first request: every view imported, the URL lookups, the
# translations, the frame's template (allianssi/core/warmup.py).
from allianssi.core.warmup import warm_up  # noqa: E402 - needs the app set up just above

warm_up()
