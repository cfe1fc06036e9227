"""Administration, shared part: the /staff/admin index (links only) and the helpers every feature's
administration pages use (portal.admin.changes, portal.admin.views, portal.admin.forms).

Each feature administers its own models in its own package (agencies, feedback, catalog, accounts, calendar,
payments: routes_admin.py, admin_forms.py, admin_operations.py). A feature may import portal.admin;
portal.admin imports no feature. Every change writes an Event."""
