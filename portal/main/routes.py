"""Home page (the health checks are in portal/health.py)."""

from flask import Blueprint, render_template
from sqlalchemy import func, select

from portal.catalog.models import Procedure
from portal.extensions import db

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def home():
    counts = db.session.execute(
        select(func.count(), func.count().filter(Procedure.online_level == "full")).where(Procedure.is_active)
    ).one()
    return render_template("main/home.html", procedure_count=counts[0], full_online_count=counts[1])
