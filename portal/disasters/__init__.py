"""The disaster clock (issue 14 item 1): a leader declares a landslide, flash flood, road cut or epidemic for
a set of communes; the items there get their dates moved (portal.domain.working_days.suspended), each on its
timeline and tracking page; form 04 apology letters for the dossiers it makes late are drafted and issued in
bulk. The events' tables live in portal/calendar/disasters.py, below the deadline modules that read them."""
