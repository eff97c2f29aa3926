"""Patient codes: Crockford Base32 with its check symbol, worked by hand and read back by an
independent implementation (the ``base32-crockford`` package), and every typo of a kind people
make is caught."""

from __future__ import annotations

import base32_crockford
import pytest

from spasm_lib.patient_codes import EXAMPLE, MAX_CODE_SEED, PatientCodeError, decode, encode, is_printable_code

# Worked by hand. 1234567 = 1*32^4 + 5*32^3 + 21*32^2 + 20*32 + 7, and Crockford's symbols for
# 1, 5, 21, 20, 7 are 1, 5, N, M, 7 (the alphabet skips I, L, O and U); 1234567 = 37*33366 + 25 and
# symbol 25 is S. Seed 0 is five zeros and check 0. 32^5 - 1 is five Z's; it is 33554431 =
# 37*906876 + 19, and symbol 19 is K. Seed 36 = 1*32 + 4 with check 36, Crockford's "U".
BY_HAND = {1234567: "15N-M7S", 0: "000-000", 33554431: "ZZZ-ZZK", 36: "000-14U"}


@pytest.mark.parametrize("seed,code", BY_HAND.items())
def test_codes_worked_by_hand(seed, code):
    assert encode(seed) == code
    assert decode(code) == seed


def test_the_example_in_messages_is_a_real_code():
    assert decode(EXAMPLE) == 1234567


@pytest.mark.parametrize("seed", [0, 1, 31, 32, 36, 37, 999_999, 1234567, 20_000_000, MAX_CODE_SEED])
def test_an_independent_implementation_reads_the_same_seed(seed):
    code = encode(seed)
    assert base32_crockford.decode(code, checksum=True) == seed
    assert base32_crockford.encode(seed, checksum=True).rjust(6, "0") == code.replace("-", "")


def test_typing_is_forgiving_where_crockford_says():
    assert decode("15n-m7s") == 1234567
    assert decode(" 15N M7S ") == 1234567
    assert decode("15NM7S") == 1234567
    assert decode("OOO-OOO") == 0  # letter O read as zero
    # 32^4 + 32^3 = 1081344 = 37*29225 + 19: symbols 1, 1, 0, 0, 0 and check K
    assert encode(1081344) == "110-00K"
    assert decode("iL0-00k") == 1081344  # I and L read as one


def test_every_single_typo_and_neighbour_swap_is_caught():
    code = "15NM7S"
    symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for i, c in enumerate(code[:5]):
        for other in symbols:
            if other != c:
                typo = code[:i] + other + code[i + 1:]
                with pytest.raises(PatientCodeError):
                    decode(typo)
    for i in range(4):
        a, b = code[i], code[i + 1]
        if a != b:
            with pytest.raises(PatientCodeError):
                decode(code[:i] + b + a + code[i + 2:])
    for short in ("15NM7", "15NM7SS", ""):
        if short:
            with pytest.raises(PatientCodeError, match="six letters and digits"):
                decode(short)


@pytest.mark.parametrize("text,why", [
    ("15N-M7!", "not used in patient codes"),
    ("15U-M7S", "not used in patient codes"),  # U is only a check symbol
    ("x" * 100, "six letters and digits"),
])
def test_bad_codes_say_what_is_wrong(text, why):
    with pytest.raises(PatientCodeError, match=why):
        decode(text)


@pytest.mark.parametrize("seed", [-1, MAX_CODE_SEED + 1, True, "5"])
def test_only_seeds_a_code_can_hold(seed):
    with pytest.raises(ValueError):
        encode(seed)


def test_printable_codes_are_letters_and_digits():
    assert is_printable_code(1234567)  # check S
    assert not is_printable_code(32)  # check symbol 32 is "*"
    assert not is_printable_code(35)  # "="
    assert is_printable_code(36)  # "U" is a letter
    assert not is_printable_code(MAX_CODE_SEED + 1)
