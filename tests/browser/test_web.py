"""Browser tests of the back-office web pages (issue 7), in headless Chromium via Selenium.

Run by scripts/browser-test.sh, which starts a real imprimatur-server on 127.0.0.1 with a fresh
data folder, demo users (passwords below) and the demo history, and passes its address in
IMPRIMATUR_WEB. Screenshots go to IMPRIMATUR_SCREENSHOTS (docs/screenshots by default).
"""
import os
import re
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ.get("IMPRIMATUR_WEB", "http://127.0.0.1:8080")
SHOTS = os.environ.get("IMPRIMATUR_SCREENSHOTS", os.path.join(os.path.dirname(__file__), "..", "..", "docs", "screenshots"))
PASSWORDS = {"ada": "ada-demo-pw", "arthur": "arthur-demo-pw", "aude": "aude-demo-pw", "alice": "alice-demo-pw", "bob": "bob-demo-pw", "eve": "eve-demo-pw"}


def new_browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    return driver


def gone(element):
    """A wait condition: `element`'s page was replaced (Chromium may say so in two ways)."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return check


class WebTestCase(unittest.TestCase):
    def setUp(self):
        self.driver = new_browser()

    def tearDown(self):
        self.driver.quit()

    # Helpers

    def open(self, path):
        self.driver.get(BASE + path)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def login(self, user, password=None):
        self.open("/web/login")
        self.driver.find_element(By.ID, "user").clear()
        self.driver.find_element(By.ID, "user").send_keys(user)
        self.driver.find_element(By.ID, "password").send_keys(password if password is not None else PASSWORDS[user])
        button = self.driver.find_element(By.ID, "login")
        button.click()
        # Wait for the answer page (a new document) before doing anything else.
        WebDriverWait(self.driver, 30).until(gone(button))

    def logout(self):
        button = self.driver.find_element(By.ID, "logout")
        button.click()
        WebDriverWait(self.driver, 30).until(gone(button))
        WebDriverWait(self.driver, 30).until(EC.presence_of_element_located((By.ID, "login-form")))

    def submit(self, element):
        """Clicks a submit button and waits for the page it leads to."""
        element.click()
        WebDriverWait(self.driver, 30).until(gone(element))

    def wait_text(self, fragment):
        WebDriverWait(self.driver, 30, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: fragment in d.find_element(By.TAG_NAME, "body").text)

    def fetch(self, path):
        """GET with this browser's cookies (for CSV and status checks); returns (status, text, headers)."""
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(BASE + path, headers={"Cookie": cookies})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", errors="replace"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace"), dict(error.headers)

    def screenshot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        height = self.driver.execute_script("return Math.min(document.body.scrollHeight, 1800)")
        self.driver.set_window_size(1280, max(700, height))
        self.driver.save_screenshot(os.path.join(SHOTS, name + ".png"))
        self.driver.set_window_size(1280, 1000)


class LoginTests(WebTestCase):
    def test_login_logout_and_lockout(self):
        self.login("alice")
        self.wait_text("Alice Employee")
        self.assertIn("Dashboard", self.driver.title)
        self.logout()
        # Five wrong passwords lock the account; then even the right one is refused.
        for attempt in range(4):
            self.login("eve", f"wrong-{attempt}")
            self.wait_text("Wrong user or password")
        self.login("eve", "wrong-4")
        self.wait_text("Locked: too many wrong passwords for this account")
        self.login("eve")
        self.wait_text("Locked")
        self.assertIn("/web/login", self.driver.current_url)
        # The lockout is in the auditor's security events.
        self.login("aude")
        self.open("/web/audit/security?q=lockout")
        self.wait_text("web login lockout")

    def test_a_page_without_a_session_goes_to_login(self):
        self.open("/web/inbox")
        self.assertIn("/web/login?next=", self.driver.current_url)
        # Log in on that very page: it sends you back where you were going.
        self.driver.find_element(By.ID, "user").send_keys("arthur")
        self.driver.find_element(By.ID, "password").send_keys(PASSWORDS["arthur"])
        self.submit(self.driver.find_element(By.ID, "login"))
        self.assertTrue(self.driver.current_url.endswith("/web/inbox"), self.driver.current_url)
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, "Approval inbox")


class SealTests(WebTestCase):
    def test_employee_applies_and_approver_approves(self):
        self.login("alice")
        self.open("/web/applications")
        Select(self.driver.find_element(By.ID, "apply-seal")).select_by_value("demo-seal")
        self.driver.find_element(By.ID, "apply-reason").send_keys("Browser test: stamp the lease")
        uses = self.driver.find_element(By.ID, "apply-uses")
        uses.clear()
        uses.send_keys("2")
        self.driver.find_element(By.ID, "apply-approvers").send_keys("arthur")
        self.submit(self.driver.find_element(By.ID, "apply-submit"))
        self.wait_text("sent to arthur")
        application_url = self.driver.current_url.split("?")[0]
        application_id = application_url.rsplit("/", 1)[1]
        self.assertIn("pending", self.driver.find_element(By.ID, "application-status").text)
        self.logout()

        self.login("arthur")
        self.open("/web/inbox")
        self.wait_text(application_id)
        self.screenshot("approval-inbox")
        self.submit(self.driver.find_element(By.LINK_TEXT, application_id))
        self.submit(self.driver.find_element(By.ID, "approve"))
        self.wait_text("Done: the application is now approved")
        self.assertEqual(self.driver.find_element(By.ID, "application-status").text, "approved")
        self.logout()

        self.login("alice")
        self.driver.get(application_url)
        self.assertEqual(self.driver.find_element(By.ID, "application-status").text, "approved")
        timeline = self.driver.find_element(By.ID, "timeline").text
        self.assertIn("submitted", timeline)
        self.assertIn("approved by user:arthur", timeline)


class SplitTests(WebTestCase):
    def test_payer_approves_a_split_share(self):
        self.login("alice")
        self.open("/web/shares")
        share = self.driver.find_element(By.CSS_SELECTOR, "article.share")
        self.assertIn("requesting", share.find_element(By.CLASS_NAME, "share-state").text)
        share_id = share.get_attribute("id")
        share.find_element(By.CLASS_NAME, "share-pin").send_keys("1234")
        self.submit(share.find_element(By.CLASS_NAME, "share-authenticate"))
        self.wait_text("PIN accepted")
        share = self.driver.find_element(By.ID, share_id)
        self.submit(share.find_element(By.CLASS_NAME, "share-approve"))
        self.wait_text("You approved your share")
        self.assertEqual(self.driver.find_element(By.ID, share_id).find_element(By.CLASS_NAME, "share-state").text, "approved")

    def test_a_wrong_pin_is_refused(self):
        self.login("bob")
        self.open("/web/shares")
        share = self.driver.find_element(By.CSS_SELECTOR, "article.share")
        share.find_element(By.CLASS_NAME, "share-pin").send_keys("0000")
        self.submit(share.find_element(By.CLASS_NAME, "share-authenticate"))
        self.wait_text("Not done")
        self.assertEqual(self.driver.find_elements(By.CLASS_NAME, "share-approve"), [])


class MoneyTests(WebTestCase):
    def remaining(self):
        self.open("/web/me")
        return self.driver.find_element(By.ID, "balance-remaining").text

    def test_administrator_tops_up_and_the_user_sees_it(self):
        self.login("bob")
        before = self.remaining()
        self.logout()
        self.login("ada")
        self.open("/web/admin/users/bob")
        self.driver.find_element(By.ID, "payment-amount").send_keys("500")
        self.submit(self.driver.find_element(By.ID, "payment-submit"))
        self.wait_text("Payment of 5.00 EUR recorded")
        self.logout()
        self.login("bob")
        after = self.remaining()
        amount = lambda text: float(text.split()[0])
        self.assertAlmostEqual(amount(after) - amount(before), 5.00, places=2, msg=f"{before} -> {after}")

    def test_bill_page_shows_its_verification(self):
        self.login("alice")
        self.open("/web/bills")
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "table.data tbody a"))
        self.assertEqual(self.driver.find_element(By.ID, "bill-verdict").text, "VERIFIED")
        self.screenshot("bill")


class AuditorTests(WebTestCase):
    def test_auditor_opens_copied_content_and_an_employee_is_refused(self):
        self.login("aude")
        self.open("/web/audit/jobs?sort=ended&dir=desc")
        links = [a.get_attribute("href") for a in self.driver.find_elements(By.CSS_SELECTOR, "table.data tbody a")]
        job_url = None
        for link in links[:5]:
            self.driver.get(link)
            if self.driver.find_elements(By.CSS_SELECTOR, "img.content-page"):
                job_url = link
                break
        self.assertIsNotNone(job_url, "no job with copied content among the newest")
        image = self.driver.find_element(By.CSS_SELECTOR, "img.content-page")
        WebDriverWait(self.driver, 20).until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image))
        image_url = image.get_attribute("src")
        self.assertEqual(self.fetch(image_url.replace(BASE, ""))[0], 200)
        self.logout()

        self.login("alice")
        self.driver.get(job_url)
        self.assertIn("this page is for the role auditor", self.text())
        status, body, _ = self.fetch(job_url.replace(BASE, ""))
        self.assertEqual(status, 403)
        status, body, _ = self.fetch(image_url.replace(BASE, ""))
        self.assertEqual(status, 403)
        self.assertIn("only auditors", body)

    def test_csv_export_honours_the_filter(self):
        self.login("aude")
        self.open("/web/audit/jobs")
        box = self.driver.find_element(By.NAME, "q")
        box.send_keys("bob" + Keys.ENTER)
        WebDriverWait(self.driver, 30).until(EC.url_contains("q=bob"))
        WebDriverWait(self.driver, 30, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: re.search(r"(\d+) row\(s\)", d.find_element(By.TAG_NAME, "body").text))
        shown = int(re.search(r"(\d+) row\(s\)", self.text()).group(1))
        self.assertGreater(shown, 0)
        link = self.driver.find_element(By.ID, "csv-link").get_attribute("href")
        self.assertIn("q=bob", link)
        status, body, headers = self.fetch(link.replace(BASE, ""))
        self.assertEqual(status, 200)
        self.assertTrue(headers.get("Content-Type", "").startswith("text/csv"))
        lines = [line for line in body.split("\r\n") if line]
        self.assertEqual(lines[0], "Job,Ended,User,Device,Paper,Colour,Pages,Copies")
        self.assertEqual(len(lines) - 1, shown)
        self.assertTrue(all(",bob," in line for line in lines[1:]))

    def test_audit_log_verifies_its_chain(self):
        self.login("aude")
        self.open("/web/audit/log")
        self.submit(self.driver.find_element(By.ID, "verify-chain"))
        self.assertIn("intact", self.driver.find_element(By.ID, "chain-result").text)

    def test_dashboard_and_use_chart(self):
        self.login("aude")
        self.wait_text("Devices needing attention")
        self.assertIn("demo-archive", self.driver.find_element(By.ID, "dash-devices").text)
        self.assertTrue(self.driver.find_elements(By.CSS_SELECTOR, "#dash-chart svg rect.bar"))
        self.screenshot("dashboard")
        self.open("/web/usage?by=user&range=month")
        bars = self.driver.find_elements(By.CSS_SELECTOR, "#usage-chart svg rect.bar")
        self.assertEqual(len(bars), 30)
        self.assertGreater(int(self.driver.find_element(By.ID, "usage-total").text), 0)
        self.screenshot("use-chart")


class CSRFTests(WebTestCase):
    def test_a_form_without_its_csrf_token_is_refused(self):
        self.login("ada")
        self.open("/web/admin/prices")
        form = self.driver.find_element(By.CSS_SELECTOR, "form[method='post'][action='/web/admin/prices']")
        form.find_element(By.NAME, "price").send_keys("77")
        self.driver.execute_script("arguments[0].querySelector('input[name=csrf]').remove()", form)
        self.submit(form.find_element(By.CSS_SELECTOR, "button"))
        self.wait_text("CSRF")
        self.assertIn("403", self.driver.title)
        self.open("/web/admin/prices")
        self.assertNotIn("0.77", self.text())

    def test_an_employee_gets_403_on_an_admin_page(self):
        self.login("alice")
        self.open("/web/admin/users")
        self.assertIn("403", self.driver.title)
        self.assertIn("this page is for the role administrator", self.text())


if __name__ == "__main__":
    unittest.main()
