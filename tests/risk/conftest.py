# The browser fixtures live with the browser suite; the flag inbox's browser tests use them from here.
from tests.browser.conftest import browser, page, phone_page  # noqa: F401
