"""Words and numbers typed by people, checked one way everywhere before they are stored.

- Control characters (C0, DEL and C1, Unicode category Cc) and lone surrogates are **refused** with a
  message, never silently dropped: PostgreSQL cannot store a NUL, and the rest are never typed on purpose,
  so their presence means a paste went wrong or someone is probing. Tab, line feed and carriage return are
  allowed in multi-line text only.
- Harmless changes are made quietly: surrounding whitespace is stripped, and in multi-line text a Windows
  line break (CR LF, which browsers send from a textarea) becomes one line feed, so the length counted
  here is the length the browser's `maxlength` counted.
- Every free-text field has a limit, checked here in the service (a form's own limit is only the first
  line of defence) and shown to the person: `maxlength` on the field and `limit_hint()` beside it.
- Whole numbers come only from ASCII digits (no "²", "٥" or full-width digits) and within a range, so a
  5,000-digit number is refused before Python tries to read it.
"""

import re
import unicodedata

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Tab, line feed, carriage return: allowed in multi-line text.
_LINE_CONTROLS = frozenset("\t\n\r")
_ASCII_INT = re.compile(r"-?[0-9]{1,18}")


class TextError(ValueError):
    """Text or a number that can't be stored; `str()` is the message for the person (translated)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


def control_characters(value: str, *, multiline: bool) -> bool:
    """Whether `value` holds a character that is refused: a control character other than tab and line
    breaks in multi-line text, or a lone surrogate (which no database encoding can store)."""
    allowed = _LINE_CONTROLS if multiline else frozenset()
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in value)


def control_message() -> str:
    return _(
        "This has characters that can't be saved (control characters such as NUL). Please type it again."
    )


def length_message(max_length: int) -> str:
    return _("Please keep this to %(n)s characters or fewer.") % {
        "n": number_format(max_length, force_grouping=True)
    }


def limit_hint(max_length: int) -> str:
    """The limit in words, for beside the field: "Up to 2,000 characters." (grouped per language)."""
    return _("Up to %(n)s characters.") % {"n": number_format(max_length, force_grouping=True)}


def clean_text(value: object, *, max_length: int, multiline: bool = False) -> str:
    """The text to store, stripped (and in multi-line text with CR LF as LF), or TextError. An empty
    result is returned as "": whether a field may be empty is the caller's rule."""
    if not isinstance(value, str):
        raise TextError(_("Please write this as text."), code="type")
    text = value.replace("\r\n", "\n").strip() if multiline else value.strip()
    if control_characters(text, multiline=multiline):
        raise TextError(control_message(), code="control")
    if len(text) > max_length:
        raise TextError(length_message(max_length), code="length")
    return text


def clean_int(value: object, *, minimum: int, maximum: int) -> int:
    """A whole number written in ASCII digits (an optional leading minus, surrounding spaces ignored)
    from `minimum` to `maximum`, or TextError. Ints pass through the same range check."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TextError(_("Enter a whole number."), code="type")
    if isinstance(value, str):
        text = value.strip()
        if not _ASCII_INT.fullmatch(text):
            raise TextError(_("Enter a whole number in the digits 0 to 9."), code="digits")
        value = int(text)
    if not minimum <= value <= maximum:
        raise TextError(
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": minimum, "high": maximum},
            code="range",
        )
    return value
