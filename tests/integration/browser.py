"""Debian's chromium, headless, driven by python3-selenium through Debian's chromium-driver
(scripts/deps.sh test installs the three; nothing is downloaded at test time), for the tests of
the web page (issue 17). Every page the browser opens is on 127.0.0.1."""
import base64
import hashlib
import hmac
import os
import secrets
import shutil
import tempfile

from harness import DaemonTestCase
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("SEEDD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SEEDD_CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP = (1280, 900)
PHONE = (390, 844)


def rpc_auth_entry(user, password, scope=None):
    """An rpc_auth line as `seedctl rpcauth` makes it: user:salt$hex(HMAC-SHA256(salt, password))."""
    salt = secrets.token_hex(16)
    mac = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return f"{user}:{salt}${mac}" + (f":{scope}" if scope else "")


def screenshot_dir():
    """Where screenshots go: SEEDD_WEB_SCREENSHOTS (docs/web/ when the docs are refreshed), else a
    scratch directory, so a test run never changes the source tree."""
    return os.environ.get("SEEDD_WEB_SCREENSHOTS") or tempfile.mkdtemp(prefix="screens-")


class Browser:
    def __init__(self, size=DESKTOP):
        if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
            raise RuntimeError(f"{CHROMIUM} or {CHROMEDRIVER} missing: run scripts/deps.sh test")
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--no-first-run", "--disable-extensions", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-default-apps",
                  "--metrics-recording-only", "--no-default-browser-check", "--password-store=basic",
                  f"--user-data-dir={self.profile}", f"--window-size={size[0]},{size[1]}"):
            opts.add_argument(a)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_page_load_timeout(30)
        self.shots = screenshot_dir()

    def record_websockets(self):
        """From the next page load on, keeps every WebSocket the page opens in window.__sockets,
        each with the messages it received in .__got (the test's instrument, injected through
        DevTools; the page itself has no hook for it)."""
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
            window.__sockets = [];
            const Real = window.WebSocket;
            window.WebSocket = function (...args) {
              const s = new Real(...args);
              s.__got = [];
              s.addEventListener('message', (m) => s.__got.push(m.data));
              window.__sockets.push(s);
              return s;
            };
            window.WebSocket.prototype = Real.prototype;"""})

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def get(self, url):
        self.driver.get(url)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, predicate, timeout=30, what="condition"):
        """Polls `predicate(driver)` until it returns something true; returns that. An element
        the page re-rendered between finding it and reading it is stale: the next poll finds the
        new one."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(predicate)
        except TimeoutException:
            raise AssertionError(f"browser: timed out after {timeout}s waiting for {what}; page text:\n"
                                 f"{self.driver.find_element(By.TAG_NAME, 'body').text[:2000]}") from None

    def wait_visible(self, css, timeout=30):
        return self.wait(lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()), None),
                         timeout, f"{css} to show")

    def wait_text(self, css, text, timeout=30):
        """Waits until the element at `css` shows `text` (a substring); returns its text."""
        def has(d):
            for e in d.find_elements(By.CSS_SELECTOR, css):
                if text in e.text:
                    return e.text
            return None
        return self.wait(has, timeout, f"{css} to say {text!r}")

    def type(self, css, text):
        e = self.find(css)
        e.clear()
        e.send_keys(text)

    def click(self, css):
        self.wait_visible(css).click()

    def login(self, base, user, password):
        self.get(f"{base}/ui/")
        self.wait_visible("#login-form")
        self.type("#login-user", user)
        self.type("#login-password", password)
        self.click("#login-submit")

    def session_csrf(self):
        """The CSRF token the page holds, read as the page reads it (GET /ui/session)."""
        return self.js("const r = await fetch('/ui/session'); return (await r.json()).csrf;")

    def rpc_from_page(self, method, params, csrf=None):
        """A JSON-RPC call made by the page's own origin with its session cookie; returns
        {status, body}."""
        return self.js("""
            const [method, params, csrf] = arguments;
            const r = await fetch('/rpc', {method: 'POST', headers: {'Content-Type': 'application/json',
                'X-CSRF-Token': csrf}, body: JSON.stringify({jsonrpc: '2.0', id: 1, method, params})});
            return {status: r.status, body: await r.json()};""", method, params, csrf or self.session_csrf())

    def console_errors(self):
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]

    def screenshot(self, name):
        path = os.path.join(self.shots, f"{name}.png")
        self.driver.save_screenshot(path)
        return path

    # The table redraws its rows on every update: read and click them in one step in the page,
    # or an element found a moment before may be gone (stale).
    def row(self, info_hash):
        """The row's text, or None while it is not drawn."""
        return self.js("const r = document.querySelector(`#torrent-rows .row[data-hash='${arguments[0]}']`);"
                       "return r ? r.textContent : null;", info_hash)

    def row_state(self, info_hash):
        return self.js("const r = document.querySelector(`#torrent-rows .row[data-hash='${arguments[0]}'] .c-state`);"
                       "return r ? r.textContent : null;", info_hash)

    def click_row(self, info_hash):
        self.wait(lambda _: self.js("const r = document.querySelector(`#torrent-rows .row[data-hash='${arguments[0]}']`);"
                                    "if (r) r.click(); return !!r;", info_hash), 10, f"the row of {info_hash}")

    def filter_name(self, text):
        self.type("#filter-name", text)


class BrowserTestCase(DaemonTestCase):
    """A test case with daemons and at most one browser (self.browser), all stopped afterwards."""

    def setUp(self):
        super().setUp()
        self.browser = None

    def tearDown(self):
        if self.browser:
            self.browser.quit()
        super().tearDown()


def b64(data):
    return base64.b64encode(data).decode()
