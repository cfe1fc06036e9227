"""Personal data under Law 91/2025/QH15 (VIETNAM.md §11): what the province holds about a citizen ("my data"),
its export, correction of contact data, erasure and restriction, and consents kept as records.

A data subject is either a signed-in citizen's account or, for an anonymous reporter, one feedback item
opened through its secret link (`subjects.Subject`). The retention job and the breach query are
portal/privacy/retention.py and portal/privacy/breach.py.
"""
