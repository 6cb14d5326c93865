/* The chat page: one conversation with the bot over socket.io (protocol: bot/rasa_ext/socketio_channel.py).
 *
 * Kept for this browser tab in sessionStorage, so a reload or a dropped network loses nothing:
 *   token    the session token the server issued (presented again on every reconnect and message)
 *   log      the conversation as shown
 *   seen     ids of bot messages shown (a message offered twice is shown once)
 *   unsent   messages the server has not confirmed yet (sent again, same id, after a reconnect)
 * Every bot message is acknowledged once it is shown and stored; the server keeps what was not.
 * While a person handles the conversation (asked of the server with `handoff_state` after every
 * message), a bar offers 「返回机器人」, which is sent as a message like any other.
 *
 * Limits of socket.io's server (python-engineio) the page stays under: at most MAX_IN_FLIGHT messages
 * wait for their turn at a time (a long-polling POST with more than 16 packets is refused whole), and
 * a message longer than TEXTS.max_chars is not sent: a notice under the input says so and the text stays.
 */
(function () {
  "use strict";

  const TEXTS = JSON.parse(document.getElementById("chat-texts").textContent);
  const STORE = "dingtalk-cert-chat";
  const MAX_LOG = 300;
  const MAX_SEEN = 500;
  const TYPING_LIMIT_MS = 90000;
  const BANNER_DELAY_MS = 800;
  const LIST_ITEM = /^\s*(\d+[.、)）]|[（(]\d+[)）]|[•·\-–*])\s*/;
  const EMBEDDED = new URLSearchParams(location.search).has("embed");
  const MAX_CHARS = TEXTS.max_chars;
  const MAX_IN_FLIGHT = 8;

  const byId = (id) => document.getElementById(id);
  const logList = byId("chat-log");
  const input = byId("chat-input");
  const typing = byId("chat-typing");
  const banner = byId("chat-banner");
  const handoffBar = byId("chat-handoff");
  const limit = byId("chat-limit");
  const sendButton = byId("chat-send");
  const itemOf = new WeakMap();

  // ---- what this tab keeps ----

  function load() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.log)) {
        return { token: saved.token || null, log: saved.log, seen: saved.seen || [], unsent: saved.unsent || [] };
      }
    } catch (error) {
      // unreadable: start afresh
    }
    return { token: null, log: [], seen: [], unsent: [] };
  }

  const state = load();

  function save() {
    state.log = state.log.slice(-MAX_LOG);
    state.seen = state.seen.slice(-MAX_SEEN);
    try {
      sessionStorage.setItem(STORE, JSON.stringify(state));
    } catch (error) {
      // storage full or disabled: the conversation goes on, a reload will not restore it
    }
  }

  // ---- drawing the conversation ----

  function fillText(bubble, text) {
    for (const paragraph of String(text || "").replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/)) {
      const block = document.createElement("p");
      for (const line of paragraph.split("\n")) {
        const span = document.createElement("span");
        span.className = LIST_ITEM.test(line) ? "line li" : "line";
        span.textContent = line;
        block.appendChild(span);
      }
      bubble.appendChild(block);
    }
  }

  function choicesOf(entry) {
    const box = document.createElement("div");
    box.className = "choices";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", TEXTS.choices_label);
    entry.buttons.forEach((button, index) => {
      const choice = document.createElement("button");
      choice.type = "button";
      choice.className = "choice" + (entry.chosen === index ? " chosen" : "");
      choice.textContent = button.title;
      choice.disabled = entry.chosen !== undefined;
      choice.addEventListener("click", () => choose(entry, index));
      box.appendChild(choice);
    });
    return box;
  }

  function build(entry) {
    const item = document.createElement("li");
    item.className = entry.from === "notice" ? "msg notice" : "msg from-" + entry.from;
    if (entry.from === "agent") {
      const who = document.createElement("span");
      who.className = "msg-who";
      who.textContent = TEXTS.agent;
      item.appendChild(who);
    }
    const bubble = document.createElement("div");
    bubble.className = "msg-bubble";
    fillText(bubble, entry.text);
    item.appendChild(bubble);
    if (entry.buttons && entry.buttons.length) {
      item.appendChild(choicesOf(entry));
    }
    if (entry.from === "user" && !confirmed && isUnsent(entry.mid)) {
      item.classList.add("unsent");
      const note = document.createElement("span");
      note.className = "msg-state";
      note.textContent = TEXTS.unsent;
      item.appendChild(note);
    }
    itemOf.set(entry, item);
    return item;
  }

  function redraw(entry) {
    const item = itemOf.get(entry);
    if (item) {
      item.replaceWith(build(entry));
    }
  }

  function scrollToEnd() {
    logList.scrollTop = logList.scrollHeight;
  }

  function append(entry) {
    state.log.push(entry);
    save();
    logList.appendChild(build(entry));
    while (logList.children.length > MAX_LOG) {
      logList.firstElementChild.remove();
    }
    scrollToEnd();
  }

  // ---- the connection ----

  const basePath = location.pathname.replace(/chat\/?(index\.html)?$/, "");
  const socket = io({ path: basePath + "socket.io", reconnectionDelayMax: 5000 });
  let confirmed = false;
  let inFlight = new Set();
  let typingSince = 0;
  let bannerTimer = null;

  function conversationOf(token) {
    return String(token).split(".")[0];
  }

  function isUnsent(mid) {
    return state.unsent.some((message) => message.mid === mid);
  }

  function showStatus() {
    const waitingForTurn = confirmed && inFlight.size > 0 && Date.now() - typingSince < TYPING_LIMIT_MS;
    typing.hidden = !waitingForTurn;
    if (waitingForTurn) {
      scrollToEnd();
    }
    clearTimeout(bannerTimer);
    if (confirmed) {
      banner.hidden = true;
      return;
    }
    const text = navigator.onLine && !state.token ? TEXTS.connecting : TEXTS.offline;
    bannerTimer = setTimeout(() => {
      banner.textContent = text;
      banner.hidden = false;
    }, navigator.onLine ? BANNER_DELAY_MS : 0);
  }

  function flush() {
    if (!confirmed) {
      showStatus();
      return;
    }
    for (const message of state.unsent) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        break; // the rest go out as turns end
      }
      if (inFlight.has(message.mid)) {
        continue;
      }
      inFlight.add(message.mid);
      typingSince = Date.now();
      const event = { message: message.text, session_id: state.token, message_id: message.mid, metadata: {} };
      socket.emit("user_uttered", event, () => turnEnded(message.mid));
    }
    showStatus();
    setTimeout(showStatus, TYPING_LIMIT_MS);
  }

  function turnEnded(mid) {
    inFlight.delete(mid);
    state.unsent = state.unsent.filter((message) => message.mid !== mid);
    save();
    const entry = state.log.find((logged) => logged.mid === mid);
    if (entry) {
      redraw(entry);
    }
    flush();
  }

  function redrawUnsent() {
    for (const entry of state.log) {
      if (entry.mid && isUnsent(entry.mid)) {
        redraw(entry);
      }
    }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID().replace(/-/g, "");
    }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function send(text, shown) {
    const message = { mid: newId(), text: text };
    state.unsent.push(message);
    append({ from: "user", text: shown || text, mid: message.mid });
    flush();
  }

  function choose(entry, index) {
    if (entry.chosen !== undefined) {
      return;
    }
    entry.chosen = index;
    save();
    redraw(entry);
    send(entry.buttons[index].payload, entry.buttons[index].title);
  }

  function buttonsOf(message) {
    const offered = message.buttons || message.quick_replies || [];
    return (Array.isArray(offered) ? offered : [])
      .filter((button) => button && typeof button.title === "string" && typeof button.payload === "string")
      .map((button) => ({ title: button.title, payload: button.payload }));
  }

  function receive(message, from, ack) {
    const id = message && typeof message.id === "string" ? message.id : null;
    if (message && !(id && state.seen.includes(id))) {
      if (id) {
        state.seen.push(id);
      }
      append({ from: from, text: message.text || "", buttons: buttonsOf(message) });
      setTimeout(checkHandoff, 300);
      if (EMBEDDED && window.parent !== window) {
        window.parent.postMessage({ source: "dingtalk-cert-chat", type: "message" }, "*");
      }
    }
    if (typeof ack === "function") {
      ack();
    }
  }

  function conversationOf(token) {
    return token.split(".")[0];
  }

  function checkHandoff() {
    if (!confirmed) {
      return;
    }
    socket.emit("handoff_state", {}, (state) => {
      handoffBar.hidden = !(state && state.active === true);
    });
  }

  function startAfresh() {
    const pending = state.log.filter((entry) => entry.mid && isUnsent(entry.mid));
    state.log = [];
    state.seen = [];
    logList.textContent = "";
    append({ from: "notice", text: TEXTS.new_session });
    pending.forEach(append);
  }

  socket.on("connect", () => {
    socket.emit("session_request", { session_id: state.token, greet: true, acks: true });
  });

  socket.on("session_confirm", (token) => {
    if (typeof token !== "string") {
      return;
    }
    // The server renews the token on every session request (same conversation, new issue time);
    // only a token for another conversation (the old one expired) starts the page afresh.
    if (state.token && conversationOf(token) !== conversationOf(state.token)) {
      startAfresh();
    }
    state.token = token;
    save();
    confirmed = true;
    inFlight = new Set();
    redrawUnsent();
    flush();
    checkHandoff();
  });

  socket.on("bot_uttered", (message, ack) => receive(message, "bot", ack));
  socket.on("web_message", (message, ack) => receive(message, message && message.author === "agent" ? "agent" : "bot", ack));

  function lost() {
    confirmed = false;
    redrawUnsent();
    showStatus();
  }

  socket.on("disconnect", lost);
  socket.on("connect_error", showStatus);

  window.addEventListener("offline", () => {
    socket.disconnect();
    lost();
  });
  window.addEventListener("online", () => {
    if (!socket.connected) {
      socket.connect();
    }
  });

  // ---- the page ----

  document.title = TEXTS.title;
  byId("chat-title").textContent = TEXTS.title;
  byId("chat-subtitle").textContent = TEXTS.subtitle;
  byId("chat-avatar").textContent = TEXTS.avatar;
  sendButton.textContent = TEXTS.send;
  byId("chat-handoff-text").textContent = TEXTS.handoff;
  byId("chat-leave").textContent = TEXTS.leave;
  byId("chat-leave").addEventListener("click", () => {
    handoffBar.hidden = true;
    send(TEXTS.leave);
  });
  typing.querySelector("em").textContent = TEXTS.typing;
  input.placeholder = TEXTS.placeholder;
  logList.setAttribute("aria-label", TEXTS.log_label);

  if (EMBEDDED) {
    const close = byId("chat-close");
    close.hidden = false;
    close.setAttribute("aria-label", TEXTS.close);
    close.addEventListener("click", () => window.parent.postMessage({ source: "dingtalk-cert-chat", type: "close" }, "*"));
  }

  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 140) + "px";
  }

  function tooLong() {
    // counted as the server counts: characters (code points) of the trimmed text, a line break as one
    const count = Array.from(input.value.trim().replace(/\r\n?/g, "\n")).length;
    const over = count > MAX_CHARS;
    limit.hidden = !over;
    limit.textContent = over ? TEXTS.too_long.replace("{max}", MAX_CHARS).replace("{count}", count) : "";
    sendButton.disabled = over;
    input.setAttribute("aria-invalid", over ? "true" : "false");
    return over;
  }

  byId("chat-composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || tooLong()) {
      return; // a message too long stays in the box, with the notice
    }
    input.value = "";
    grow();
    tooLong();
    send(text);
  });
  input.addEventListener("input", () => {
    grow();
    tooLong();
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter starts a new line; Enter that confirms an IME (pinyin) choice does neither
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      byId("chat-composer").requestSubmit();
    }
  });

  for (const entry of state.log) {
    logList.appendChild(build(entry));
  }
  scrollToEnd();
  showStatus();
  if (window.matchMedia("(pointer: fine)").matches) {
    input.focus();
  }
})();
