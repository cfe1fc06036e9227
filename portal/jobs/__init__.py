"""Background jobs: work that follows a request (e-mail now; SMS, exports, reminders, retention later) runs
after the commit in a worker (`flask --app portal jobs worker`), with retries and idempotency keys, never
inside the request.

A feature registers a kind once in create_app (`jobs.register(app, "mail", handler)`), then calls
`jobs.enqueue(kind, key, payload)` inside the request's transaction. portal.jobs imports no feature.

For metrics: `pending_count()` (queue depth), `failed_count()` (jobs given up, kept 30 days) and
`on_failure(app, hook)`: hook(kind) each time the worker gives a job up.
"""

from .outbox import (
    Handler,
    Jobs,
    PermanentFailure,
    Policy,
    enqueue,
    failed_count,
    jobs_of,
    on_failure,
    pending_count,
    register,
)
from .queue import init_app

__all__ = [
    "Handler",
    "Jobs",
    "PermanentFailure",
    "Policy",
    "enqueue",
    "failed_count",
    "init_app",
    "jobs_of",
    "on_failure",
    "pending_count",
    "register",
]
