"""The yardstick of issue 17: a bare Flask "hello", served by the same gunicorn settings as the portal.

    gunicorn -c gunicorn.conf.py --bind 127.0.0.1:8101 bench.bare:app    (bench/run.py starts it)

It answers every path, GET and POST, with a short HTML page, so the same wrk scripts (the feedback
submission's GET + POST included) can be pointed at it.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def hello(path: str) -> str:
    return "<!doctype html><title>hello</title><p>Hello, Sơn La!</p>"
