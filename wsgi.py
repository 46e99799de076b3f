"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

from tasktrack import create_app

app = create_app()
