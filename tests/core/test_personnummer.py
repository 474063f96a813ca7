"""The personnummer guard (DOMAIN.md A9): finds real numbers in text, leaves everything else."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.se import personnummer as stdnum_personnummer

from riskmgmt.core.personnummer import (
    find_personal_numbers,
    mask_personal_numbers,
    no_personal_number,
)


def with_check(nine: str) -> str:
    """Ten digits ÅÅMMDDNNN + the Luhn check digit, as the Swedish Tax Agency computes it."""
    return nine + luhn.calc_check_digit(nine)


def with_bad_check(nine: str) -> str:
    good = luhn.calc_check_digit(nine)
    return nine + str((int(good) + 1) % 10)


VALID = with_check("811218987")  # 18 December 1981
assert stdnum_personnummer.is_valid(VALID)
VALID_2 = with_check("900101239")
SAMORDNING = with_check("811278987")  # day 18 + 60
assert luhn.is_valid(SAMORDNING)  # stdnum.se.personnummer refuses samordningsnummer
BAD_CHECK = with_bad_check("811218987")


def spellings(ten: str, century: str = "19") -> dict[str, str]:
    return {
        "ÅÅMMDD-NNNN": f"{ten[:6]}-{ten[6:]}",
        "ÅÅMMDDNNNN": ten,
        "ÅÅÅÅMMDD-NNNN": f"{century}{ten[:6]}-{ten[6:]}",
        "ÅÅÅÅMMDDNNNN": f"{century}{ten}",
        "ÅÅMMDD+NNNN": f"{ten[:6]}+{ten[6:]}",
    }


SENTENCES = [
    "Klienten med personnummer {} kom till mottagningen i morse.",
    "{} ringde och ville prata med sin handläggare.",
    "Barnet ({}) placerades i familjehem.",
    "Uppgifter om pnr:{}, se akten",
    "Vårdnadshavaren uppgav sitt nummer, {}.",
    "Se {}\noch anteckningen nedan.",
]


@pytest.mark.parametrize("spelling", list(spellings(VALID)))
@pytest.mark.parametrize("sentence", SENTENCES)
def test_valid_personnummer_is_found_in_every_spelling(spelling, sentence):
    number = spellings(VALID)[spelling]
    assert find_personal_numbers(sentence.format(number)) == [number]


@pytest.mark.parametrize("spelling", list(spellings(SAMORDNING)))
def test_samordningsnummer_is_found(spelling):
    number = spellings(SAMORDNING)[spelling]
    assert find_personal_numbers(f"Samordningsnummer {number} finns i akten.") == [number]


def test_a_number_born_in_the_2000s_is_found():
    ten = with_check("150229123")  # 29 February 2016 is not real, 2015 neither
    assert find_personal_numbers(f"nr {ten[:6]}-{ten[6:]}") == []
    ten = with_check("160229123")  # 29 February 2016
    assert find_personal_numbers(f"född 20{ten[:6]}-{ten[6:]}") == [f"20{ten[:6]}-{ten[6:]}"]


def test_several_numbers_are_all_found():
    text = f"Mamma {VALID[:6]}-{VALID[6:]} och pappa 19{VALID_2} var med."
    assert find_personal_numbers(text) == [f"{VALID[:6]}-{VALID[6:]}", f"19{VALID_2}"]


@pytest.mark.parametrize("spelling", list(spellings(BAD_CHECK)))
def test_bad_checksum_is_not_flagged(spelling):
    number = spellings(BAD_CHECK)[spelling]
    assert not luhn.is_valid(BAD_CHECK)
    assert find_personal_numbers(f"Numret {number} i texten.") == []


@pytest.mark.parametrize(
    "nine",
    [
        "811318987",  # month 13
        "810018987",  # month 00
        "811200987",  # day 00
        "811232987",  # day 32
        "810230987",  # 30 February
        "810229987",  # 29 February 1981
        "811192987",  # samordningsnummer for day 32
        "811160987",  # day 60: neither a date nor a samordningsnummer
    ],
)
def test_impossible_dates_are_not_flagged_even_with_a_good_checksum(nine):
    ten = with_check(nine)
    for number in spellings(ten).values():
        assert find_personal_numbers(f"Numret {number} i texten.") == [], number


@pytest.mark.parametrize(
    "text",
    [
        "Ring mig på 070-123 45 67 efter lunch.",
        "Växeln: 08-123 456 78.",
        "Mobil +46 70 123 45 67",
        "Göteborg 031-712 34 56",
        "Kundtjänst 0771-123 456",
        "Telefon 070-1234567",
        "+46701234567",
    ],
)
def test_phone_numbers_are_not_flagged(text):
    assert find_personal_numbers(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Mötet hölls 2024-05-17 kl. 13.00.",
        "Beslut 20240517 om placering.",
        "Händelsen inträffade den 17 maj 2024.",
        "Under åren 1998–2015 bodde familjen i Göteborg.",
        "Ärendet SN 2015/0132 har avslutats.",
        "Dnr SN 2015/0132-3.",
        "Diarienummer 2015-0132 och 2016-0451.",
        "Summa 1 234 567 kr, konto 1234-5678.",
        "Referens AVV-2026-0042",
        "Ordernummer 12345678901234",
    ],
)
def test_dates_years_and_case_numbers_are_not_flagged(text):
    assert find_personal_numbers(text) == []


def test_digits_inside_a_longer_number_are_not_flagged():
    assert find_personal_numbers(f"1{VALID}") == []
    assert find_personal_numbers(f"{VALID}1") == []
    assert find_personal_numbers(f"19{VALID}5") == []


def test_empty_text():
    assert find_personal_numbers("") == []
    assert find_personal_numbers(None) == []


def test_mask_hides_the_last_four_digits():
    text = f"Klienten {VALID[:6]}-{VALID[6:]} och 19{VALID_2}."
    masked = mask_personal_numbers(text)
    assert masked == f"Klienten {VALID[:6]}-XXXX och 19{VALID_2[:6]}XXXX."


def test_validator_refuses_text_with_a_personnummer_in_swedish_and_masks_it():
    number = f"{VALID[:6]}-{VALID[6:]}"
    with pytest.raises(ValidationError) as exc:
        no_personal_number(f"Klienten {number} kom in.")
    assert exc.value.code == "personnummer"
    message = exc.value.messages[0]
    assert "personnummer" in message
    assert "Ta bort det innan du sparar" in message
    assert f"{VALID[:6]}-XXXX" in message
    assert VALID[6:] not in message


def test_validator_masks_every_number():
    with pytest.raises(ValidationError) as exc:
        no_personal_number(f"{VALID[:6]}-{VALID[6:]} och 19{SAMORDNING}")
    message = exc.value.messages[0]
    assert f"{VALID[:6]}-XXXX, 19{SAMORDNING[:6]}XXXX" in message
    assert VALID[6:] not in message
    assert SAMORDNING[6:] not in message


@pytest.mark.parametrize(
    "text", ["", "Inget nummer här.", "Ring 070-123 45 67", f"Fel kontrollsiffra {BAD_CHECK}"]
)
def test_validator_accepts_text_without_a_personnummer(text):
    no_personal_number(text)


def test_validator_is_deconstructible_for_migrations():
    path, args, kwargs = no_personal_number.deconstruct()
    assert path == "riskmgmt.core.personnummer.NoPersonalNumberValidator"
    assert (args, kwargs) == ((), {})


@given(
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
)
def test_any_checksum_valid_number_with_a_real_date_is_found(birth, serial):
    ten = with_check(f"{birth:%y%m%d}{serial:03}")
    number = f"{ten[:6]}-{ten[6:]}"
    assert find_personal_numbers(f"Personen {number} nämndes.") == [number]


def test_en_dash_from_word_processors_is_found():
    assert find_personal_numbers("Se 811218–9876 i akten.") == ["811218–9876"]
