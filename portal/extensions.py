"""Flask extensions, created here and bound in create_app()."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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


db = SQLAlchemy(model_class=Base)

# The models' base class. mypy cannot take an instance's attribute (db.Model) as a base class
# (python/mypy#8603), so to the checker the models derive from Base, which db.Model extends at run time
# with Flask-SQLAlchemy's mixins (bind key, default table name, Model.query, none of which we use).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
# Batch mode lets Alembic alter tables on SQLite, which has little ALTER TABLE.
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache()
