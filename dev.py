#!/usr/bin/env python3
"""Allianssi's developer entry point. Needs nothing but Python 3.11+.

    python3 dev.py demo     install, migrate, load the demo alliance, serve on 127.0.0.1:8000
    python3 dev.py test     install the test tools and run the whole test suite on every core
                            (args go to pytest; `-n 0` runs it in one process)
    python3 dev.py lint     ruff, mypy, the import contracts, migrations check and Django's
                            deploy check

Dependencies go into ``.venv`` beside this file, installed with pip from the pinned requirement
files; they are installed again only when a requirement file changes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEMO_PASSWORD = "Allianssi-demo-2026"  # noqa: S105 — printed for the demo on purpose


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)  # noqa: S603
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def ensure_venv(requirements: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 — says so clearly on an older Python
        sys.exit("Allianssi needs Python 3.11 or newer.")
    if not PYTHON.exists():
        print(f"Creating {VENV.name} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"Installing {requirements} …", flush=True)
    run(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements
    )
    stamp.write_text(digest)


def django_env(settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = settings
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def demo(args: list[str]) -> None:
    ensure_venv("requirements.txt")
    port = args[0] if args else "8000"
    # The demo's settings: development's, with debug pages off (the site's own 404 and 500).
    env = django_env("config.settings.demo")
    run(PYTHON, "manage.py", "migrate", "--verbosity", "0", env=env)
    # Loading the demo sends the demo's own notifications; keep them off the console so that
    # the address and logins below stay in view. The server prints the mail of what users do.
    quiet = {**env, "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    run(PYTHON, "manage.py", "demo_load", env=quiet)
    print(
        f"""
Allianssi runs at http://127.0.0.1:{port}/  (stop with Ctrl+C)

Demo logins, password {DEMO_PASSWORD}:
  projektitoimisto     project office of Pirkanmaa: manages the alliances
  johtoryhma.tampere   leadership group member for Tampere
  controller.nokia     organizer controller for Nokia
  tuottaja.tyopolku    producer staff and leadership member for Työpolku Oy
  tarkastaja           observer (read only)
  satakunta            manager of another region's alliance, sees none of Pirkanmaa's
  edustaja.nokia, …    the other seats' representatives in the leadership group
  neuvoja.tampere, …   customer advisors of each organizer (65 customers and their paths)
  tuottaja.osaajat, …  producer staff working their referral queues

A person served signs in at http://127.0.0.1:{port}/tunnistus/ through the development-only
test identification: Maija Meikäläinen, test code 010280-952L, whose path crosses three producers.
""",
        flush=True,
    )
    # The background worker beside the server (ADR 0022): it runs the imports started from the
    # pages and the periodic jobs, and stops with the server.
    worker = subprocess.Popen(  # noqa: S603
        [str(PYTHON), "manage.py", "worker", "--verbosity", "0"], cwd=ROOT, env=env
    )
    try:
        run(PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", env=env)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test(args: list[str]) -> None:
    ensure_venv("requirements-dev.txt")
    # On every core (pytest-xdist, each worker with its own test database) unless told otherwise.
    if not any(a.startswith(("-n", "--numprocesses", "--dist")) for a in args):
        args = ["-n", "auto", *args]
    # A worker that runs out of tests takes half of another's queue, so that no core waits while
    # another works through a long queue of its own (docs/testing.md).
    if not any(a.startswith("--dist") for a in args):
        args = ["--dist", "worksteal", *args]
    env = django_env("config.settings.test")
    # Compiled modules kept between runs and test processes, under var/ (not in git), even where
    # the environment says not to write them (PYTHONDONTWRITEBYTECODE): without them every
    # worker compiles the project and rewrites the test modules' asserts anew, about 10 s of CPU
    # each before the first test (docs/testing.md).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(ROOT / "var" / "pycache"))
    run(PYTHON, "-m", "pytest", *args, env=env)


def lint(args: list[str]) -> None:
    ensure_venv("requirements-dev.txt")
    run(PYTHON, "-m", "ruff", "check", ".")
    run(PYTHON, "-m", "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "mypy", "allianssi", "config", "dev.py")
    # The architecture's contracts (.importlinter): the apps' layers, and the pure modules.
    run(BIN / ("lint-imports.exe" if os.name == "nt" else "lint-imports"))
    run(
        PYTHON,
        "manage.py",
        "makemigrations",
        "--check",
        "--dry-run",
        env=django_env("config.settings.test"),
    )
    production = django_env("config.settings.production")
    production["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    production["DJANGO_ALLOWED_HOSTS"] = "allianssi.example.fi"
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    production["ALLIANSSI_IDENTITY_KEYS"] = key
    production["ALLIANSSI_PSEUDONYM_KEY"] = secrets.token_urlsafe(32)
    run(PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production)


COMMANDS = {"demo": demo, "test": test, "lint": lint}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
