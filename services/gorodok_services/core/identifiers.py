"""Russian identifiers of organisations and people, checked with python-stdnum (checksums and
structure), digits only: a value with spaces or dashes is not what the registers store."""

from __future__ import annotations

from stdnum.ru import inn, ogrn


def valid_inn(value: str) -> bool:
    """A 10-digit INN of an organisation or a 12-digit INN of a person, checksums included."""
    return value.isascii() and value.isdigit() and len(value) in (10, 12) and inn.is_valid(value)


def valid_ogrn(value: str) -> bool:
    """A 13-digit OGRN or a 15-digit OGRNIP (an individual entrepreneur's), checksum included."""
    if not (value.isascii() and value.isdigit()):
        return False
    if len(value) == 13:
        return ogrn.is_valid(value)
    if len(value) == 15:
        # python-stdnum (2.2) compares the check digit with the whole remainder of the division by 13, so
        # it refuses the valid OGRNIPs whose remainder is 10-12; the tax service takes its last digit.
        return value[0] in "34" and int(value[:14]) % 13 % 10 == int(value[14])
    return False


def inn_complete(body: str) -> str:
    """``body`` (9 or 10 digits) followed by its INN check digits."""
    if len(body) == 9:
        return body + inn.calc_company_check_digit(body)
    return body + inn.calc_personal_check_digits(body)


def ogrn_complete(body: str) -> str:
    """``body`` (12 or 14 digits) followed by its OGRN or OGRNIP check digit."""
    divisor = 11 if len(body) == 12 else 13
    return body + str(int(body) % divisor % 10)
