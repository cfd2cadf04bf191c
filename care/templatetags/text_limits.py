"""`{{ 2000|limit_hint }}` → "Up to 2,000 characters." beside a field whose `maxlength` is 2000: the same
words as care.text.limit_hint, in the page's language."""

from django import template

from care.text import limit_hint as _limit_hint

register = template.Library()


@register.filter
def limit_hint(max_length: int) -> str:
    return _limit_hint(int(max_length))
