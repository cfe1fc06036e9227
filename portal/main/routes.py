"""Home page and the health check."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from portal.catalog.models import Procedure
from portal.extensions import csrf, db

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
def home():
    counts = db.session.execute(
        select(func.count(), func.count().filter(Procedure.online_level == "full")).where(Procedure.is_active)
    ).one()
    return render_template("main/home.html", procedure_count=counts[0], full_online_count=counts[1])


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """Database reachability for load balancers and monitoring; no details that help an attacker."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
