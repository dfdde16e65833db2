"""Cleaning single values from a source: URLs, emails, phones, charity and company numbers, access words.

Each ``clean_*`` returns the value in the form listings use, or None when it is not usable:
``clean_url`` keeps http(s) addresses only and drops placeholders (``PLACEHOLDER_HOSTS`` with no
path, such as ``http://www.example.com``, which some directories put in an empty URL field);
``clean_phone`` takes the number out of free text ("Youth team: 020 7946 0123").
``guess_access`` reads how people join (drop in, GP or link-worker referral, booking) from text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .contacts import phone_number

PLACEHOLDER_HOSTS = {"example.com", "www.example.com", "example.org", "www.example.org", "example.net",
                     "www.example.net", "test.com", "www.test.com", "none", "n/a", "tbc", "localhost"}
_URL_RE = re.compile(r"^https?://[^\s<>\"]+$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{6,18}[0-9]$")
_CHARITY_RE = re.compile(r"^[0-9]{6,8}(-[0-9]{1,2})?$|^SC[0-9]{6}$")
_COMPANY_RE = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")


def clean_url(value) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    if text.startswith("www."):
        text = "https://" + text
    if not (_URL_RE.match(text) and len(text) <= 500):
        return None
    parts = urlsplit(text)
    if (parts.hostname or "") in PLACEHOLDER_HOSTS and parts.path in ("", "/") and not parts.query:
        return None  # a placeholder, not the service's website
    return text


def clean_email(value) -> str | None:
    text = str(value or "").strip().removeprefix("mailto:")
    return text if _EMAIL_RE.match(text) and len(text) <= 254 else None


def clean_phone(value) -> str | None:
    text = re.sub(r"\s+", " ", str(value or "").strip().removeprefix("tel:"))
    if not _PHONE_RE.match(text):
        text = phone_number(text) or ""  # free text around the number
    text = re.sub(r"(?i)\s*(ext\.?|extension|x)\s*\d+$", "", text)
    return text if _PHONE_RE.match(text) else None


def clean_charity(value) -> str | None:
    text = re.sub(r"\s+", "", str(value or "")).upper().removeprefix("GB-CHC-")
    return text if _CHARITY_RE.match(text) else None


def clean_company(value) -> str | None:
    text = re.sub(r"\s+", "", str(value or "")).upper().removeprefix("GB-COH-")
    if text.isdigit() and len(text) < 8:
        text = text.zfill(8)  # Companies House numbers are 8 characters: 1234567 -> 01234567
    return text if _COMPANY_RE.match(text) else None


def guess_access(text: str) -> list[str]:
    text = re.sub(r"no (need|booking|referral)[a-z ]*?(to book|needed|required|necessary)|without booking|"
                  r"no need to book", " ", text.lower())
    found = []
    if re.search(r"\bdrop[- ]?in\b", text):
        found.append("drop-in")
    if re.search(r"\bgp\b|doctor", text):
        found.append("gp-referral")
    if "link worker" in text or "social prescrib" in text:
        found.append("link-worker-referral")
    if re.search(r"\bbook(ing)?\b|\bbook (a|your) place", text):
        found.append("booking")
    if "self-refer" in text or "self refer" in text:
        found.append("self-referral")
    return found
