"""Every Chinese text of status notifications (the report inside comes from bot/status/texts.py)."""

from __future__ import annotations

NOTIFICATION = """🔔 您关注的认证申请状态有更新：

{report}

如不想再收到这个申请的状态通知，请发送「退订」。"""

UNSUBSCRIBE_BUTTON = "退订"

QUEUED = "已为 {count} 位订阅了状态通知的申请人排队发送通知（Telegram {telegram} 条，网页 {web} 条）。"
ENDED_FOR_NEW_OWNER = "{count} 个状态通知订阅因统一社会信用代码变更而终止（需重新验证后才能订阅）。"
