"""Short plain-text summaries of an entry's fields, shared by the feeds and the search index.

``schedule_text(schedule)`` -> "Tuesday, Thursday 10:00-11:30 (weekly); Saturday 09:00 (monthly)";
``age_text(audience)`` -> "Ages 18 to 65", "Ages 65 and over", "Up to age 17" or "".
``LANGUAGE_NAMES`` maps the ISO 639-1 codes London listings use to English names.
The site's full sentences live in ``linkwell.publish.site.words``; its ages line is ``age_text`` too.
"""

from __future__ import annotations

DAYS = ["mo", "tu", "we", "th", "fr", "sa", "su"]
DAY_NAMES = dict(zip(DAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
                     strict=True))

LANGUAGE_NAMES = {
    "en": "English", "am": "Amharic", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "cy": "Welsh",
    "de": "German", "el": "Greek", "es": "Spanish", "fa": "Persian (Farsi)", "fr": "French", "ga": "Irish",
    "gu": "Gujarati", "hi": "Hindi", "it": "Italian", "ja": "Japanese", "ko": "Korean", "ku": "Kurdish",
    "lt": "Lithuanian", "ne": "Nepali", "pa": "Punjabi", "pl": "Polish", "ps": "Pashto", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "so": "Somali", "sq": "Albanian", "ta": "Tamil", "ti": "Tigrinya",
    "tr": "Turkish", "tw": "Twi", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "yo": "Yoruba",
    "zh": "Chinese",
}


def schedule_text(schedule: list[dict] | None, dash: str = "-") -> str:
    parts = []
    for slot in schedule or ():
        text = ", ".join(DAY_NAMES[d] for d in DAYS if d in (slot.get("days") or ()))
        if slot.get("opens"):
            text += f" {slot['opens']}" + (f"{dash}{slot['closes']}" if slot.get("closes") else "")
        if slot.get("frequency"):
            text += f" ({slot['frequency']})"
        if slot.get("note"):
            text += f" — {slot['note']}"
        parts.append(text)
    return "; ".join(parts)


def age_text(audience: dict) -> str:
    low, high = audience.get("min_age"), audience.get("max_age")
    if low is not None and high is not None:
        return f"Ages {low} to {high}"
    if low is not None:
        return f"Ages {low} and over"
    if high is not None:
        return f"Up to age {high}"
    return ""
