"""INN and OGRN checks (python-stdnum, and the tax service's OGRNIP rule where the library differs)."""

import pytest

from gorodok_services.core.identifiers import inn_complete, ogrn_complete, valid_inn, valid_ogrn


@pytest.mark.parametrize(("value", "valid"), [
    ("7707083893", True),  # Sberbank
    ("7707083894", False),
    ("500100732259", True),
    ("500100732250", False),
    ("770708389", False),
    ("7707 083893", False),
    ("７７０７０８３８９３", False),  # full-width digits are digits to Python, not to the register
    ("", False),
])
def test_inn(value, valid):
    assert valid_inn(value) is valid


@pytest.mark.parametrize(("value", "valid"), [
    ("1027700132195", True),  # Sberbank
    ("1027700132196", False),
    ("0027700132195", False),
    ("304500116000157", True),
    ("304500116000050", True),  # remainder 10: the check digit is 0 (python-stdnum alone refuses it)
    ("304500116000051", False),
    ("904500116000157", False),
    ("30450011600015", False),
])
def test_ogrn(value, valid):
    assert valid_ogrn(value) is valid


def test_completed_numbers_are_valid():
    for body in ("190212345", "1902123456", "102190012345", "30419001234567"):
        number = inn_complete(body) if len(body) in (9, 10) else ogrn_complete(body)
        assert (valid_inn(number) if len(body) in (9, 10) else valid_ogrn(number)), number
