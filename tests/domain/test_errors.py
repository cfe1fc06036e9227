"""One base class for the errors that carry a reason (portal/domain/errors.py)."""

from __future__ import annotations

import pytest

from portal.accounts.passwords import WeakPassword
from portal.domain.errors import ReasonedError
from portal.domain.vietqr import InvalidPayload
from portal.dossiers.errors import DossierError
from portal.dossiers.operations import DossierError as DossierErrorFromOperations
from portal.feedback.operations import FeedbackError
from portal.payments.amounts import AmountError
from portal.payments.operations import PaymentError
from portal.uploads.documents import DocumentRejected
from portal.uploads.images import ImageRejected
from portal.uploads.pdf import PdfRejected


@pytest.mark.parametrize(
    "cls",
    [
        WeakPassword,
        InvalidPayload,
        DossierError,
        FeedbackError,
        AmountError,
        PaymentError,
        DocumentRejected,
        ImageRejected,
        PdfRejected,
    ],
)
def test_each_refusal_keeps_its_name_and_carries_its_reason(cls):
    error = cls("too_large")
    assert issubclass(cls, ReasonedError) and isinstance(error, ValueError)
    assert error.reason == "too_large" and str(error) == "too_large"
    with pytest.raises(ReasonedError):
        raise error


def test_the_dossier_operations_raise_the_one_dossier_error():
    assert DossierErrorFromOperations is DossierError
