import pytest

from ..conftest import CHROMIUM_FLAGS  # noqa: F401  (launch flags live with the shared fixtures)


@pytest.fixture
def login(page, live_server):
    """Log in through the real login form."""

    def login_as(username: str, password: str = "demo12345"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return login_as
