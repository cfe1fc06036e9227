"""A WSGI app that reads the whole request body, as the portal's form parsing does, and names its worker
process: for tests/deployment/test_slow_upload.py (gunicorn with the shipped gunicorn.conf.py)."""

import os


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream, received = environ["wsgi.input"], 0
    while received < length:
        chunk = stream.read(min(8192, length - received))
        if not chunk:
            break
        received += len(chunk)
    body = f"{received} {os.getpid()}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
