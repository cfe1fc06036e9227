"""The base of the errors a rule raises with a reason: a short key the caller turns into a translated message.

Pure: standard library only.
"""

from __future__ import annotations


class ReasonedError(ValueError):
    """Refused by a rule; `reason` names the rule ('files', 'too_large', ...) for a translated message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
