"""What the privacy feature plugs in at app start (create_app calls init_app): the consent listener, the
removal of erased files after the commit, the export job, the export ZIPs for `flask check-files`, and the
retention rules (Settings.retention_years, from PORTAL_RETENTION_YEARS, e.g.
"tthc-default=15,land=permanent", overrides the years of portal/domain/retention_rules.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app

from portal import jobs
from portal.domain.retention_rules import RULES, RetentionRule, with_overrides
from portal.uploads import drafts, reconcile

from . import consents, erasure, export, notices, retention

RULES_KEY = "portal.privacy.retention_rules"


def init_app(app: Flask) -> None:
    consents.install_listeners()
    notices.install_listeners()
    erasure.install_listeners()
    jobs.register(app, export.KIND, export.run_job)
    reconcile.register_source(app, export.stored_files)
    retention.register_rule(app, retention.Rule("exports_expired_days", 0, "days", export.expired_due))
    retention.register_rule(app, retention.Rule("photo_drafts_days", 1, "days", _drafts_due))
    overrides = dict(app.config["PORTAL_SETTINGS"].retention_years)
    app.extensions[RULES_KEY] = with_overrides(overrides) if overrides else RULES


def _drafts_due(chosen: dict[str, int], now: datetime) -> list[retention.Due]:
    """Photos and documents uploaded with a form never sent (portal/uploads/drafts.py): rows and files go
    after a day. The rule keeps its name from when only photos had drafts (PORTAL_RETENTION names it)."""
    found = drafts.expired_before(now - timedelta(days=chosen["photo_drafts_days"]))
    if not found:
        return []
    return [retention.Due(f"{len(found)} upload drafts: delete", lambda: drafts.purge(found))]


def rules() -> tuple[RetentionRule, ...]:
    return current_app.extensions.get(RULES_KEY, RULES)
