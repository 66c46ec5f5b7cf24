#!/bin/sh
# Web container: bring the schema and reference data up to date, then serve.
set -e
python manage.py migrate --noinput
python manage.py load_reference_data
exec gunicorn registry.wsgi:application --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile -
