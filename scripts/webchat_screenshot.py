"""Take the README's picture of the web chat: a short conversation on a phone, in headless Chromium.

    python scripts/webchat_screenshot.py http://127.0.0.1:5005 docs/webchat.png

Needs a running bot (`make run`) and `make browser`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from selenium.webdriver.common.by import By

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package: run from anywhere
from tests.support.browser import bubbles, chromium, open_chat, say, wait


def main() -> int:
    """Chat a little on a phone-sized screen and save the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bot_url")
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    with chromium(phone=True) as driver:
        open_chat(driver, args.bot_url.rstrip("/"))
        say(driver, "认证需要费用吗")
        say(driver, "资料")
        choice = driver.find_elements(By.CSS_SELECTOR, ".msg:last-child .choice")[1]
        before = len(bubbles(driver))
        choice.click()
        wait(driver, lambda: len(bubbles(driver)) > before)
        driver.execute_script("document.getElementById('chat-log').scrollTop = 1e6")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(args.output))
    print(f"saved {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
