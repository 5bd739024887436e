#!/bin/sh
# Allianssi's container entrypoint (Containerfile; docs/production.md).
#
#   entrypoint.sh [serve]      check the settings, migrate the database, then run gunicorn
#   entrypoint.sh web          gunicorn only (when migrations are run apart, e.g. several replicas)
#   entrypoint.sh migrate      check the settings and migrate the database, then exit
#   entrypoint.sh worker       the background worker (manage.py worker): imports from the web,
#                              the periodic jobs, and tasks whose worker died (ADR 0022)
#   entrypoint.sh manage ARGS  any manage.py command (e.g. referrals_expire by hand)
#
# The settings are production's unless DJANGO_SETTINGS_MODULE says otherwise; every variable they
# read is declared in config/env.py. A missing or weak DJANGO_SECRET_KEY stops the start with a
# one-line message before anything is written.
set -eu

cd "$(dirname "$0")/.."
: "${DJANGO_SETTINGS_MODULE:=config.settings.production}"
export DJANGO_SETTINGS_MODULE
PYTHON="${PYTHON:-python}"

fail() {
  echo "allianssi: $*" >&2
  exit 1
}

# The settings are loaded once on their own first, so that a variable that is missing, invalid
# or a weak key (config.env.ConfigurationError) stops the start with its one line, not with
# the traceback manage.py would print.
settings() {
  "$PYTHON" -c '
import sys
from config.env import ConfigurationError
try:
    from django.conf import settings
    settings.INSTALLED_APPS
except ConfigurationError as error:
    sys.exit(f"allianssi: {error}")
'
}

check() {
  if [ -z "${DATABASE_URL:-}" ]; then
    fail "DATABASE_URL must name the PostgreSQL database (postgres://user@host:5432/allianssi)."
  fi
  settings
  "$PYTHON" manage.py check --deploy
}

migrate() {
  "$PYTHON" manage.py migrate --noinput
}

web() {
  exec "$PYTHON" -m gunicorn --config deploy/gunicorn.conf.py config.wsgi
}

command="${1:-serve}"
[ "$#" -gt 0 ] && shift
case "$command" in
  serve)
    check
    migrate
    web
    ;;
  web)
    check
    web
    ;;
  migrate)
    check
    migrate
    ;;
  worker)
    check
    exec "$PYTHON" manage.py worker
    ;;
  manage)
    exec "$PYTHON" manage.py "$@"
    ;;
  *)
    fail "unknown command '$command' (serve, web, migrate, worker or manage …)"
    ;;
esac
