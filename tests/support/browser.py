"""Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, for the web chat's tests.

`make browser` installs both and the CJK fonts; a machine without them FAILS these tests
(`missing_browser()` says what to install), it never skips them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CJK_FONT_DIR = Path("/usr/share/fonts/opentype/noto")
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
"""A phone (portrait): its viewport in CSS pixels, as Chrome's device emulation takes it."""
DESKTOP = (1100, 900)
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
)
"""Without the background-networking flags Chromium calls out to the internet, which this machine refuses."""
TURN_S = 30.0


def missing_browser() -> str | None:
    """What is missing for the browser tests (None when everything is installed)."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    if not any(CJK_FONT_DIR.glob("NotoSansCJK*")):
        missing.append("fonts-noto-cjk")
    if missing:
        return f"missing {', '.join(missing)}: run `make browser` (apt-get install chromium chromium-driver fonts-noto-cjk)"
    return None


@contextmanager
def chromium(*, phone: bool = False) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium (own profile directory): a desktop window, or a phone's screen and touch."""
    problem = missing_browser()
    if problem:
        raise RuntimeError(problem)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        if phone:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
            driver.execute_cdp_cmd(
                "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}
            )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ---- driving the chat page ----


def wait(driver: WebDriver, found: Callable[[], Any], timeout: float = TURN_S) -> Any:
    """Poll `found` until it is truthy; an element the page re-rendered meanwhile is simply read again."""
    return WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    ).until(lambda _driver: found())


def bubbles(driver: WebDriver, who: str = "bot") -> list[str]:
    """The texts of `who`'s message bubbles, read in one go (the page may re-render the list at any time)."""
    texts: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map((item) => item.innerText);",
        f".msg.from-{who} .msg-bubble",
    )
    return [text.strip() for text in texts]


def open_chat(driver: WebDriver, url: str) -> None:
    driver.get(f"{url}/chat")
    wait(driver, lambda: bubbles(driver))


def say(driver: WebDriver, text: str) -> list[str]:
    """Type `text`, press Enter, and return the bot's messages that answered it."""
    bot_before = len(bubbles(driver))
    before = bot_before + len(bubbles(driver, "agent"))
    box = driver.find_element(By.ID, "chat-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    wait(driver, lambda: len(bubbles(driver)) + len(bubbles(driver, "agent")) > before)
    wait(driver, lambda: not driver.find_element(By.ID, "chat-typing").is_displayed())
    return bubbles(driver)[bot_before:]
