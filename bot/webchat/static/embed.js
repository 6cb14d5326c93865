/* The chat on a company's own site, in one line (the site's origin must be in the bot's WEB_CHAT_ORIGINS):
 *
 *   <script src="https://bot.example.com/chat/embed.js" async></script>
 *
 * Optional attributes: data-label="在线咨询" (the button's text), data-position="left" (default: right),
 * data-color="#1677ff". A floating button opens the bot's chat page (/chat/) in a frame: the chat keeps
 * its own origin, storage and styles, and the site gets one element whose shadow root holds the rest.
 * The page's "close" button and its new messages (a dot on the button) reach this script by postMessage.
 */
(function () {
  "use strict";

  const TEXTS = /*{{texts}}*/ {};
  const script = document.currentScript;
  if (!script || window.dingtalkCertChat) {
    return;
  }
  const chatUrl = new URL("./?embed=1", script.src);
  const OPEN_KEY = "dingtalk-cert-chat-open";
  const wanted = script.dataset.color;
  const color = wanted && window.CSS && CSS.supports("color", wanted) ? wanted : "#1677ff";
  const side = script.dataset.position === "left" ? "left" : "right";

  const STYLE = `
    :host { all: initial; }
    .launcher {
      position: fixed; bottom: 20px; ${side}: 20px; z-index: 2147483000;
      display: flex; align-items: center; gap: 8px; height: 52px; padding: 0 20px 0 16px;
      border: 0; border-radius: 26px; background: ${color}; color: #fff; cursor: pointer;
      font: 600 16px/1 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
      box-shadow: 0 6px 20px rgba(0, 0, 0, 0.22);
    }
    .launcher:focus-visible { outline: 3px solid #fff; outline-offset: -6px; }
    .launcher svg { width: 22px; height: 22px; fill: currentColor; }
    .dot { position: absolute; top: 6px; ${side === "right" ? "left" : "right"}: 10px; width: 10px; height: 10px;
      border-radius: 50%; background: #f5222d; border: 2px solid #fff; }
    .panel {
      position: fixed; bottom: 84px; ${side}: 20px; z-index: 2147483001;
      width: 380px; height: min(640px, calc(100vh - 110px)); border-radius: 16px; overflow: hidden;
      background: #f2f3f5; box-shadow: 0 12px 40px rgba(0, 0, 0, 0.28);
    }
    .panel iframe { display: block; width: 100%; height: 100%; border: 0; }
    [hidden] { display: none !important; }
    @media (max-width: 520px) {
      .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
      .launcher.open { display: none; }
    }
  `;

  const host = document.createElement("div");
  host.setAttribute("data-dingtalk-cert-chat", "");
  const root = host.attachShadow({ mode: "open" });
  if ("adoptedStyleSheets" in root && window.CSSStyleSheet) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    style.textContent = STYLE;
    root.appendChild(style);
  }

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-expanded", "false");
  const icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z");
  icon.appendChild(path);
  const label = document.createElement("span");
  label.textContent = script.dataset.label || TEXTS.open;
  const dot = document.createElement("span");
  dot.className = "dot";
  dot.hidden = true;
  dot.title = TEXTS.unread;
  launcher.append(icon, label, dot);

  const panel = document.createElement("div");
  panel.className = "panel";
  panel.hidden = true;
  let frame = null;

  function remember(open) {
    try {
      sessionStorage.setItem(OPEN_KEY, open ? "1" : "");
    } catch (error) {
      // storage disabled: the panel just starts closed on the next page
    }
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = chatUrl.href;
      frame.title = TEXTS.frame_title;
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
      panel.appendChild(frame);
    }
    panel.hidden = false;
    dot.hidden = true;
    launcher.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", TEXTS.close);
    remember(true);
    frame.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.removeAttribute("aria-label");
    remember(false);
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!frame || event.source !== frame.contentWindow || event.origin !== chatUrl.origin) {
      return;
    }
    if (!data || data.source !== "dingtalk-cert-chat") {
      return;
    }
    if (data.type === "close") {
      close();
    } else if (data.type === "message" && panel.hidden) {
      dot.hidden = false;
    }
  });

  root.append(panel, launcher);
  window.dingtalkCertChat = { open: open, close: close };

  function mount() {
    document.body.appendChild(host);
    let reopen = false;
    try {
      reopen = sessionStorage.getItem(OPEN_KEY) === "1";
    } catch (error) {
      reopen = false;
    }
    if (reopen) {
      open();
    }
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
