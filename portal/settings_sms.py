"""The SMS settings (portal/sms): the sending gateway, and how incoming texts reach /sms/inbound. Split from
portal/settings.py, which reads them; no Flask import."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SMS_GATEWAYS = ("", "esms")
# How the provider forwards incoming texts (README "SMS"): "signed" is the portal's own signed JSON;
# "esms" is eSMS.vn's short-code MO forwarding (an HTTP GET signed with the CP's private key).
SMS_INBOUNDS = ("signed", "esms")


@dataclass(frozen=True)
class Sms:
    """The SMS gateway (portal/sms): "" sends nothing; "esms" is eSMS.vn's HTTP brandname API."""

    gateway: str = ""
    url: str = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    api_key: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    brandname: str = ""
    unicode: bool = False  # False: texts are folded to GSM-7 (no diacritics), 160 characters a message
    price_vnd: int = 800  # the contract's price of one segment, for the cost counted per message
    sandbox: bool = False  # eSMS's Sandbox=1: validated, neither sent nor billed
    # Signs the forwarded incoming texts: the HMAC key of "signed", eSMS's PrivateKey for "esms".
    inbound_secret: str = field(default="", repr=False)
    lookup_number: str = ""  # the number citizens text a code to (printed on slips and pages)
    inbound: str = "signed"  # the format of the forwarded incoming texts (SMS_INBOUNDS)
    inbound_cpid: str = ""  # eSMS's CP identifier ("cpid"), required with inbound "esms"
    # Addresses or networks the forwarding may come from; empty: any (the signature alone decides).
    inbound_allow: tuple[str, ...] = ()


def _flags(env: Mapping[str, str], problems: list[str]) -> dict[str, bool]:
    flags = {}
    for name in ("SMS_UNICODE", "SMS_SANDBOX"):
        value = env.get(name, "0").strip().lower() or "0"
        if value not in ("0", "1", "true", "false"):
            problems.append(f"{name} must be 0 or 1")
        flags[name] = value in ("1", "true")
    return flags


def parse_networks(text: str, setting: str, problems: list[str]) -> tuple[str, ...]:
    """Comma-separated addresses or networks of a setting (SMS_INBOUND_ALLOW, PORTAL_METRICS_ALLOW)."""
    networks = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            problems.append(f"{setting}: {part!r} is not an IP address or network")
    return tuple(networks)


def _inbound(env: Mapping[str, str], problems: list[str]) -> tuple[str, str, tuple[str, ...]]:
    inbound = env.get("SMS_INBOUND", "").strip().lower() or "signed"
    if inbound not in SMS_INBOUNDS:
        problems.append("SMS_INBOUND must be 'signed' (the portal's signed JSON) or 'esms'")
        inbound = "signed"
    cpid = env.get("SMS_INBOUND_CPID", "").strip()
    if inbound == "esms" and env.get("SMS_INBOUND_SECRET", "") and not cpid:
        problems.append("SMS_INBOUND_CPID (eSMS's cpid) is required with SMS_INBOUND=esms")
    return inbound, cpid, parse_networks(env.get("SMS_INBOUND_ALLOW", ""), "SMS_INBOUND_ALLOW", problems)


def sms_settings(env: Mapping[str, str], problems: list[str]) -> Sms:
    gateway = env.get("SMS_GATEWAY", "").strip().lower()
    if gateway not in SMS_GATEWAYS:
        problems.append("SMS_GATEWAY must be empty (no SMS) or 'esms'")
        gateway = ""
    url = env.get("SMS_GATEWAY_URL", "").strip() or Sms.url
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        problems.append("SMS_GATEWAY_URL must be an absolute http(s) URL")
    price = env.get("SMS_PRICE_VND", "").strip() or str(Sms.price_vnd)
    if not price.isascii() or not price.isdigit() or int(price) > 100_000:
        problems.append("SMS_PRICE_VND must be a whole number of dong per segment (0 to 100000)")
        price = "0"
    flags = _flags(env, problems)
    api_key, secret_key = env.get("SMS_API_KEY", "").strip(), env.get("SMS_SECRET_KEY", "").strip()
    brandname = env.get("SMS_BRANDNAME", "").strip()
    if gateway and not (api_key and secret_key):
        problems.append("SMS_API_KEY and SMS_SECRET_KEY are required with SMS_GATEWAY")
    secret = env.get("SMS_INBOUND_SECRET", "")
    if secret and len(secret) < 32:
        problems.append("SMS_INBOUND_SECRET must be at least 32 characters (or empty: no SMS look-up)")
    lookup = "".join(env.get("SMS_LOOKUP_NUMBER", "").split())
    if lookup and not re.fullmatch(r"\+?[0-9]{3,15}", lookup):
        problems.append("SMS_LOOKUP_NUMBER must be a short code or phone number (digits)")
    inbound, cpid, allow = _inbound(env, problems)
    return Sms(
        gateway=gateway,
        url=url,
        api_key=api_key,
        secret_key=secret_key,
        brandname=brandname,
        unicode=flags["SMS_UNICODE"],
        price_vnd=int(price),
        sandbox=flags["SMS_SANDBOX"],
        inbound_secret=secret,
        lookup_number=lookup,
        inbound=inbound,
        inbound_cpid=cpid,
        inbound_allow=allow,
    )
