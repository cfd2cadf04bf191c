"""care.text: the one check of typed words and numbers that every form's service uses."""

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from care.text import TextError, clean_int, clean_text, control_characters, limit_hint

CONTROLS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]]


@pytest.mark.parametrize("ch", CONTROLS)
def test_every_c0_c1_and_del_character_is_refused_with_a_message(ch):
    with pytest.raises(TextError) as refused:
        clean_text(f"a{ch}b", max_length=100, multiline=True)
    assert refused.value.code == "control"
    assert "characters that can't be saved" in str(refused.value)


def test_a_lone_surrogate_is_refused():
    with pytest.raises(TextError):
        clean_text("a\ud800b", max_length=100, multiline=True)


@pytest.mark.parametrize("ch", ["\t", "\n", "\r"])
def test_tabs_and_line_breaks_are_kept_in_multiline_text_and_refused_in_one_line(ch):
    assert clean_text(f"a{ch}b", max_length=100, multiline=True) == f"a{ch}b"
    with pytest.raises(TextError):
        clean_text(f"a{ch}b", max_length=100)


def test_harmless_changes_are_made_quietly():
    assert clean_text("  two\r\nlines  ", max_length=100, multiline=True) == "two\nlines"
    assert clean_text("   ", max_length=1) == ""


def test_the_limit_counts_a_windows_line_break_once_as_the_browser_does():
    assert clean_text("ab\r\ncd", max_length=5, multiline=True) == "ab\ncd"
    with pytest.raises(TextError) as refused:
        clean_text("x" * 2001, max_length=2000, multiline=True)
    assert refused.value.code == "length"
    assert "2,000 characters or fewer" in str(refused.value)


@pytest.mark.parametrize("value", [None, 5, b"bytes", ["list"]])
def test_anything_but_text_is_refused(value):
    with pytest.raises(TextError):
        clean_text(value, max_length=100)


@given(st.text())
def test_what_comes_back_is_storable_and_within_the_limit(value):
    try:
        text = clean_text(value, max_length=50, multiline=True)
    except TextError:
        return
    assert "\x00" not in text and len(text) <= 50 and not control_characters(text, multiline=True)


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0), ("15", 15), (" 42 ", 42), ("-3", -3), (7, 7), ("0009", 9)]
)
def test_whole_numbers_in_ascii_digits_within_the_range(value, expected):
    assert clean_int(value, minimum=-10, maximum=100) == expected


@pytest.mark.parametrize(
    "value",
    ["²", "٥", "５", "1.0", "1e3", "", " ", "1 0", "+1", "0x10", "5" * 5000, "101", "-11", True, 2.0, None],
)
def test_anything_else_is_not_a_whole_number(value):
    with pytest.raises(TextError):
        clean_int(value, minimum=-10, maximum=100)


def test_the_limit_is_shown_in_words_grouped_for_the_page_language():
    assert limit_hint(2000) == "Up to 2,000 characters."
    rendered = Template("{% load text_limits %}{{ 4000|limit_hint }}").render(Context())
    assert rendered == "Up to 4,000 characters."
    with translation.override("es"):
        assert "2\xa0000" in limit_hint(2000)  # Spanish groups thousands with a space


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password"),
    [("u" * 300, "x"), ("owner\x00", "x"), ("owner", "p" * 5000), ("owner", "a\x1bb")],
)
def test_sign_in_refuses_over_long_or_control_character_input_with_a_message(client, username, password):
    """Django's sign-in form only sets maxlength on the page; a 300-character username once reached the
    lockout records (255 characters) and gave a 500."""
    client.raise_request_exception = False
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


@pytest.mark.django_db
def test_sign_in_still_works(client, personas):
    user = personas["owner"].user
    user.set_password("a long passphrase with spaces ")
    user.save()
    response = client.post("/login/", {"username": "owner", "password": "a long passphrase with spaces "})
    assert response.status_code == 302
