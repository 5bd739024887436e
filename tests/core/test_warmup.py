"""A server process's start (``config/wsgi.py``, ``allianssi/core/warmup.py``): loading the WSGI
application imports every view, compiles the frame and opens no database connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOAD = """
import json, sys
import config.wsgi
from django.db import connections
from django.template import engines
views = sorted(n for n in sys.modules if n.startswith("allianssi.") and n.endswith(".views"))
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "views": views,
    "connected": [alias for alias in connections if connections[alias].connection is not None],
    "compiled": sorted(str(key) for key in getattr(loader, "get_template_cache", {})),
}))
"""


def test_loading_the_app_imports_every_view_and_opens_no_connection() -> None:
    done = subprocess.run(  # noqa: S603 - this Python and a fixed script
        [sys.executable, "-c", LOAD],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    apps = sorted(
        f"allianssi.{path.parent.name}.views" for path in (ROOT / "allianssi").glob("*/views.py")
    )
    assert apps
    assert set(apps) <= set(found["views"])
    assert found["connected"] == []
    assert any(key.startswith("base.html") for key in found["compiled"])
