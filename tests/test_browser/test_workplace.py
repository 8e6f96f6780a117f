"""The clerk's workplace and the committee's console in a real browser, at 1366×768 and 1920×1080."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.test_browser.conftest import PAGE_TIMEOUT, screenshot, sign_in

pytestmark = pytest.mark.browser


def wait_for(driver, css: str):
    return WebDriverWait(driver, PAGE_TIMEOUT).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def no_horizontal_scroll(driver) -> bool:
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def fully_in_view(driver, element) -> bool:
    """Shown, and its box inside the viewport horizontally (no scrolling needed to read it)."""
    return element.is_displayed() and driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth;", element)


def chart_drawn(driver) -> bool:
    """Every chart's canvas has a size and some pixels drawn (Chart.js ran under the page's CSP)."""
    return driver.execute_script(
        "const charts = [...document.querySelectorAll('canvas.chart')];"
        "return charts.length > 0 && charts.every(c => {"
        "  if (!c.width || !c.height) return false;"
        "  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "  for (let i = 3; i < d.length; i += 4) { if (d[i]) return true; } return false; });")


def column_header(driver, field: str):
    return driver.find_element(By.CSS_SELECTOR, f"#result_list thead th.column-{field}")


def test_back_office_clerk_day(browser, live_url, town):
    host = town["host"]
    sign_in(browser, live_url(host, "/admin/login/?next=/admin/"), town["email"])

    # The first page: what is due, with counts and links, and the charts with their tables.
    wait_for(browser, ".gorodok-items")
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: chart_drawn(d))
    assert town["municipality"].name in browser.find_element(By.TAG_NAME, "body").text
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".gorodok-item .gorodok-label")]
    assert labels == ["Мои обращения", "Срок на этой неделе", "Просрочено", "Не назначены"], labels
    assert browser.find_elements(By.CSS_SELECTOR, ".gorodok-chart-table tbody tr")
    screenshot(browser, "back-office-first-page")

    # The queue: rows with status, due date and executor visible without scrolling sideways.
    browser.find_element(By.PARTIAL_LINK_TEXT, "Все обращения").click()
    wait_for(browser, "#result_list tbody tr")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) >= 10
    for field in ("number", "subject", "status", "due", "executor"):
        assert fully_in_view(browser, column_header(browser, field)), field
    first_row_cells = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr:first-child td")
    assert all(fully_in_view(browser, cell) for cell in first_row_cells if cell.is_displayed())
    assert no_horizontal_scroll(browser)
    screenshot(browser, "back-office-queue")

    # An appeal at work: open the unassigned queue's first one and assign it through its form.
    browser.get(live_url(host, "/admin/appeals/appeal/?queue=unassigned&status__exact=registered"))
    wait_for(browser, "#result_list tbody tr")
    browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr:first-child th a, "
                                          "#result_list tbody tr:first-child td.field-number a").click()
    action = wait_for(browser, "a.appeal-action[href$='/act/assign/']")
    title = browser.find_element(By.TAG_NAME, "h1").text
    assert fully_in_view(browser, action)
    assert no_horizontal_scroll(browser)
    screenshot(browser, "back-office-appeal")
    action.click()
    executor = Select(wait_for(browser, "select[name=executor]"))
    executor.select_by_visible_text(town["email"])
    screenshot(browser, "back-office-assign")
    browser.find_element(By.CSS_SELECTOR, "#content-main form input[type=submit]").click()
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: "/act/" not in d.current_url)
    screenshot(browser, "back-office-assigned")
    assert "Обращение передано исполнителю" in browser.find_element(By.TAG_NAME, "body").text
    assert title.split()[0] in browser.find_element(By.TAG_NAME, "body").text
    browser.get(live_url(host, "/admin/appeals/appeal/?queue=mine"))
    wait_for(browser, "#result_list tbody tr")
    assert town["email"] in browser.find_element(By.CSS_SELECTOR, "#result_list tbody").text

    # The statistics page: a period, the summary, and the XLSX download.
    browser.get(live_url(host, "/admin/appeals/appeal/statistics/"))
    wait_for(browser, ".gorodok-stats-table")
    assert "Обращений поступило" in browser.find_element(By.TAG_NAME, "body").text or \
        "поступило" in browser.find_element(By.TAG_NAME, "body").text
    screenshot(browser, "back-office-statistics")
    # The download, fetched by the page itself with the signed-in session (what a click sends).
    download = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(document.getElementById('download-xlsx').href, {credentials: 'same-origin'})"
        ".then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-disposition'),"
        " [...new Uint8Array(b.slice(0, 2))]])))"
        ".catch(e => done([0, String(e), []]));")
    status, disposition, magic = download
    assert status == 200 and ".xlsx" in (disposition or ""), download
    assert bytes(magic) == b"PK"  # a zip: the workbook


def test_console_committee_day(browser, live_url, town, regional_admin, settings):
    settings.REQUIRE_REGIONAL_2FA = False  # the second factor has its own tests; here the pages are the point
    region = settings.REGION_DOMAIN
    sign_in(browser, live_url(region, "/admin/login/?next=/admin/"), regional_admin.email)

    wait_for(browser, "#attention")
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: chart_drawn(d))
    assert town["municipality"].name in browser.find_element(By.CSS_SELECTOR, ".gorodok-chart-table").text
    screenshot(browser, "console-first-page")

    browser.get(live_url(region, "/admin/gorodok_tenants/municipality/"))
    wait_for(browser, "#result_list tbody tr")
    screenshot(browser, "console-municipalities")
    headers = browser.find_elements(By.CSS_SELECTOR, "#result_list thead th")
    assert len(headers) >= 5
    for header in headers:
        assert fully_in_view(browser, header), header.text
    assert no_horizontal_scroll(browser)
    row_heights = browser.execute_script(
        "return [...document.querySelectorAll('#result_list tbody tr')].map(r => r.getBoundingClientRect().height)")
    assert max(row_heights) < 110, row_heights
