"""WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make run` starts; see gunicorn.conf.py).

gunicorn also reads ./gunicorn.conf.py by itself when started from the repository root.
"""

import sys

from portal import create_app
from portal.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:  # a clear message instead of a traceback from deep inside
    print(error, file=sys.stderr)
    raise SystemExit(2) from None
