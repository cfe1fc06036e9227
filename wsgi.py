"""WSGI entry point: `gunicorn wsgi:app`."""
import sys

from portal import create_app
from portal.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:  # a clear message instead of a traceback from deep inside
    print(error, file=sys.stderr)
    raise SystemExit(2) from None
