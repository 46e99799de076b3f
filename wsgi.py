"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import sys

try:
    from tasktrack import create_app
    from tasktrack.gc_tuning import tune_for_server

    app = create_app()
    tune_for_server()  # the process is a server or a command: the app's own objects live as long as it does
except ModuleNotFoundError as exc:  # typically a `flask` or `python` of another installation than .venv
    raise ModuleNotFoundError(
        f"{exc}: tasktrack's packages are not installed for {sys.executable}. Run the commands in the project's "
        "virtualenv: `. .venv/bin/activate` first (`make venv` creates it), or call `.venv/bin/flask` directly.",
        name=exc.name,
    ) from exc
