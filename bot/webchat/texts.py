"""Every text of the chat page and the embed button (what the bot itself says lives in domain.yml)."""

from __future__ import annotations

PAGE = {
    "title": "钉钉企业认证（中级）在线客服",
    "subtitle": "智能助手 · 可随时转人工",
    "avatar": "钉",
    "noscript": "在线客服需要启用 JavaScript。您也可以在钉钉 APP 内搜索「钉钉客服」咨询。",
    "placeholder": "请输入您的问题…",
    "send": "发送",
    "close": "关闭",
    "bot": "助手",
    "agent": "客服",
    "you": "我",
    "typing": "正在输入…",
    "connecting": "正在连接…",
    "offline": "网络已断开，正在重新连接…您可以继续输入，连接恢复后会自动发送。",
    "unsent": "等待发送",
    "new_session": "之前的会话已过期，已为您开始新的对话。",
    "log_label": "对话记录",
    "choices_label": "可选的问题",
    "handoff": "人工客服服务中，客服会在这里回复您",
    "leave": "返回机器人",
    "too_long": "消息太长了：最多 {max} 字，现在 {count} 字。请删减后再发送，或分成几条发送。",
}
"""The chat page (`/chat/`): handed to chat.js as JSON inside the page."""

EMBED = {
    "open": "在线咨询",
    "close": "关闭在线咨询",
    "frame_title": "钉钉企业认证（中级）在线客服",
    "unread": "有新消息",
}
"""The floating button `embed.js` adds to a company's own site."""
