#!/bin/sh
# One-shot: bring the schema and the official municipality lists up to date, then exit.
set -e
python manage.py migrate --noinput
python manage.py load_reference_data
