"""The chat page in a real browser (headless Chromium) against the real bot, as a web user meets it.

Chromium, its driver and the CJK fonts come from Debian (`make browser`, which `make test` runs);
without them these tests fail, they are never skipped.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from bot.answers.catalog import Catalog
from bot.db import web_messages
from bot.db.engine import shared_session_factory
from bot.run import Stack
from bot.webchat import texts
from bot.webchat.outbox import Author, enqueue_web_message
from tests.reliability.replies import response_text
from tests.support.browser import bubbles, chromium, missing_browser, open_chat, say, wait

pytestmark = pytest.mark.servers

STORE = "dingtalk-cert-chat"


def test_the_browser_is_installed() -> None:
    """`make browser` installs Chromium, chromium-driver and fonts-noto-cjk; none may be missing."""
    assert missing_browser() is None


# ---- driving the page ----


def stored(driver: WebDriver) -> dict[str, Any]:
    return json.loads(driver.execute_script(f"return sessionStorage.getItem('{STORE}')"))


def conversation_of(driver: WebDriver) -> str:
    """The conversation the page's token names (every reconnect renews the token: same conversation)."""
    return "web:" + stored(driver)["token"].split(".")[0]


def queue(stack: Stack, conversation: str, text: str) -> str:
    with shared_session_factory(stack.settings.database_url)() as session, session.begin():
        return enqueue_web_message(session, conversation, text, author=Author.AGENT)


def undelivered(stack: Stack, conversation: str) -> list[str]:
    with shared_session_factory(stack.settings.database_url)() as session:
        return [message.text for message in web_messages.undelivered(session, conversation)]


def network_urls(driver: WebDriver) -> set[str]:
    """Every URL the browser fetched or opened a WebSocket to (Chrome's own chrome:// and data: aside)."""
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.add(message["params"]["url"])
    return {url for url in urls if urlsplit(url).scheme in ("http", "https", "ws", "wss")}


def console_errors(driver: WebDriver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def set_offline(driver: WebDriver, offline: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    conditions = {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)


GLYPHS = """
const font = getComputedStyle(document.querySelector(".msg-bubble")).font;
const draw = (text) => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const context = canvas.getContext("2d");
  context.font = font; context.fillStyle = "#000"; context.fillText(text, 4, 48);
  return canvas.toDataURL();
};
const blank = draw("");
return Array.from(arguments[0]).map((character) => draw(character)).concat([blank]);
"""
"""Each character drawn alone in the page's font: without a CJK font they all come out as the same box."""


# ---- the tests ----


def test_the_page_needs_no_network_but_the_bot_and_shows_chinese_on_a_phone(
    stack: Stack, tmp_path: Path
) -> None:
    url = stack.settings.rasa_url
    with chromium(phone=True) as driver:
        open_chat(driver, url)
        assert bubbles(driver) == [response_text("utter_greet")]
        answer = say(driver, "认证需要费用吗")
        assert any("免费" in text for text in answer)

        fetched = network_urls(driver)
        assert fetched and all(address.split("/")[2] == url.split("/")[2] for address in fetched), fetched
        assert any(address.startswith("ws://") for address in fetched)  # upgraded to WebSocket
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert resources and all(name.startswith(url + "/") for name in resources), resources
        assert driver.execute_script("return document.fonts.size") == 0  # no web fonts: the phone's own

        *glyphs, blank = driver.execute_script(GLYPHS, "钉认证材料")
        assert len(set(glyphs)) == len(glyphs) and blank not in glyphs  # five different drawn characters

        width, viewport = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert width <= viewport == 390  # nothing wider than the phone
        composer = driver.find_element(By.ID, "chat-composer").rect
        assert composer["y"] + composer["height"] <= driver.execute_script("return window.innerHeight")
        assert driver.find_element(By.ID, "chat-input").value_of_css_property("font-size") == "16px"
        screenshot = tmp_path / "phone.png"
        driver.save_screenshot(str(screenshot))
        assert screenshot.stat().st_size > 20_000
        assert console_errors(driver) == []


def test_an_applicant_asks_picks_a_topic_and_looks_up_a_status(stack: Stack) -> None:
    with chromium() as driver:
        open_chat(driver, stack.settings.rasa_url)
        driver.execute_script(
            """
            window.typingShown = false;
            const typing = document.getElementById("chat-typing");
            new MutationObserver(() => { if (!typing.hidden) window.typingShown = true; })
              .observe(typing, {attributes: true});
            """
        )
        assert any("免费" in text for text in say(driver, "认证需要费用吗"))
        assert driver.execute_script("return window.typingShown") is True

        offered = say(driver, "资料")
        assert offered[-1] == response_text("utter_faq_uncertain")
        choices = driver.find_elements(By.CSS_SELECTOR, ".msg:last-child .choice")
        titles = [choice.text for choice in choices]
        assert len(titles) >= 2 and titles[-1] == "都不是，转人工"
        before = len(bubbles(driver))
        choices[0].click()
        wait(driver, lambda: len(bubbles(driver)) > before)
        assert bubbles(driver, "user")[-1] == titles[0]  # the choice's words, not its payload
        offer_choices = "//li[.//button[text()='都不是，转人工']]//button[contains(@class, 'choice')]"
        assert all(not choice.is_enabled() for choice in driver.find_elements(By.XPATH, offer_choices))
        answer = driver.find_elements(By.CSS_SELECTOR, ".msg.from-bot")[-1]
        assert len(answer.find_elements(By.CSS_SELECTOR, ".line")) >= 3  # the answer's line breaks are kept

        assert say(driver, "查询审核进度")[-1] == response_text("utter_ask_application_id")
        assert say(driver, "RZ202611200001")[-1] == response_text("utter_ask_credit_code_suffix")
        *_, report, offer = say(driver, "B2C344")
        assert "初审中" in report and "北京云帆科技有限公司" in report
        assert offer == response_text("utter_offer_status_notifications")  # a web page can be notified
        report_lines = driver.find_elements(By.CSS_SELECTOR, ".msg.from-bot")[-2].find_elements(
            By.CSS_SELECTOR, ".line"
        )
        assert len(report_lines) >= 2
        assert console_errors(driver) == []


def test_an_answer_is_rated_with_a_button_or_a_typed_complaint_and_always_acknowledged(stack: Stack) -> None:
    with chromium() as driver:
        open_chat(driver, stack.settings.rasa_url)
        topics = Catalog().topics()
        assert say(driver, topics["legal_rep_change"].question)[-1] == topics["legal_rep_change"].answer
        choices = driver.find_elements(By.CSS_SELECTOR, ".msg:last-child .choice")
        assert [choice.text for choice in choices] == ["👍", "👎"]
        before = len(bubbles(driver))
        choices[0].click()
        wait(driver, lambda: len(bubbles(driver)) > before)
        assert bubbles(driver)[-1] == response_text("utter_feedback_thanks")
        rated = "//li[.//button[text()='👍']]//button[contains(@class, 'choice')]"
        assert [choice.is_enabled() for choice in driver.find_elements(By.XPATH, rated)] == [False, False]

        assert say(driver, topics["sole_proprietor"].question)[-1] == topics["sole_proprietor"].answer
        assert say(driver, "没解决")[-1] == response_text("utter_feedback_sorry")  # typed: a 👎
        offered = driver.find_elements(By.CSS_SELECTOR, ".msg:last-child .choice")
        assert [choice.text for choice in offered] == ["转人工客服"]
        assert console_errors(driver) == []


def test_a_reload_keeps_the_conversation_and_its_session(stack: Stack) -> None:
    with chromium() as driver:
        open_chat(driver, stack.settings.rasa_url)
        say(driver, "查询 RZ202611200001")
        assert any("初审中" in text for text in say(driver, "B2C344"))
        shown, conversation = bubbles(driver), conversation_of(driver)

        driver.refresh()
        wait(driver, lambda: bubbles(driver) == shown)
        time.sleep(1.5)  # a resumed session gets no second greeting
        assert (
            bubbles(driver) == shown and conversation_of(driver) == conversation
        )  # token renewed, same chat
        assert any("初审中" in text for text in say(driver, "RZ202611200001"))  # ownership proven here


def test_a_network_drop_loses_nothing_and_the_chat_reconnects(stack: Stack) -> None:
    with chromium(phone=True) as driver:
        open_chat(driver, stack.settings.rasa_url)
        conversation = conversation_of(driver)
        set_offline(driver, True)
        banner = driver.find_element(By.ID, "chat-banner")
        wait(driver, banner.is_displayed, timeout=10)
        assert banner.text == texts.PAGE["offline"]

        box = driver.find_element(By.ID, "chat-input")
        box.send_keys("认证需要费用吗", Keys.ENTER)
        wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, ".msg.unsent"), timeout=5)
        assert driver.find_element(By.CSS_SELECTOR, ".msg.unsent .msg-state").text == texts.PAGE["unsent"]
        queue(stack, conversation_of(driver), "您好，网络恢复后您会看到这条客服消息。")
        time.sleep(2)
        assert not bubbles(driver, "agent")

        set_offline(driver, False)
        wait(driver, lambda: bubbles(driver, "agent") and any("免费" in text for text in bubbles(driver)))
        assert bubbles(driver, "agent") == ["您好，网络恢复后您会看到这条客服消息。"]
        wait(driver, lambda: not banner.is_displayed(), timeout=10)
        assert not driver.find_elements(By.CSS_SELECTOR, ".msg.unsent")
        assert conversation_of(driver) == conversation and bubbles(driver, "user") == ["认证需要费用吗"]
        wait(driver, lambda: not undelivered(stack, conversation_of(driver)), timeout=10)


def test_messages_from_outside_reach_the_open_page_live_and_a_closed_one_when_it_returns(
    stack: Stack,
) -> None:
    with chromium() as driver:
        open_chat(driver, stack.settings.rasa_url)
        conversation = conversation_of(driver)
        queue(stack, conversation, "您好，我是客服小王。\n请问还有什么可以帮您？")
        wait(driver, lambda: bubbles(driver, "agent"), timeout=10)
        assert bubbles(driver, "agent") == ["您好，我是客服小王。\n请问还有什么可以帮您？"]
        label = driver.find_element(By.CSS_SELECTOR, ".msg.from-agent .msg-who").text
        assert label == texts.PAGE["agent"]
        wait(driver, lambda: not undelivered(stack, conversation), timeout=10)

        driver.get("about:blank")  # the page is closed
        queue(stack, conversation, "您的申请已进入复审，请留意钉钉通知。")
        time.sleep(2)
        assert undelivered(stack, conversation) == ["您的申请已进入复审，请留意钉钉通知。"]
        driver.get(f"{stack.settings.rasa_url}/chat/")
        wait(driver, lambda: len(bubbles(driver, "agent")) == 2, timeout=10)
        assert bubbles(driver, "agent")[-1] == "您的申请已进入复审，请留意钉钉通知。"
        wait(driver, lambda: not undelivered(stack, conversation), timeout=10)
        time.sleep(2)
        assert len(bubbles(driver, "agent")) == 2  # shown once


# ---- a company's own site embedding the chat ----

SITE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>某公司官网</title></head>
<body><h1>某公司官网</h1>
<script src="{bot}/chat/embed.js" async></script>
<script src="{bot}/chat/vendor/socket.io-client/socket.io.min.js"></script>
<script>
  window.probes = {{}};
  for (const transports of [["polling"], ["websocket"]]) {{
    const socket = io("{bot}", {{transports: transports, reconnection: false, timeout: 5000}});
    socket.on("connect", () => window.probes[transports[0]] = "connected");
    socket.on("connect_error", () => window.probes[transports[0]] = "refused");
  }}
</script>
</body></html>
"""


@pytest.fixture
def company_site(stack: Stack, embedding_site_port: int) -> Iterator[int]:
    """A company's site on 127.0.0.1:<port> that embeds the chat (allowed as http://localhost:<port> only)."""
    page = SITE.format(bot=stack.settings.rasa_url).encode("utf-8")

    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", embedding_site_port), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield embedding_site_port
    server.shutdown()
    server.server_close()


def open_embedded_chat(driver: WebDriver, site: str) -> dict[str, str]:
    """Load the site, wait for its socket.io probes, click the floating button, enter the chat's frame."""
    driver.get(site)
    probes = wait(
        driver, lambda: (found := driver.execute_script("return window.probes")) and len(found) == 2 and found
    )
    host = wait(driver, lambda: driver.find_elements(By.CSS_SELECTOR, "[data-dingtalk-cert-chat]"))[0]
    launcher = host.shadow_root.find_element(By.CSS_SELECTOR, ".launcher")
    assert launcher.text == texts.EMBED["open"]
    launcher.click()
    frame = host.shadow_root.find_element(By.CSS_SELECTOR, "iframe")
    driver.switch_to.frame(frame)
    return probes


def test_a_listed_site_embeds_the_chat_in_one_line_and_another_site_is_refused(
    stack: Stack, company_site: int
) -> None:
    with chromium() as driver:
        probes = open_embedded_chat(driver, f"http://localhost:{company_site}/")
        assert probes == {"polling": "connected", "websocket": "connected"}
        wait(driver, lambda: bubbles(driver))
        assert any("免费" in text for text in say(driver, "认证需要费用吗"))
        driver.find_element(By.ID, "chat-close").click()  # the page asks the site to close the panel
        driver.switch_to.default_content()
        host = driver.find_element(By.CSS_SELECTOR, "[data-dingtalk-cert-chat]")
        wait(
            driver,
            lambda: not host.shadow_root.find_element(By.CSS_SELECTOR, ".panel").is_displayed(),
            timeout=5,
        )

    with chromium() as driver:
        probes = open_embedded_chat(driver, f"http://127.0.0.1:{company_site}/")  # same site, unlisted origin
        assert probes == {"polling": "refused", "websocket": "refused"}
        time.sleep(2)
        with pytest.raises(NoSuchElementException):
            driver.find_element(By.ID, "chat-log")  # the browser refused to show the chat in this frame
        driver.switch_to.default_content()
        assert any("frame-ancestors" in error for error in console_errors(driver))
