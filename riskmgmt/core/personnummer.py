"""Finds Swedish personnummer and samordningsnummer in free text (DOMAIN.md A9).

Only checksum-valid numbers with a real date count, in the spellings people use:
ÅÅMMDD-NNNN, ÅÅMMDD+NNNN, ÅÅMMDDNNNN, ÅÅÅÅMMDD-NNNN and ÅÅÅÅMMDDNNNN. A samordningsnummer
has 60 added to the day. Phone numbers are written with the separator elsewhere
(070-123 45 67, 08-123 456 78), so they do not match the pattern.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum import luhn

_CANDIDATE = re.compile(
    r"(?<![\d\-+–])"  # not part of a longer number
    r"(?P<century>1[89]|20)?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[-+–]?)"  # the en dash comes from word processors
    r"(?P<serial>\d{3})(?P<check>\d)"
    r"(?![\d])"
)


def _is_real_date(century: str | None, yy: str, mm: str, dd: int) -> bool:
    # Without a century any century may be meant; 2000 is a leap year, so 29 Feb passes.
    year = int(f"{century}{yy}") if century else 2000 + int(yy)
    try:
        datetime.date(year, int(mm), dd)
    except ValueError:
        return False
    return True


def find_personal_numbers(text: str) -> list[str]:
    """Every checksum-valid personnummer or samordningsnummer in `text`, as written."""
    found = []
    for match in _CANDIDATE.finditer(text or ""):
        day = int(match["dd"])
        if day > 60:  # samordningsnummer
            day -= 60
        if not _is_real_date(match["century"], match["yy"], match["mm"], day):
            continue
        ten_digits = match["yy"] + match["mm"] + match["dd"] + match["serial"] + match["check"]
        if luhn.is_valid(ten_digits):
            found.append(match.group(0))
    return found


def mask_personal_numbers(text: str) -> str:
    """The text with the last four digits of each personnummer replaced by XXXX."""
    for number in find_personal_numbers(text):
        text = text.replace(number, number[:-4] + "XXXX")
    return text


@deconstructible
class NoPersonalNumberValidator:
    """Refuses text that contains a personnummer or samordningsnummer."""

    message = _(
        "Texten innehåller det som ser ut som ett personnummer eller samordningsnummer "
        "(%(masked)s). Ta bort det innan du sparar. Hänvisa i stället till ärendets "
        "nummer i verksamhetssystemet."
    )
    code = "personnummer"

    def __call__(self, value: str) -> None:
        numbers = find_personal_numbers(value)
        if numbers:
            masked = ", ".join(n[:-4] + "XXXX" for n in numbers)
            raise ValidationError(self.message, code=self.code, params={"masked": masked})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoPersonalNumberValidator)


no_personal_number = NoPersonalNumberValidator()
