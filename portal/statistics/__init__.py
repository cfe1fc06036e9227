"""Figures of the service: the leaders' dashboard (/staff/dashboard, its CSV) and the public /statistics.

queries/   the SQL that fills `portal.domain.indicators`' facts for a scope and a date range
dashboard  the facts of one scope and range put together (`build`)
view       the rounded rows the page, the print view and the CSV all show
charts     geometry of the inline SVG charts
export     the CSV export
params     the request's range and scope
routes_staff, routes_public  the two blueprints
"""
