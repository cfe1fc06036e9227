"""Flask extensions, created here and bound in create_app()."""

from typing import TYPE_CHECKING, Any

from flask import current_app, request, session
from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_login.signals import user_accessed
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from portal.db_session import PortalSession

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# PortalSession: read-only requests on PostgreSQL read without BEGIN/ROLLBACK (portal/db_session.py).
db = SQLAlchemy(model_class=Base, session_options={"class_": PortalSession})

# The models' base class. mypy cannot take an instance's attribute (db.Model) as a base class
# (python/mypy#8603), so to the checker the models derive from Base, which db.Model extends at run time
# with Flask-SQLAlchemy's mixins (bind key, default table name, Model.query, none of which we use).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
# Batch mode lets Alembic alter tables on SQLite, which has little ALTER TABLE.
migrate = Migrate(compare_type=True, render_as_batch=True)


class PortalLoginManager(LoginManager):
    """Flask-Login with "strong" session protection that leaves a session alone when it signs no one in.

    Strong protection compares a hash of the visitor's address and User-Agent with the `_id` that
    `login_user` put in the session. A session that signs no one in has no `_id`, so for every anonymous
    visitor whose session holds anything (a CSRF token, a flashed message) the check "failed" on every
    request: it rewrote the session and asked for the remember cookie to be deleted, so every page was
    answered with a freshly signed session cookie and a `portal_remember` deletion cookie. With no
    `_user_id` in the session and no remember cookie in the request there is nobody to protect (the
    portal has no request or header loader), so the check is skipped. A session with `_user_id`, or any
    request carrying a remember cookie, gets Flask-Login's own check unchanged: a copied cookie used with
    another address or User-Agent is still emptied and signs no one in.
    """

    def _session_protection_failed(self) -> bool:
        remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if "_user_id" not in session and remember_cookie not in request.cookies:
            return False
        return bool(super()._session_protection_failed())

    def _load_user(self) -> Any:
        """Flask-Login's, with the anonymous visitor's answer given at once: no `_user_id` in the session and
        no remember cookie leave nobody to load (the portal has a user loader, no request or header loader),
        where Flask-Login asked the session protection, the configuration twice and the request's headers
        before coming to the same anonymous user. The same `user_accessed` signal first."""
        if (
            self._user_callback is not None
            and self._request_callback is None
            and self._header_callback is None
        ):
            app = current_app._get_current_object()  # type: ignore[attr-defined]  # (one proxy look-up)
            remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            browser_session = session._get_current_object()  # type: ignore[attr-defined]
            if "_user_id" not in browser_session and remember_cookie not in request.cookies:
                user_accessed.send(app)
                browser_session.get("_user_id")  # as Flask-Login reads it: the session counts as read (Vary)
                return self._update_request_context_with_user()
        return super()._load_user()


login_manager = PortalLoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache()
