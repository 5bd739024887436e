import time
import pytest

@pytest.mark.browser
def test_probe(demo, browser):
    ctx = browser.new_context(locale="fi-FI")
    page = ctx.new_page()
    page.on("response", lambda r: print("RESP", r.status, r.url))
    page.on("console", lambda m: print("CONSOLE", m.type, m.text, m.location))
    r = page.goto(demo.url + "/accounts/login/")
    page.fill("#id_username", "projektitoimisto")
    page.fill("#id_password", "Allianssi-demo-2026")
    page.click("main form button[type=submit]")
    print(page.url, page.title())
