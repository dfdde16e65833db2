"""Which contact details a listing may carry: organisational ones only, never a person's.

Harvesters put every contact a record gives into ``Draft.contacts`` as ``Contact``s (name,
email, phone, in the source's order). ``choose(contacts)`` returns the first organisational
email and phone and how many contacts it left out because they are personal:

- a contact that names a person (``name`` is set and is not a team, desk or service name);
- a personal email: the local part is a person's name ("jane.smith", "j_smith") or contains the
  contact's own name;
- a UK mobile number (07..., +44 7...).
The email and mobile rules are ``linkwell.listings.personal``'s, the ones validation warns with.

Phone fields with free text ("Youth team: 020 7946 0123") give their number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkwell.listings.personal import is_mobile, looks_personal_email

ROLE_WORDS = re.compile(
    r"\b(team|office|desk|service|services|line|helpline|reception|enquir(y|ies)|admin|administrator|"
    r"centre|center|hub|club|group|bookings?|info|information|general|main|switchboard|duty|customer|"
    r"support|volunteers?|coordinator|co-ordinator|manager|officer|worker|staff|department|unit|contact)\b",
    re.I)
_PHONE_IN_TEXT = re.compile(r"(\+?44\s?\(?0?\)?[\d\s()-]{9,14}\d|0[\d\s()-]{9,13}\d)")


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


def names_person(name) -> bool:
    """'Jane Smith', 'Mrs J Smith' name a person; 'Youth team', 'Reception' do not."""
    text = " ".join(str(name or "").split())
    if not text or ROLE_WORDS.search(text):
        return False
    return bool(re.search(r"[A-Za-z]", text))


def personal_email(email, person: str | None = None) -> bool:
    """A person's own address (``listings.personal``), or one holding the contact's own name."""
    if looks_personal_email(email):
        return True
    local = str(email or "").partition("@")[0].lower()
    if not local or not names_person(person):
        return False
    words = [w.lower() for w in re.findall(r"[A-Za-z]{3,}", str(person))]
    return any(w in local for w in words)


def phone_number(text) -> str | None:
    """The number in a phone field, free text allowed ("Youth team: 020 7946 0123")."""
    value = " ".join(str(text or "").split())
    if not value:
        return None
    found = _PHONE_IN_TEXT.search(value)
    return found.group(1).strip() if found else None


def choose(contacts: list[Contact]) -> tuple[str | None, str | None, int]:
    """(email, phone, personal contacts left out)."""
    email = phone = None
    personal = 0
    for contact in contacts:
        number = phone_number(contact.phone)
        if names_person(contact.name) or personal_email(contact.email, contact.name) or (number and is_mobile(number)):
            personal += 1
            continue
        email = email or (str(contact.email).strip() if contact.email else None)
        phone = phone or number
    return email, phone, personal
