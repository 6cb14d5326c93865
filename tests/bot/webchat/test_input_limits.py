"""The chat page keeps under socket.io's limits: a message too long is not sent and the page says so in
Chinese; many messages typed offline all arrive after the reconnect (never more than 16 in one POST)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from bot.inbound import MAX_INPUT_CHARS
from bot.run import Stack
from bot.webchat import texts
from tests.reliability.replies import response_text
from tests.support.browser import bubbles, chromium, open_chat, wait

pytestmark = pytest.mark.servers

OFFLINE_MESSAGES = 20
"""More than the 16 packets python-engineio accepts in one long-polling POST."""


def paste(driver: WebDriver, text: str) -> None:
    """Put `text` in the input box as a paste does (one input event), the cursor at its end."""
    box = driver.find_element(By.ID, "chat-input")
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", box, text
    )


def set_offline(driver: WebDriver, offline: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    conditions = {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)


def unsent(driver: WebDriver) -> list[Any]:
    stored = json.loads(driver.execute_script("return sessionStorage.getItem('dingtalk-cert-chat')"))
    return list(stored["unsent"])


def test_a_message_too_long_is_kept_in_the_box_with_a_chinese_notice(stack: Stack) -> None:
    with chromium(phone=True) as driver:
        open_chat(driver, stack.settings.rasa_url)
        notice = driver.find_element(By.ID, "chat-limit")
        send = driver.find_element(By.ID, "chat-send")
        box = driver.find_element(By.ID, "chat-input")
        assert not notice.is_displayed()

        question = "认证需要费用吗？"
        too_long = question + "请" * (MAX_INPUT_CHARS + 1 - len(question))
        paste(driver, too_long)
        wait(driver, notice.is_displayed, timeout=5)
        expected = texts.PAGE["too_long"].format(max=MAX_INPUT_CHARS, count=MAX_INPUT_CHARS + 1)
        assert notice.text == expected
        assert not send.is_enabled()
        box.send_keys(Keys.ENTER)  # Enter does not send it either
        assert bubbles(driver, "user") == []
        assert box.get_attribute("value") == too_long  # nothing the applicant wrote is lost
        assert unsent(driver) == []

        box.send_keys(Keys.BACKSPACE)  # one character fewer: exactly the limit
        wait(driver, lambda: not notice.is_displayed(), timeout=5)
        assert send.is_enabled()
        box.send_keys(Keys.ENTER)
        wait(driver, lambda: len(bubbles(driver)) > 1)
        assert bubbles(driver, "user") == [too_long[:-1]]
        assert response_text("utter_message_too_long") not in bubbles(driver)  # the server did not cut it


def test_the_limit_counts_characters_as_the_server_does(stack: Stack) -> None:
    with chromium() as driver:
        open_chat(driver, stack.settings.rasa_url)
        notice = driver.find_element(By.ID, "chat-limit")
        paste(driver, "😀" * MAX_INPUT_CHARS)  # 4000 UTF-16 units, 2000 characters
        assert not notice.is_displayed()
        paste(driver, "\n" + "😀" * (MAX_INPUT_CHARS + 1) + "  ")  # the ends are trimmed, as when sending
        wait(driver, notice.is_displayed, timeout=5)
        assert str(MAX_INPUT_CHARS + 1) in notice.text


def test_messages_typed_offline_all_arrive_after_the_reconnect_without_websocket(stack: Stack) -> None:
    with chromium() as driver:
        # as behind a proxy that lets no WebSocket through: socket.io stays on long polling
        driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": "window.WebSocket = undefined;"}
        )
        open_chat(driver, stack.settings.rasa_url)
        greeting = len(bubbles(driver))
        set_offline(driver, True)
        banner = driver.find_element(By.ID, "chat-banner")
        wait(driver, banner.is_displayed, timeout=10)
        box = driver.find_element(By.ID, "chat-input")
        for index in range(OFFLINE_MESSAGES):
            box.send_keys(f"谢谢 {index + 1}", Keys.ENTER)
        assert len(unsent(driver)) == OFFLINE_MESSAGES

        set_offline(driver, False)
        wait(driver, lambda: not unsent(driver), timeout=180)
        wait(driver, lambda: len(bubbles(driver)) >= greeting + OFFLINE_MESSAGES, timeout=60)
        assert not driver.find_elements(By.CSS_SELECTOR, ".msg.notice")  # the same conversation goes on
        assert bubbles(driver, "user") == [f"谢谢 {index + 1}" for index in range(OFFLINE_MESSAGES)]
        assert not driver.find_elements(By.CSS_SELECTOR, ".msg.unsent")
