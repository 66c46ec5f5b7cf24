#!/bin/sh
# Web container: serve. Migrations and reference data are the one-shot `migrate` service's
# job (docker-compose.yml), which the web and worker services wait for.
set -e
exec gunicorn registry.wsgi:application --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile -
