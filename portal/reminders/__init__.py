"""Reminders and escalation (issue 14 item 3): `flask --app portal remind`, run by a scheduler (cron) once a
day or more often: it sends each message at most once per day, through the jobs outbox."""
