"""What looks like a person's own contact details, one definition for every stage: validation
warns about them (``listings.rules``) and harvests leave them out (``harvest.contacts``).

``is_mobile(number)``: a UK mobile number (07..., +44 7...), spaces and brackets ignored;
``MOBILE_IN_TEXT``: the same inside free text; ``looks_personal_email(address)``: the local part
is a person's name ("jane.smith", "j_smith") rather than a role ("info", "youth.team").
"""

from __future__ import annotations

import re

MOBILE_IN_TEXT = re.compile(r"(?<![\d])(?:\+44\s?7|\(?07)\d{3}\)?[\s-]?\d{3}[\s-]?\d{3}(?![\d])")
_MOBILE = re.compile(r"^(\+?44\s?\(?0?\)?\s?7|07)\d")
ROLE_WORDS = {  # parts of a shared address's local part ("youth.team", "social.prescribing")
    "info", "information", "hello", "admin", "contact", "enquiries", "enquiry", "office", "team", "bookings",
    "booking", "referrals", "referral", "help", "helpline", "support", "mail", "general", "reception",
    "volunteer", "volunteers", "volunteering", "events", "services", "service", "project", "projects",
    "community", "social", "prescribing", "link", "workers", "london", "group", "centre", "center", "club",
    "hub", "advice", "membership", "members", "accounts", "finance", "director", "manager", "coordinator",
    "communications", "press", "media", "careers", "jobs", "hr", "it", "web", "news", "noreply", "no",
    "reply", "post", "wellbeing", "health", "care", "carers", "youth", "older", "people", "family",
    "families", "desk", "line", "main", "switchboard", "duty", "customer", "staff", "department",
    "unit", "officer", "worker",
}


def is_mobile(number) -> bool:
    """A UK mobile number, written any usual way."""
    return bool(_MOBILE.match(re.sub(r"[\s()-]", "", str(number or ""))))


def looks_personal_email(address) -> bool:
    """Two alphabetic parts, neither of them a role word: a person's own address."""
    local = str(address or "").partition("@")[0].lower()
    parts = [p for p in re.split(r"[._-]+", local) if p]
    return len(parts) == 2 and all(p.isalpha() for p in parts) and not set(parts) & ROLE_WORDS
