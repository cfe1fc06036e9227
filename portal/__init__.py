"""The Sơn La citizen feedback and public-service portal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from portal.domain.ids import MAX_ID
from portal.domain.working_days import PROVINCE_TIMEZONE
from portal.settings import ROOT, Settings


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: werkzeug's, bound to the id columns' range (portal/domain/ids.py). A larger
    number matches no route (a 404), instead of reaching the database (an error there, a 500)."""

    def __init__(
        self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = None
    ) -> None:
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed=False)


class PortalFlask(Flask):
    """Flask, remembering which hooks and views are plain functions: Flask asks `inspect` whether each of
    the ~15 hooks, views and handlers a request runs is a coroutine function, on every request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url_map.converters["int"] = RowIdConverter  # before any route is added: every id bounded
        self._plain_functions: set[Callable[..., Any]] = set()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            if func in self._plain_functions:
                return func
        except TypeError:  # an unhashable callable: asked every time, as Flask does
            return super().ensure_sync(func)
        synchronous = super().ensure_sync(func)
        if synchronous is func and len(self._plain_functions) < 4096:  # views and hooks: a fixed set;
            self._plain_functions.add(func)  # the bound keeps a stream of fresh callables from piling up
        return synchronous


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application; wiring only (no database creation or seeding here)."""
    settings = settings or Settings.from_env()
    app = PortalFlask(__name__, instance_path=str(settings.instance_path), static_folder=str(ROOT / "static"))
    configure(app, settings)

    from portal import (
        caching,
        cli,
        compression,
        database,
        errors,
        forms,
        health,
        i18n,
        jobs,
        layout,
        logs,
        mail,
        metrics,
        request_id,
        security,
        throttle,
    )
    from portal.accounts import loader as accounts_loader
    from portal.apikeys import cli as apikeys_cli
    from portal.calendar import version as calendar_version
    from portal.catalog import wiring as catalog_wiring
    from portal.disasters import wiring as disasters_wiring
    from portal.dossiers import wiring as dossiers_wiring
    from portal.extensions import csrf, db, migrate
    from portal.feedback import wiring as feedback_wiring
    from portal.intermediaries import wiring as intermediaries_wiring
    from portal.privacy import wiring as privacy_wiring
    from portal.sms import wiring as sms_wiring
    from portal.staff import queue_keys
    from portal.steering import wiring as steering_wiring
    from portal.uploads import storage

    logs.init_app(app)  # PORTAL_LOG_FORMAT=json: JSON lines with the request id
    request_id.init_app(app)  # first: every later handler and log line can name the request
    metrics.init_app(app)  # request latency by endpoint; /metrics for the allowed addresses only
    database.init_app(app)  # SQLite pragmas on every connection
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    forms.init_app(app)  # WTForms renders attributes without markupsafe's slow formatter
    jobs.init_app(app)  # the outbox, handed to huey after each commit (SQLite file or Redis)
    mail.init_app(app)  # registers the "mail" job kind
    i18n.init_app(app)
    layout.init_app(app)  # the layout's fixed parts, rendered once per locale and kind of visitor
    security.init_app(app)
    accounts_loader.init_app(app)  # session cookie -> account
    throttle.init_app(app)
    caching.init_app(app)
    calendar_version.init_app(app)  # each process keeps its built calendar while the version is unchanged
    errors.init_app(app)
    compression.init_app(app)
    storage.init_app(app)
    queue_keys.init_app(app)  # keeps the staff queue's sort key current
    catalog_wiring.init_app(app)  # blank forms' files (portal/catalog/blank_forms.py)
    dossiers_wiring.init_app(app)  # fees, /track look-ups, stored files (see the module)
    feedback_wiring.init_app(app)
    disasters_wiring.init_app(app)  # items dated during a declared disaster are told why (portal/disasters)
    privacy_wiring.init_app(app)  # consent records, erased files, the export job (portal/privacy)
    sms_wiring.init_app(app)  # the "sms" job kind and the texted notices (portal/sms)
    intermediaries_wiring.init_app(app)  # an erased villager's name leaves the intermediary's filing
    steering_wiring.init_app(app)  # Decision 766 hints on item pages (portal/steering)
    health.init_app(app)  # /healthz, /readyz
    register_job_metrics(app)
    register_event_sources(app)
    register_blueprints(app)
    drop_repeated_context_processors(app)
    cli.init_app(app)
    apikeys_cli.init_app(app)  # flask api-key create|revoke|list
    trust_proxies(app, settings.trusted_proxies)
    return app


def drop_repeated_context_processors(app: Flask) -> None:
    """Every blueprint brings its own copy of Flask's default context processor (request, session, g), which
    the application's runs already: a page of a blueprint ran it twice for the same values."""
    from flask.templating import _default_template_ctx_processor

    for name, processors in app.template_context_processors.items():
        if name is not None:
            processors[:] = [found for found in processors if found is not _default_template_ctx_processor]


def register_job_metrics(app: Flask) -> None:
    """The job queue's depth and failures on /metrics, read from the outbox at each scrape (so any node
    reports them, whichever process ran the jobs); portal.metrics and portal.jobs do not import each other."""
    from portal import jobs, metrics

    metrics.register(
        app, "portal_job_queue_depth", "Jobs waiting to run or to be retried.", jobs.pending_count
    )
    metrics.register(
        app, "portal_jobs_failed", "Jobs given up after their last attempt (kept 30 days).", jobs.failed_count
    )


def trust_proxies(app: Flask, hops: int) -> None:
    """Take the client's address, scheme and host from the last `hops` X-Forwarded-* entries.

    Only as many as there are proxies of ours: the entries before them are whatever the client sent.
    With 0 the headers are ignored, so a spoofed X-Forwarded-For cannot dodge a rate limit or fake an
    audit address.
    """
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware; its stubs declare wsgi_app a plain method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def configure(app: Flask, settings: Settings) -> None:
    from portal.uploads.documents import MAX_TOTAL_BYTES

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        PORTAL_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.database_url, pool_size=settings.db_pool_size),
        TESTING=settings.testing,
        # 20 MB: the largest dossier upload (SECURITY.md D16); larger bodies get a translated 413.
        MAX_CONTENT_LENGTH=MAX_TOTAL_BYTES,
        # Slow mobile links: a form may stay open a long time before it is sent.
        WTF_CSRF_TIME_LIMIT=4 * 3600,
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE=PROVINCE_TIMEZONE,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        SEND_FILE_MAX_AGE_DEFAULT=7 * 24 * 3600,
    )


def engine_options(url: str, pool_size: int = Settings.db_pool_size) -> dict:
    # A gevent worker serves many requests at once and each holds a connection until it ends. SQLAlchemy's
    # default pool (5 kept + 10 more) closed the extra connections as soon as they were returned, so under
    # 16 concurrent requests most requests opened a new one: 15 % of a QR request's time went to starting a
    # PostgreSQL backend (py-spy, bench/notes/pool.md). The pool now keeps `pool_size` and opens up to half as
    # many more for a burst; a request beyond those waits for one (pool_timeout below).
    pool = {"pool_size": pool_size, "max_overflow": max(pool_size // 2, 1)}
    if url.startswith("sqlite"):
        return {**pool, "connect_args": {"timeout": 15}}
    # Fail fast with a 503 instead of hanging when PostgreSQL is down (SECURITY.md K37): connect_timeout and
    # pool_timeout bound the wait. No pool_pre_ping: it cost a second round trip on every request (measured
    # in bench/notes/overhead.md); portal.database pings only a connection that sat idle in the pool, and
    # pool_recycle replaces connections before a firewall or PostgreSQL's idle limits silently cut them.
    # JIT compilation off: the portal's statements are short, but at a million rows the planner's cost of the
    # queue's filter counts passes jit_above_cost and PostgreSQL spent 46 of the count's 120 ms compiling it
    # (EXPLAIN ANALYZE on bench_pg_1m; with it off the count takes about half the time, bench/notes/queue6.md).
    connect_args = {"connect_timeout": 3, "options": "-c jit=off"}
    return {**pool, "pool_recycle": 1800, "pool_timeout": 5, "connect_args": connect_args}


def register_event_sources(app: Flask) -> None:
    """What the events of each feature are about, for the audit log and the timelines: portal.events imports
    no feature, each feature declares its subjects, action names and links (portal.events.registry)."""
    from portal.accounts import labels as accounts
    from portal.agencies import labels as agencies
    from portal.apikeys import labels as apikeys
    from portal.calendar import labels as calendar
    from portal.catalog import labels as catalog
    from portal.disasters import labels as disasters
    from portal.dossiers import labels as dossiers
    from portal.events import describe, registry
    from portal.feedback import labels as feedback
    from portal.intermediaries import labels as intermediaries
    from portal.payments import labels as payments
    from portal.privacy import labels as privacy
    from portal.privacy import retention
    from portal.staff import labels as staff
    from portal.statistics import export as statistics
    from portal.steering import labels as steering

    events = registry.init_app(app)
    for feature in (
        accounts,
        agencies,
        apikeys,
        calendar,
        catalog,
        disasters,
        dossiers,
        feedback,
        intermediaries,
        payments,
        privacy,
        retention,
        staff,
        statistics,
        steering,
    ):
        feature.register_events(events)
    describe.init_app(app)  # the templates' event_action_label, event_status_label, event_note_text
    # The audit filter lists the subject types in this reading order.
    events.order(
        (
            "dossier",
            "feedback",
            "account",
            "agency",
            "procedure",
            "feedback_category",
            "response_template",
            "dossier_template",
            "calendar_day",
            "disaster",
            "vietqr_account",
            "province",
            "bank_webhook",
            "sign_in_policy",
        )
    )


def register_blueprints(app: Flask) -> None:
    from portal.accounts.routes import bp as accounts
    from portal.accounts.routes_admin import bp as accounts_admin
    from portal.admin.routes import bp as admin
    from portal.agencies.routes_admin import bp as agencies_admin
    from portal.apikeys.routes_admin import bp as apikeys_admin
    from portal.calendar.routes_admin import bp as calendar_admin
    from portal.catalog.routes import bp as catalog
    from portal.catalog.routes_admin import bp as catalog_admin
    from portal.disasters.routes import bp as disasters
    from portal.dossiers.routes import bp as dossiers
    from portal.dossiers.routes_admin import bp as dossiers_admin
    from portal.dossiers.routes_staff import bp as dossiers_staff
    from portal.events.routes_audit import bp as staff_audit
    from portal.exports.routes import bp as exports
    from portal.exports.routes import staff as exports_staff
    from portal.feedback.routes import bp as feedback
    from portal.feedback.routes_admin import bp as feedback_admin
    from portal.feedback.routes_staff import bp as feedback_staff
    from portal.intermediaries.routes import bp as intermediaries
    from portal.intermediaries.routes_admin import bp as intermediaries_admin
    from portal.main.routes import bp as main
    from portal.open311.routes import bp as open311
    from portal.open311.routes_docs import bp as open311_docs
    from portal.papers.routes import bp as papers
    from portal.papers.routes_staff import bp as papers_staff
    from portal.payments.routes import bp as payments
    from portal.payments.routes_admin import bp as payments_admin
    from portal.payments.routes_staff import bp as payments_staff
    from portal.privacy.routes import bp as privacy
    from portal.privacy.routes_staff import bp as privacy_staff
    from portal.sms.routes import bp as sms
    from portal.staff.routes import bp as staff
    from portal.statistics.routes_public import public as statistics
    from portal.statistics.routes_staff import bp as staff_dashboard
    from portal.steering.routes_staff import bp as steering_staff
    from portal.tracking.routes import bp as tracking

    for blueprint in (
        main,
        catalog,
        accounts,
        feedback,
        feedback_staff,
        dossiers,
        dossiers_staff,
        papers,
        papers_staff,
        payments,
        payments_staff,
        staff,
        tracking,
        open311,
        open311_docs,
        exports,
        exports_staff,
        privacy,  # /my-data: the citizen's personal data (Law 91/2025)
        privacy_staff,  # /staff/privacy: restricted dossiers, for an authorised officer
        sms,  # /sms/inbound: the gateway's incoming texts (status look-up)
        intermediaries,  # /intermediary: cases filed on behalf of villagers (issue 13)
        disasters,  # /staff/disasters: the disaster clock (issue 14)
        steering_staff,  # /staff/steering: conduct complaints' reporter reveal (portal/steering)
    ):
        app.register_blueprint(blueprint)
    for blueprint in (admin, staff_audit):  # administration and the audit log (/staff/admin, /staff/audit)
        app.register_blueprint(blueprint)
    # Each feature's administration pages (/staff/admin/...), linked from the admin index.
    for blueprint in (
        agencies_admin,
        feedback_admin,
        dossiers_admin,
        catalog_admin,
        accounts_admin,
        calendar_admin,
        payments_admin,
        apikeys_admin,
        intermediaries_admin,
    ):
        app.register_blueprint(blueprint)
    for blueprint in (staff_dashboard, statistics):  # /staff/dashboard (+ .csv) and the public /statistics
        app.register_blueprint(blueprint)
