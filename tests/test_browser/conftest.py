"""Browser tests: the distribution's Chromium (``chromium`` and ``chromium-driver``, Debian packages)
driven by Selenium against a live server of the test database, at the two office screen sizes.

Nothing is downloaded at run time: the driver is ``/usr/bin/chromedriver`` (or ``CHROMEDRIVER``).
Tenant hosts are ``<slug>.localhost``, which Chromium resolves to the loopback address by itself.
Each test saves screenshots under ``var/test-screenshots/`` (``SCREENSHOT_DIR`` to change it).
The data the browser sees is committed (the server runs in another thread with its own connection):
a municipality of its own, created for the module and dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.conftest import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "test-screenshots"))
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
PAGE_TIMEOUT = 20  # seconds a page or an element may take


def chromedriver_path() -> str | None:
    return os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


if not (chromedriver_path() and chromium_path()):  # CI installs them (.ci/run); say so rather than skip quietly
    pytest.fail("Browser tests need Chromium and its driver: apt-get install chromium chromium-driver",
                pytrace=False)


@pytest.fixture(scope="module")
def live_url(django_db_setup, django_db_blocker):
    """A live server of the test database on 127.0.0.1; yields ``url(host, path)``."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait(timeout=PAGE_TIMEOUT)
        if thread.error:
            raise thread.error
        try:
            yield lambda host, path="/": f"http://{host}:{thread.port}{path}"
        finally:
            thread.terminate()


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    """A municipality of the browser tests with the appeals demo data and an appeals officer."""
    from gorodok_platform.accounts.services import staff_user_create
    from gorodok_services.appeals.demo import seed_demo_appeals
    from gorodok_services.appeals.module import APPEALS_OFFICER
    from gorodok_tenants.models import Domain, Municipality
    from gorodok_tenants.provisioning.municipalities import MunicipalitySpec, host_for, municipality_create

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        municipality = Municipality.objects.filter(slug="browser").first() or municipality_create(
            spec=MunicipalitySpec(name="Черногорск-тест", name_en="Browser town", slug="browser", oktmo="95000099"))
        email = "officer@browser.example.ru"
        with schema_context(municipality.schema_name):
            from gorodok_platform.accounts.models import User

            if not User.objects.filter(email=email).exists():
                staff_user_create(email=email, password=ADMIN_PASSWORD, roles=[APPEALS_OFFICER])
            seed_demo_appeals(count=24, seed=15)
        connection.set_schema_to_public()
        try:
            yield {"municipality": municipality, "host": host_for("browser"), "email": email}
        finally:
            connection.set_schema_to_public()
            Domain.objects.filter(tenant=municipality).delete()
            municipality.delete(force_drop=True)


@pytest.fixture(params=list(SIZES), scope="module")
def browser(request, tmp_path_factory):
    """Headless Chromium at one of the office screen sizes (the window's inner size is that size)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    width, height = SIZES[request.param]
    downloads = tmp_path_factory.mktemp(f"downloads-{request.param}")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--lang=ru-RU", f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "intl.accept_languages": "ru-RU,ru"})
    driver = webdriver.Chrome(service=Service(chromedriver_path()), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    # The viewport, not the window, is the screen size: a browser's frame is not part of the page.
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
    driver.size_name = request.param
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}-{driver.size_name}.png"
    driver.save_screenshot(str(path))
    return path


def sign_in(driver, url: str, email: str, password: str = ADMIN_PASSWORD) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(url)
    WebDriverWait(driver, PAGE_TIMEOUT).until(ec.presence_of_element_located((By.NAME, "username")))
    driver.find_element(By.NAME, "username").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    WebDriverWait(driver, PAGE_TIMEOUT).until(ec.invisibility_of_element_located((By.NAME, "password")))
