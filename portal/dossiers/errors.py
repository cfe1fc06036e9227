"""The dossier feature's refusal: a rule broken, named by its reason for a translated message."""

from __future__ import annotations

from portal.domain.errors import ReasonedError


class DossierError(ReasonedError):
    """Refused by a rule; `reason` names it for a translated message ('files', 'agency', 'note', ...)."""
