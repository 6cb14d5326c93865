"""Every Chinese text the gateway itself sends (the bot's answers come from Rasa and domain.yml)."""

from __future__ import annotations

WELCOME = """您好！我是钉钉企业认证（中级）助手 🤖
我可以解答认证的准备、步骤、所需材料和文件要求、打款验证、审核时间、驳回原因、费用、个体工商户、法人变更、重新提交等问题，也可以凭申请编号（RZ 开头）查询审核进度。
请直接输入您的问题，例如「需要准备哪些材料？」
/help 查看使用说明 · /human 联系人工客服"""

HELP = """使用说明：
• 直接用文字提问，例如「认证需要费用吗」「审核要多久」「为什么被驳回」
• 查询进度：发送申请编号（如 RZ202611200001），按提示验证后即可查看
• 出现按钮时，点选最接近您问题的一项
• /human 或发送「转人工」联系人工客服；人工服务中发送「返回机器人」或 /bot 回到智能助手
• 查询进度后可以开启审核状态通知；/unsubscribe 或发送「退订」停止通知
目前我只能处理文字消息。"""

UNSUPPORTED_MESSAGE = "抱歉，我目前只能处理文字消息，暂时看不了图片、文件、语音或表情。请用文字描述您的问题；如需人工帮助，请发送 /human。"
RASA_FAILED = "抱歉，系统暂时出了点问题，没能处理您的消息，请稍后再试；如需人工帮助，请发送 /human。"
EMPTY_REPLY = "抱歉，我暂时没能回答这个问题，请换个说法再试；如需人工帮助，请发送 /human。"
TOO_MANY_MESSAGES = (
    "您发送消息太频繁了，请 {seconds} 秒后再发送。这段时间里发来的消息我没有处理，请稍后重新发送。"
)
STILL_WORKING = "正在处理您的问题，请稍候…"
REPLY_NOT_SHOWN = (
    "抱歉，刚才的回答没能显示出来。请换个说法再问一次；如果仍然不行，"
    "请拨打钉钉官方客服电话 400-066-6666，或发送 /human 联系人工客服。"
)
BUTTON_EXPIRED = "这个按钮已失效，请直接输入您的问题。"
BUTTON_DEFAULT_TEXT = "请选择："
ALREADY_WITH_AGENT = (
    "您已在人工服务中，客服人员会在这里回复您，请稍候。想回到智能助手，请发送「返回机器人」或 /bot。"
)
AGENT_CLAIMED = "客服人员已接入，正在为您处理。"
AGENT_REPLY = "👩‍💼 客服：{text}"
HANDOFF_RESOLVED = "本次人工服务已结束，感谢您的耐心！之后的问题将由智能助手继续为您解答。"
AGENT_ONLY_TEXT = "抱歉，人工服务期间只能转发文字、图片和文件（JPG、PNG、PDF，不超过 5MB），语音、表情等暂时无法转给客服，请用文字描述。"
LEAVE_BUTTON = "返回机器人"
WAITING_TELEGRAM = """抱歉，您的转人工请求已经等了 {minutes} 分钟，还没有客服人员接手（客服可能正忙，或现在不在工作时间）。您可以：
• 继续在这里留言：留言都会转给客服，客服接手后会在这里回复您；
• 点「返回机器人」（或发送 /bot），继续向智能助手提问；
• 拨打钉钉官方客服电话 400-066-6666，或在钉钉 APP 内搜索「钉钉客服」「帮助中心」在线提交问题（提供企业 ID 和认证申请编号可以更快获得帮助）。"""
WAITING_WEB = """抱歉，您的转人工请求已经等了 {minutes} 分钟，还没有客服人员接手（客服可能正忙，或现在不在工作时间）。您可以：
• 继续在这里留言：留言都会转给客服，客服接手后会在本页面回复您（请不要关闭这个浏览器标签页）；
• 点「返回机器人」，继续向智能助手提问；
• 拨打钉钉官方客服电话 400-066-6666，或在钉钉 APP 内搜索「钉钉客服」「帮助中心」在线提交问题（提供企业 ID 和认证申请编号可以更快获得帮助）。"""
WAITING_REST = """抱歉，您的转人工请求已经等了 {minutes} 分钟，还没有客服人员接手（客服可能正忙，或现在不在工作时间）。您可以：
• 继续留言：留言都会转给客服，客服的回复会在您下一次发送消息时一并返回；
• 发送「返回机器人」，继续向智能助手提问；
• 拨打钉钉官方客服电话 400-066-6666，或在钉钉 APP 内搜索「钉钉客服」「帮助中心」在线提交问题（提供企业 ID 和认证申请编号可以更快获得帮助）。"""

# --- agents group ------------------------------------------------------------------------------

REASONS = {
    "asked": "申请人要求人工服务",
    "fallbacks": "机器人连续两次未能理解",
    "locked_lookup": "进度查询验证失败次数过多，已锁定",
}

ESCALATION_POST = """🆘 转人工 #{id}
申请人：{who}
渠道：{channel}
原因：{reason}
申请编号：{application_id}
最近对话（已脱敏）：
{transcript}
——
{how_to}"""
NO_APPLICATION_ID = "未提供"
APPLICATION_VERIFIED = "{application_id}（已核实：申请人在本次对话中提供了正确的信用代码后 6 位）"
APPLICATION_UNVERIFIED = "{application_id}（申请人提供，未核实归属）"
APPLICATION_LATEST_STATUS = "\n最新状态：{status}（{since} 变更，北京时间）"
TRANSCRIPT_APPLICANT = "👤 申请人：「{text}」"
TRANSCRIPT_BOT = "🤖 机器人：{text}"
NO_TRANSCRIPT = "（无）"
HOW_TO_REPLY_TOPIC = (
    "在本话题中发言即可回复申请人。/claim 接手 · /resolve 结束并交还机器人 · /open 未结束列表"
)
HOW_TO_REPLY_CHAIN = "回复本条（或本会话的任一条）消息即可回复申请人。/claim 接手 · /resolve 结束并交还机器人 · /open 未结束列表"
NOT_TELEGRAM_USER = "（未知渠道的用户 {sender}，无法在此直接回复）"
OTHER_CHANNEL_SHORT = "{sender}（未知渠道）"
UNKNOWN_APPLICANT = "Telegram 用户 {sender}"
WEB_APPLICANT = "网页访客 {sender}"
REST_APPLICANT = "API 接入用户 {sender}"
CHANNEL_TELEGRAM = "Telegram 私聊：在此回复，申请人立即收到"
CHANNEL_WEB = "网页在线客服：在此回复，页面开着时申请人立即看到；页面暂时离开时，回到页面才看到；关闭了浏览器标签页就收不到了"
CHANNEL_REST = "API 接入：无法推送，在此回复后，申请人下一次发消息时才会一并收到"
CHANNEL_UNKNOWN = "未知渠道：回复无法送达申请人"
APPLICANT_LEFT = "#{id} 申请人点了「返回机器人」，已离开人工服务：本次转人工已结束，对话已交还机器人。"

APPLICANT_LEFT_NO_CARD = (
    "#{id} 申请人点了「返回机器人」，在客服接手前已离开人工服务（申请人：{who}；转人工原因：{reason}）。"
    "本次转人工已结束，对话已交还机器人。"
)
APPLICANT_SAYS = "#{id} 申请人：{text}"
APPLICANT_SENT_MEDIA = "#{id} 申请人发送了语音、表情等无法转发的消息（未转发）。"
CLAIMED_BY = "#{id} 已由 {agent} 接手。"
RESOLVED_BY = "#{id} 已由 {agent} 结束，对话已交还机器人。"
NOT_ACTIVE = "#{id} 已结束或不存在。"
RESOLVED_MANY = "{agent} 结束了 {count} 个转人工，对话已交还机器人：{ids}"
NOT_ACTIVE_MANY = "已结束或不存在（未处理）：{ids}"
WHICH_ESCALATION = "请在转人工的话题中使用该命令，或回复该转人工的消息，或写明编号，例如 {example}"
AGENTS_ONLY = "仅客服人员可以使用此命令。"
NO_OPEN = "目前没有未结束的转人工。"
STATUS_OPEN = "待接手"
STATUS_CLAIMED = "{agent} 处理中"
AGENT_HELP = """客服命令（在转人工话题内或回复其消息使用，或写明编号，如 /claim 12）：
/claim 接手（已有人接手时不会改动，会告诉你是谁）· 卡片上的「接手」按钮同样有效
/takeover 改由你接手（原处理人会在话题中看到）
/assign 12 @用户名 分配给群里的同事（或回复同事的消息发送 /assign 12）
/resolve 结束并交还机器人（可一次写多个编号，如 /resolve 12 13 20-25）· 卡片上的「结束」按钮同样有效
/mine 我处理中的转人工
/open 未结束列表（等待最久的在前，/open 2 看下一页）
/reply 文件格式 把常用回复发给申请人（/reply 列出全部名称）
/report 每位客服每周的结束数、满意度和首次回复时间（/report 8 看最近 8 周）
在话题中发言或回复该转人工的任一条消息（包括同事的消息）即转给申请人，图片和文件连同说明一起转发；没能转出的消息会立即提示原因。
以 // 开头的消息是内部备注，不会转给申请人。"""
APPLICANT_BLOCKED = "#{id} 申请人已屏蔽机器人，消息无法送达。"
AGENT_TEXT_ONLY = "这条消息没有转给申请人：只能转发文字、图片和文件（语音、表情等不会转发）。"

# --- announcements in bursts (bot/gateway/announcer.py) ----------------------------------------

SUMMARY_HEADER = "🆘 转人工汇总（{count} 个，合并为一条以免刷屏；每个都已记录，可分别接手）："
SUMMARY_LINE = "#{id} {who} · {reason} · 申请编号：{application_id}{quiet}"
SUMMARY_QUIET = " · 本小时多次申请"
SUMMARY_MORE = "另有 {count} 个（同样已记录，可按编号接手）：{ids}"
SUMMARY_HOW_TO = (
    "——\n/claim {example} 接手并查看对话记录（之后回复该记录即可回复申请人）"
    "· /resolve {example} 结束并交还机器人（可一次写多个编号，如 /resolve 12 13 20-25）· /open 未结束列表"
)
ALERTS_HEADER = "⚠️ 疑似有人在猜测申请的验证码（统一社会信用代码后 6 位）。以下申请编号验证失败次数已达上限，在线查询已暂停，期间查询者会被引导转人工："
ALERT_LINE_CAPPED = "• {application_id}（{known}）：{window} 分钟内输错 {wrong_codes} 次，来自 {senders} 个会话；暂停至 {until}（北京时间）"
ALERT_KNOWN = "系统中有此申请"
ALERT_UNKNOWN = "系统中无此编号"
ALERT_LINE_OTHER = "• {kind}：{subject}"

# --- the agents' desk: owners, takeovers, accounting (bot/gateway/desk.py, agent_commands.py) ----

CARD_STATUS_OPEN = "状态：⏳ 待接手"
CARD_STATUS_CLAIMED = "状态：👩‍💼 {agent} 处理中"
CARD_STATUS_RESOLVED = "状态：✅ 已结束"
BUTTON_CLAIM = "接手"
BUTTON_TAKEOVER = "改由我接手"
BUTTON_RESOLVE = "结束"
ALREADY_CLAIMED = (
    "#{id} 已由 {agent} 接手，本次未改动。如需改由你处理，请用 /takeover {id}（双方都会收到通知）。"
)
ALREADY_YOURS = "#{id} 已经由你（{agent}）接手了。"
TAKEN_OVER = "#{id} 已由 {agent} 从 {previous} 手中接手。{previous}：这个转人工之后由 {agent} 处理。"
ASSIGNED = "#{id} 已由 {by} 分配给 {agent}。{agent}：请接手处理。"
ASSIGNED_FROM = "#{id} 已由 {by} 从 {previous} 改分配给 {agent}。"
ASSIGN_WHO = "请写明分配给谁：/assign 12 @用户名（对方需在本群发过言），或回复对方的一条消息发送 /assign 12。"
ASSIGN_NOT_MEMBER = "{agent} 不是客服群成员，无法分配。"
BAD_ARGUMENT = "看不懂「{argument}」：编号请用阿拉伯数字，例如 /{command} 12。"
BAD_CASE_NUMBER = (
    "「{argument}」不是有效的转人工编号（编号最多 12 位，范围从小到大，如 20-25），例如 /{command} 12。"
)
BAD_PAGE = "看不懂「{argument}」：页码请用阿拉伯数字，例如 /open 2。"
MINE_NONE = "你目前没有处理中的转人工。"
MINE_HEADER = "你（{agent}）处理中的转人工（{count} 个）："
OPEN_PAGE_HEADER = "未结束的转人工（共 {count} 个，等待最久的在前；第 {page}/{pages} 页）："
OPEN_PAGE_LINE = "#{id} · 等待 {waited} · {application} · {who} · {status}\n    最后一条：{last}"
OPEN_NEXT_PAGE = "下一页：/open {page}"
OPEN_NO_SUCH_PAGE = "只有 {pages} 页，请用 /open 1 到 /open {pages}。"
NO_LAST_MESSAGE = "（无）"
WAITED_MINUTES = "{minutes} 分钟"
WAITED_HOURS = "{hours} 小时 {minutes} 分钟"
NOT_RELAYED_REPLY_TO_BOT = (
    "⚠️ 这条消息没有转给任何申请人：你回复的这条机器人消息不属于某个转人工。"
    "要回复申请人，请回复该转人工的卡片（或它的任一条消息），或在它的话题中发言。"
)
NOT_RELAYED_RESOLVED = "⚠️ 这条消息没有转给申请人：#{id} 已结束。"
ANONYMOUS_ADMIN = "群管理员（匿名）"
REPLY_NOT_DELIVERED = "⚠️ #{id} 的一条回复没有送达申请人（Telegram 拒绝了这条消息）。"
UNCLAIMED_REMINDER = "⏰ #{id} 已等待 {waited}，还没有人接手。/claim {id} 接手"
UNCLAIMED_REMINDER_HEADER = "⏰ 以下 {count} 个转人工还没有人接手："
UNCLAIMED_REMINDER_LINE = "#{id} 已等待 {waited}"
UNCLAIMED_REMINDER_HOW_TO = "发送 /claim 编号 接手，例如 /claim {example}"
PREVIOUS_CASE = "该申请人上一次转人工：#{id}（{when}，{status}）"
TOPIC_TITLE = "#{id} {status} · {who} · {reason}"
TOPIC_OPEN = "⏳待接手"
TOPIC_CLAIMED = "👩‍💼{agent}"
TOPIC_RESOLVED = "✅已结束"

# --- saved replies (bot/gateway/saved_replies.py, agent_commands.py) ---------------------------

SAVED_REPLIES_LIST = "常用回复（在转人工话题中发送 /reply 名称，即发给申请人）：{names}"
SAVED_REPLIES_NONE = "目前没有常用回复（内容编辑可在 data/saved_replies.yml 中添加）。"
SAVED_REPLY_UNKNOWN_CLOSE = "没有名为「{name}」的常用回复。您是不是想用：{close}？"
SAVED_REPLY_UNKNOWN = "没有名为「{name}」的常用回复。可用的有：{names}"
SAVED_REPLY_SENT = "✅ {agent} 把常用回复「{name}」发给了 #{id} 的申请人：\n{text}"

# --- the applicant's silence (bot/gateway/silence.py) ------------------------------------------

AUTO_RESOLVED_APPLICANT = (
    "由于 {minutes} 分钟没有收到您的新消息，本次人工服务已自动结束。之后的问题将由智能助手继续为您解答；"
    "如仍需人工帮助，可以随时再次转人工。"
)
AUTO_RESOLVED_AGENTS = "⌛ #{id} 申请人 {minutes} 分钟没有新消息，已自动结束，对话已交还机器人。"

# --- satisfaction and the weekly report (bot/gateway/satisfaction.py, report.py) -----------------

RATING_QUESTION = "请为本次人工服务（#{id}）打分：1 = 很不满意，5 = 非常满意。"
RATING_LABELS = {1: "1 😞", 2: "2", 3: "3", 4: "4", 5: "5 😀"}
RATING_THANKS = "感谢您的评价！"
RATING_ALREADY = "您已经评价过了，谢谢！"
REPORT_HEADER = "客服周报（最近 {weeks} 周，北京时间，每周从周一开始；按结束时的处理人统计）："
REPORT_WEEK = "【{start} 至 {end}】"
REPORT_AGENT_LINE = "  {agent}：{figures}"
REPORT_RESOLVED = "结束 {count} 个"
REPORT_AUTOMATIC = "（其中 {count} 个因申请人未回复自动结束）"
REPORT_SATISFACTION = "满意度 {average} 分（{count} 个评价，4 分及以上 {good}）"
REPORT_NO_RATINGS = "暂无评价"
REPORT_FIRST_REPLY = "首次回复中位数 {median}"
REPORT_MINUTES = "{minutes} 分钟"
REPORT_UNHANDLED = "  无客服处理即结束：{count} 个"
REPORT_EMPTY_WEEK = "  （无）"
BAD_WEEKS = "看不懂「{argument}」：周数请用 1 到 12 的阿拉伯数字，例如 /report 4。"

# --- transcripts of a handoff (bot/gateway/cards.py) ---------------------------------------------

TRANSCRIPT_AGENT = "👩‍💼 客服 {agent}：{text}"
TRANSCRIPT_MEDIA = "（图片或文件）"
PREVIOUS_TRANSCRIPT_HEADER = "上一次人工服务的最后几条消息："

# --- photos and documents in a handoff (bot/gateway/media.py, relay.py) ---------------------------

FILE_WRONG_FORMAT = (
    "抱歉，这个文件没有转给客服：认证资料的文件格式只支持 JPG、PNG、PDF，大小不超过 5MB。"
    "请转换格式后重新发送（照片也可以直接用图片方式发送）。"
)
EDIT_NOT_READ = "您修改了之前的消息。修改不会被重新处理，请把更正后的内容重新发一条。"
AGENT_EDIT_NOT_SENT = "⚠️ 修改后的消息不会再发给申请人（对方看到的仍是原来的内容）。如需更正，请重新发一条。"
FEEDBACK_DURING_HANDOFF = (
    "人工客服正在处理您的问题，这次对机器人回答的评价没有记录。有什么需要，请直接发消息给客服；"
    "返回机器人后可以继续评价新的回答。"
)
FILE_NAME_PERSONAL = (
    "抱歉，这个文件没有转给客服：文件名里有身份证号、手机号或银行账号。"
    "为了保护您的个人信息，请把文件改个名字（例如「法人身份证.pdf」）后重新发送。"
)
FILE_TOO_LARGE = (
    "抱歉，这个文件没有转给客服：文件大小 {size}MB，超过了认证资料 {most}MB 的上限"
    "（格式支持 JPG、PNG、PDF）。请压缩后重新发送。"
)
APPLICANT_MEDIA_CAPTION = "#{id} 申请人：{caption}"
APPLICANT_MEDIA_NO_CAPTION = "#{id} 申请人发来的图片/文件"
MEDIA_CAPTION_BELOW = "（说明太长，见下一条）"
AGENT_MEDIA_ONLY_TELEGRAM = (
    "⚠️ 这张图片/这个文件没有转给申请人：#{id} 的申请人不在 Telegram 上，只能收到文字。"
)
