"""Every Chinese text of the operators' database commands: `python -m bot.db` and `python -m bot.retention`."""

from __future__ import annotations

# --- python -m bot.db ---------------------------------------------------------------------------------

DB_CLI_HELP = "数据库管理命令（数据库地址取自环境变量 DATABASE_URL）。"
DB_INIT_HELP = "创建或升级数据库结构，并写入六条演示申请（可重复执行，不会重复写入）。"
DB_UPGRADE_HELP = "只创建或升级数据库结构，不写入演示数据。"
DB_UPGRADED = "数据库结构已是最新。"
DB_INITIALISED = "数据库结构已是最新；新写入 {added} 条演示申请。"
STORAGE_FAILED = "数据库不可用，未做任何修改：{error}"
"""Printed by every command whose database failed (`bot.cli.storage_failed`)."""

# --- python -m bot.retention --------------------------------------------------------------------------

RETENTION_HELP = (
    "删除超过保留期限的数据：闲置超过期限的对话记录（有未结束的转人工的对话除外）、身份验证记录、"
    "已结束的转人工记录、已发送的 Telegram 消息、已处理的未答问题、已过期或已退订的状态通知订阅。申请本身和状态历史会保留。"
    "保留期限取自环境变量 RETENTION_DAYS（默认 30 天）。"
)
RETENTION_DAYS_HELP = "保留天数（默认取 RETENTION_DAYS，至少 1 天）"
RETENTION_BAD_DAYS = "保留天数至少为 1 天，收到的是 {days}。"
RETENTION_DONE = "已删除超过 {days} 天的数据，共 {total} 行：{details}"
