"""Every Chinese text of the status lookup: the status report applicants read, and the back office's output.

The report's texts are templates filled from the database. Every fact comes from
seed/dingtalk-intermediate-certification-guide.txt (timelines: 初审 1-2 个工作日, 复审 2-3 个工作日,
总体 3-5 个工作日; 打款 0.01 元到 1 元之间; the bot never states an amount). Fixed dialogue replies
live in domain.yml.
"""

from __future__ import annotations

from bot.db.models import ReasonCategory, Status

# --- the status report (bot/status/report.py) ----------------------------------------------------------------------------------

REPORT_HEADER = """申请编号：{application_id}
企业名称：{company_name}
当前状态：{status}（自 {since} 起，北京时间）"""

REPORT_LEVEL = "认证等级：{level}"
REPORT_LICENSE = "已上传的行业资质：《{license}》"
TIME_FORMAT = "{year}年{month}月{day}日 {hour:02d}:{minute:02d}"

NEXT_STEPS: dict[Status, str] = {
    Status.FIRST_REVIEW: """接下来：初审主要检查资料的完整性和基本一致性，一般在 1-2 个工作日内完成。
如需打款验证，钉钉会向您提供的企业对公账户打一笔小额款项；之后进入复审，复审一般需要 2-3 个工作日。整个认证流程一般需要 3-5 个工作日。""",
    Status.PAYMENT_VERIFICATION: """接下来：请完成打款验证。钉钉已向您提供的企业对公账户打了一笔小额款项（通常在 0.01 元到 1 元之间）。
1. 登录网银或前往银行柜台，查询这笔款项的准确金额；
2. 在钉钉后台输入该金额，完成验证。
注意：必须输入精确金额，不能四舍五入。我无法查看这笔款项，请以银行查询到的金额为准。
验证通过后申请进入复审，复审一般需要 2-3 个工作日。""",
    Status.SECOND_REVIEW: """接下来：复审由更高级别的审核员进行，会更仔细地核对所有资料的真实性、合规性，一般需要 2-3 个工作日。
审核通过后，您会收到钉钉的通知（短信和钉钉消息）。""",
    Status.APPROVED: """恭喜，您的企业已通过钉钉企业认证（中级）！
• 在企业信息页面可以看到「已认证」标识，认证等级显示为「中级」；
• 企业名片上会显示认证徽章，增加合作伙伴和客户的信任度；
• 部分高级功能会自动解锁，例如更大的存储空间、专属的客户支持、高级数据分析工具以及更多的企业应用权限；
• 认证企业可以享受更高级别的数据加密和隐私保护服务，部分只对认证企业开放的第三方应用也可以接入了。""",
    Status.REJECTED: """驳回原因及修改方法：
{reasons}
您可以立即重新提交申请。建议先按以上原因逐条修改完善资料后再提交，避免反复被驳回影响审核效率；重新提交后申请会再次进入初审（一般 1-2 个工作日）。""",
}

INDIVIDUAL_BUSINESS_APPROVED_NOTE = "提示：部分特殊功能可能对个体工商户有限制。"

REVIEW_FOOTER = """如遇资料不清晰、需要补充材料或节假日，审核时间可能会延长。钉钉会通过短信和钉钉消息发送通知，请保持手机畅通并及时查看；请不要在短时间内重复提交申请，以免申请被系统延迟处理。"""

REASON_ITEM = """{number}. 【{category}】{detail}
   修改方法：{fix}"""

REASON_FIXES: dict[ReasonCategory, str] = {
    ReasonCategory.UNCLEAR: "请重新上传清晰、完整的扫描件或照片，确保所有文字、印章、二维码清晰可辨，无反光、无遮挡；文件格式支持 JPG、PNG、PDF，大小不超过 5MB。",
    ReasonCategory.MISMATCH: "请对照营业执照逐字核对后修改：企业全称必须与营业执照上的名称完全一致，包括括号、空格等所有字符；统一社会信用代码、法人姓名、银行账户等信息也要与提交的证明文件一致。",
    ReasonCategory.EXPIRED: "请上传在有效期内的证件：身份证必须在有效期内，且信息与营业执照一致；营业执照需为最新年检版本。",
    ReasonCategory.LICENSE_MISSING: "请上传所属行业要求的许可证，例如教育培训机构需要《办学许可证》，医疗机构需要《医疗机构执业许可证》。",
    ReasonCategory.BANK_ACCOUNT: "请核对企业对公账户信息（企业名称、银行账号、开户行）是否准确，并上传开户许可证或银行出具的账户证明，确保可以完成打款验证。",
}

# --- python -m bot.status (bot/status/backoffice.py, __main__.py) -----------------------------------------------------------------------------

STATUS_CLI_HELP = (
    "认证申请后台管理：从 CSV 文件导入申请，或修改一条申请的状态（数据库地址取自环境变量 DATABASE_URL）。"
)
IMPORT_HELP = "从 CSV 文件导入或更新申请。先校验每一行，有任何一行不合格就什么都不写入。"
IMPORT_FILE_HELP = (
    "CSV 文件（UTF-8 或 GBK 编码）。第一行为表头，必填列：application_id、company_name、credit_code、"
    "entity_type（企业 或 个体工商户）、status；可选列：industry、industry_license、status_since、level、reasons。"
    "reasons 写成「类别：说明」，多条用分号隔开，类别为：资料不清晰、信息不一致、资料过期、行业资质缺失、银行账户问题。"
    "status_since 形如 2026-11-20 10:12（北京时间），留空则为导入时间。"
)
SET_STATUS_HELP = "修改一条申请的状态，并记入状态历史。"
SET_STATUS_ID_HELP = "申请编号（RZ + 12 位数字）"
SET_STATUS_STATUS_HELP = "新状态：初审中、待打款验证、复审中、已通过、已驳回"
SET_STATUS_REASON_HELP = "驳回原因「类别：说明」，可写多次；状态为已驳回时必填"
SET_STATUS_AT_HELP = "状态变更时间，形如 2026-11-20 10:12（北京时间），默认为现在"

ROW_ERROR = "第 {line} 行：{problem}"
IMPORT_REJECTED = "文件中有 {count} 处错误，没有写入任何数据："
IMPORT_DONE = "已导入 {total} 条申请：新增 {added} 条，更新 {updated} 条，记录状态变更 {changes} 次。"
SET_STATUS_DONE = "已将 {application_id} 的状态改为「{status}」（自 {since} 起，北京时间），并记入状态历史。"
SET_STATUS_UNCHANGED = "{application_id} 的状态已经是「{status}」，没有修改。"

FILE_UNREADABLE = "无法读取文件 {path}：{error}"
FILE_EMPTY = "文件是空的，没有表头。"
MISSING_COLUMNS = "表头缺少这些列：{columns}"
UNKNOWN_COLUMNS = "表头有无法识别的列：{columns}"
NO_ROWS = "文件里没有任何申请。"

BAD_APPLICATION_ID = "申请编号「{value}」格式不正确，应为 RZ + 12 位数字"
DUPLICATE_APPLICATION_ID = "申请编号 {value} 在文件中重复（第 {first_line} 行已出现）"
UNKNOWN_APPLICATION = "没有找到申请编号 {value}"
MISSING_COMPANY_NAME = "企业名称不能为空"
BAD_CREDIT_CODE = "统一社会信用代码「{value}」无效：{why}"
CREDIT_CODE_WHY = {
    "length": "应为 18 位",
    "format": "含有不允许的字符",
    "checksum": "校验位不正确",
    "component": "登记管理部门代码、机构类别或行政区划码不正确",
}
BAD_ENTITY_TYPE = "主体类型「{value}」无效，应为：企业、个体工商户"
BAD_STATUS = "状态「{value}」无效，应为：初审中、待打款验证、复审中、已通过、已驳回"
BAD_TIME = "时间「{value}」无法识别，请写成 2026-11-20 10:12 这样的格式"
FUTURE_TIME = "时间「{value}」晚于现在"
REASONS_REQUIRED = "状态为已驳回时必须填写驳回原因"
REASONS_NOT_ALLOWED = "只有已驳回的申请可以填写驳回原因"
BAD_REASON = "驳回原因「{value}」应写成「类别：说明」，类别为：资料不清晰、信息不一致、资料过期、行业资质缺失、银行账户问题"
LEVEL_NOT_ALLOWED = "只有已通过的申请可以填写认证等级"
TOO_LONG = "{field}过长（最多 {limit} 个字符）"
FIELD_NAMES = {
    "company_name": "企业名称",
    "industry": "行业",
    "industry_license": "行业资质",
    "level": "认证等级",
}

# --- the ETA of a review stage (bot/status/eta.py) -------------------------------------------------------------------------

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
ETA_DAY = "{month}月{day}日（{weekday}）"
ETA_YEAR = "{year}年"
ETA_ON_TIME = (
    "预计 {latest}前完成{stage}（{stage}一般需要 {low}-{high} 个工作日，从 {started}起按工作日计算）。"
)
ETA_OVERDUE = """很抱歉，您的申请{stage}已超出一般时长 {overdue_days} 个工作日：{stage}一般需要 {low}-{high} 个工作日，从 {started}起算，本应在 {latest}前完成。
资料不清晰、需要补充材料时审核可能会延长。如需人工帮您跟进，请发送「转人工」，客服会看到这条申请的编号。"""
ETA_OVERDUE_WEEKEND = """很抱歉，您的申请{stage}已超过一般时长：{stage}一般需要 {low}-{high} 个工作日，从 {started}起算，本应在 {latest}前完成。
资料不清晰、需要补充材料时审核可能会延长。如需人工帮您跟进，请发送「转人工」，客服会看到这条申请的编号。"""
ETA_WEEKENDS_ONLY = "（我还没有这段时间的法定节假日安排，以上日期只扣除了周末；遇到节假日会顺延。）"

# --- follow-ups about the reported application (bot/status/followups.py) ----------------------------------------------------

FOLLOW_UP_HEADER = "关于您刚查询的申请 {application_id}（{status}）："
NEXT_STEP_REJECTED = """请按下面的顺序逐条修改：
{reasons}
{materials}
改好后可以立即重新提交，申请会再次进入初审（一般 1-2 个工作日）。请一次改完再提交，避免反复被驳回影响审核效率。"""
NEXT_STEP_WAIT = """目前不需要您操作，等待审核即可。
{eta}
钉钉会通过短信和钉钉消息发送通知，请保持手机畅通并及时查看；请不要在短时间内重复提交申请，以免申请被系统延迟处理。"""
MATERIALS_INDIVIDUAL_BUSINESS = "您是个体工商户：需要提供营业执照和经营者的身份证（清晰、在有效期内，信息与营业执照一致）；文件格式支持 JPG、PNG、PDF，大小不超过 5MB。"
MATERIALS_ENTERPRISE = "需要上传的材料：营业执照（最新年检版本）、法定代表人身份证正反面、对公银行账户的开户许可证或银行出具的账户证明，特殊行业还需行业许可证；文件格式支持 JPG、PNG、PDF，大小不超过 5MB。"
TIMING_WITHOUT_ETA: dict[Status, str] = {
    Status.FIRST_REVIEW: "",
    Status.SECOND_REVIEW: "",
    Status.PAYMENT_VERIFICATION: "现在在等您完成打款验证：查到对公账户收到的小额款项的准确金额后，在钉钉后台输入即可。验证通过后进入复审，复审一般需要 2-3 个工作日。",
    Status.APPROVED: "您的申请已经通过了，不需要再等待。",
    Status.REJECTED: "这份申请已被驳回，不会再继续审核。按驳回原因修改后重新提交，会再次进入初审（一般 1-2 个工作日）。想知道怎么改，可以问我「下一步怎么做」。",
}
SLOW_APOLOGY = "抱歉让您久等了。"
SLOW_OFFER = "如需人工帮您跟进，请发送「转人工」，客服会看到这条申请的编号。"
