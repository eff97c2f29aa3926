"""A student's patient code: six characters on the handout that name their virtual patient.

A student meets their own patient by typing the code printed on their handout (such as ``15N-M7S``) into
the patient picker of the exam simulator, the pathway walk or the case study, in JupyterLab or in
the Lite site; no ten-digit seed is copied, and nothing leaves the student's machine.

The code is the patient's seed written in **Crockford's Base32** (https://www.crockford.com/base32.html):
five symbols of ``0123456789ABCDEFGHJKMNPQRSTVWXYZ`` (no I, L, O or U, so nothing reads as
another), then Crockford's **check symbol**, the seed modulo 37 (``*~$=U`` stand for 32 to 36).
Typing is forgiving where Crockford says to be: lower case is read as upper case, ``I`` and ``L``
as ``1``, ``O`` as ``0``; hyphens and spaces are ignored. The check symbol catches every single
mistyped symbol and every swap of two neighbouring symbols (37 is a prime that divides neither a
symbol's weight nor the difference of two neighbouring weights), and a dropped or extra symbol
changes the length. Five symbols hold seeds up to 32**5 - 1; a class's student seeds are drawn
below that (:mod:`spasm_lib.class_mix`), and those also avoid the four punctuation check symbols,
so a printed code is letters and digits only.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
SYMBOLS = 5
"""Symbols before the check symbol."""
MAX_CODE_SEED = len(ALPHABET) ** SYMBOLS - 1
"""The largest seed a code can hold (33,554,431)."""
_READ_AS = {"I": "1", "L": "1", "O": "0"}
EXAMPLE = "15N-M7S"
"""What a code looks like, for placeholders and messages (a valid code)."""


class PatientCodeError(ValueError):
    """A code that cannot be read: the message says what is wrong and what a code looks like."""


def encode(seed: int) -> str:
    """The code of a seed, as printed: three symbols, a hyphen, two symbols and the check symbol."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_CODE_SEED:
        raise ValueError(f"a patient code holds a seed from 0 to {MAX_CODE_SEED}; got {seed!r}")
    symbols = ""
    rest = seed
    for _ in range(SYMBOLS):
        rest, digit = divmod(rest, len(ALPHABET))
        symbols = ALPHABET[digit] + symbols
    code = symbols + CHECK_SYMBOLS[seed % len(CHECK_SYMBOLS)]
    return f"{code[:3]}-{code[3:]}"


def decode(text: str) -> int:
    """The seed of a typed code; :class:`PatientCodeError` when it cannot be the code of any patient."""
    if not isinstance(text, str) or len(text) > 40:
        raise PatientCodeError(f"a patient code is six letters and digits, such as {EXAMPLE}")
    cleaned = "".join(_READ_AS.get(c, c) for c in text.upper() if c not in "- \t")
    if len(cleaned) != SYMBOLS + 1:
        raise PatientCodeError(
            f"a patient code has six letters and digits (such as {EXAMPLE}); this one has {len(cleaned)}")
    wrong = [c for c in cleaned[:SYMBOLS] if c not in ALPHABET] + [c for c in cleaned[SYMBOLS:] if c not in CHECK_SYMBOLS]
    if wrong:
        shown = wrong[0] if wrong[0].isprintable() else "?"
        raise PatientCodeError(f"'{shown}' is not used in patient codes; check the code on your handout")
    seed = 0
    for c in cleaned[:SYMBOLS]:
        seed = seed * len(ALPHABET) + ALPHABET.index(c)
    if CHECK_SYMBOLS[seed % len(CHECK_SYMBOLS)] != cleaned[SYMBOLS]:
        raise PatientCodeError("this code has a typing mistake (its last character does not match); "
                               "check it against your handout")
    return seed


def is_printable_code(seed: int) -> bool:
    """Whether a seed has a code of letters and digits only (its check symbol is not punctuation)."""
    return 0 <= seed <= MAX_CODE_SEED and CHECK_SYMBOLS[seed % len(CHECK_SYMBOLS)].isalnum()
