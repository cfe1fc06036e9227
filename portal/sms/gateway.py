"""The SMS gateway: an interface, and eSMS.vn's HTTP brandname API (a Vietnamese provider that routes
brandname "customer care" texts to Viettel, VinaPhone, MobiFone and the others).

API followed: "Send OTP/Customer care message", POST
https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/ with a JSON body (ApiKey,
SecretKey, Content, Phone, Brandname, SmsType "2" = customer care, IsUnicode "0"/"1", Sandbox,
RequestId), answered {"CodeResult": "100", "SMSID": ...} on success
(https://developers.esms.vn/esms-api/ham-gui-tin/tin-nhan-sms-otp-cskh, English version
https://developers.esms.vn/en/esms-api/send-sms-api/send-otp-customer-care-message). RequestId blocks a
duplicate for 24 hours on eSMS's side, so a retry after a lost answer is not sent twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

import requests

from portal.domain.phone import national_format
from portal.settings import Sms

TIMEOUT = 15  # seconds; only the jobs worker waits on it
SUCCESS = "100"
SMS_TYPE_CUSTOMER_CARE = "2"


class GatewayError(Exception):
    """The gateway did not take the message; the job system tries again later."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        # portal.jobs.describe keeps an integer `errno`: the provider's numeric code shows in last_error.
        self.errno = int(code) if code.isdigit() else None


class Gateway(Protocol):
    def send(self, to: str, text: str, *, unicode: bool, reference: str) -> str:
        """Hand one text to the provider; return its message id; raise GatewayError when refused."""


@dataclass(frozen=True)
class EsmsGateway:
    settings: Sms

    def send(self, to: str, text: str, *, unicode: bool, reference: str) -> str:
        body = {
            "ApiKey": self.settings.api_key,
            "SecretKey": self.settings.secret_key,
            "Content": text,
            "Phone": national_format(to).replace(" ", ""),  # 0912345678
            "Brandname": self.settings.brandname,
            "SmsType": SMS_TYPE_CUSTOMER_CARE,
            "IsUnicode": "1" if unicode else "0",
            "Sandbox": "1" if self.settings.sandbox else "0",
            # At most 50 characters; one per message, the same on every attempt.
            "RequestId": hashlib.sha256(reference.encode()).hexdigest()[:40],
        }
        response = requests.post(self.settings.url, json=body, timeout=TIMEOUT)
        if response.status_code != 200:
            raise GatewayError(f"http-{response.status_code}")
        try:
            answer = response.json()
        except ValueError as error:
            raise GatewayError("not-json") from error
        code = str(answer.get("CodeResult", ""))
        if code != SUCCESS:
            # The error message may quote the number: only the code is kept (portal.jobs.describe).
            raise GatewayError(code or "no-code")
        return str(answer.get("SMSID", ""))[:64]


def gateway_for(settings: Sms) -> Gateway | None:
    if settings.gateway == "esms":
        return EsmsGateway(settings)
    return None
