"""Import every feature's models so Alembic and the tests see the whole schema."""

from portal.accounts.models import Account, PasswordResetToken, RecoveryCode, SecondFactor, SignInPolicy
from portal.agencies.models import Agency
from portal.apikeys.models import ApiKey
from portal.calendar.disasters import DisasterCommune, DisasterEffect, DisasterEvent, DisasterLetter
from portal.calendar.models import CalendarDay
from portal.catalog.models import Procedure, RequiredDocument
from portal.dossiers.models import (
    Dossier,
    DossierApology,
    DossierFile,
    DossierPause,
    DossierRating,
    DossierTemplate,
    ReceivedDocument,
)
from portal.events.models import Event
from portal.feedback.models import (
    Feedback,
    FeedbackCategory,
    FeedbackFix,
    FeedbackPause,
    FeedbackPhoto,
    ResponseTemplate,
)
from portal.intermediaries.models import IntermediaryFiling
from portal.jobs.models import OutboxJob
from portal.open311.models import ApiSubmission
from portal.payments.bank_account import VietQRAccount
from portal.payments.models import BankTransaction, Payment
from portal.places.models import AdminUnit
from portal.privacy.models import Consent, ConsentNotice, ContactChange, ExportArchive, PrivacyRequest
from portal.sequences import DailySequence
from portal.sms.models import SmsMessage
from portal.uploads.drafts import UploadDraft

__all__ = [
    "Consent",
    "ConsentNotice",
    "ContactChange",
    "ExportArchive",
    "PrivacyRequest",
    "UploadDraft",
    "Account",
    "AdminUnit",
    "ApiKey",
    "ApiSubmission",
    "Agency",
    "BankTransaction",
    "CalendarDay",
    "DailySequence",
    "DisasterCommune",
    "DisasterEffect",
    "DisasterEvent",
    "DisasterLetter",
    "Dossier",
    "DossierApology",
    "DossierFile",
    "DossierPause",
    "DossierRating",
    "DossierTemplate",
    "ReceivedDocument",
    "Event",
    "Feedback",
    "FeedbackCategory",
    "FeedbackPause",
    "FeedbackFix",
    "FeedbackPhoto",
    "IntermediaryFiling",
    "OutboxJob",
    "PasswordResetToken",
    "Payment",
    "Procedure",
    "RecoveryCode",
    "RequiredDocument",
    "ResponseTemplate",
    "SecondFactor",
    "SignInPolicy",
    "SmsMessage",
    "VietQRAccount",
]
