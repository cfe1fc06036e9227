"""/staff/admin: the administration index, links to each feature's administration pages (their blueprints
live in the features: agencies_admin, feedback_admin, catalog_admin, accounts_admin, calendar_admin,
payments_admin). Closed by default (portal.auth.access); opened per view."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.auth.access import allow, protect

from .views import ADMINS, URL_PREFIX

bp = protect(Blueprint("admin", __name__, url_prefix=URL_PREFIX, template_folder="templates"))


@bp.get("")
@allow(*ADMINS)
def index():
    return render_template("admin/index.html")
