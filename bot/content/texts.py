"""Every text a content editor reads from the editors' commands (Chinese), in one place.

Placeholders are filled with `str.format`. Code and logs stay in English elsewhere.
"""

from __future__ import annotations

# --- command line ---------------------------------------------------------------------------------

CLI_DESCRIPTION = (
    "FAQ 编辑工具：导出/导入表格、检查内容、处理未解答的问题（评估模型用 python -m bot.quality evaluate）。"
)
CLI_EXPORT = "把所有 FAQ 主题导出到 Excel 表格"
CLI_IMPORT = "把编辑好的 Excel 表格导入回主题文件（先整体检查，有错误则什么都不写）"
CLI_CHECK = "检查 FAQ 内容（重复说法、说法太少、答案缺失或过长、与事实不符、引用不存在的主题）"
CLI_UNANSWERED = "机器人没能回答的问题：导出到表格、把归好类的问题导入为训练说法"
CLI_UNANSWERED_EXPORT = "导出未处理的问题（问得最多的在前）"
CLI_UNANSWERED_IMPORT = "导入填好「归入主题」的表格：把问题加入主题并标记为已处理"
CLI_FORCE = "覆盖已经存在的文件"
CLI_FILE = "Excel 文件路径（.xlsx）"
CLI_ROOT = "项目根目录（默认为当前项目）"
CLI_FAILED = "失败："

# --- FAQ spreadsheet ------------------------------------------------------------------------------

FAQ_SHEET = "FAQ"
HELP_SHEET = "使用说明"
COL_KEY = "主题键"
COL_QUESTION = "标准问题"
COL_ANSWER = "答案"
COL_PHRASINGS = "用户说法（每行一条）"
COL_NOTES = "备注"
COL_ACTION = "操作"
DELETE_MARK = "删除"

COL_TESTS = "测试问法（只用来评估）"
DELETE_MARK_PROMPT = "留空，或选「删除」删除这个主题"
DELETE_MARK_ERROR = "「操作」只能留空或选「删除」"

FAQ_HELP = (
    "「FAQ」表里每个主题占若干行：每条用户说法一行，每条测试问法一行，每一行都填着主题键（方便筛选和排序）。",
    (
        "「主题键」：小写英文字母、数字和下划线，以字母开头，最多 40 个字符，例如 fees、legal_rep_change。已有主题的键不要修改。"
        "在主题中间插入一行时，主题键可以留空：留空的行属于上一行的主题。"
    ),
    "「标准问题」「答案」「备注」：只在主题的一行里填写（导出时在第一行）。",
    "「标准问题」：一句话，在机器人不确定时作为按钮标题显示给用户；评估报告也用它称呼这个主题。",
    (
        "「答案」：机器人发给用户的完整回答，可以换行。不要超过 4096 个字符，建议不超过 800 字。"
        "答案里的电话、文件大小和格式、打款金额、各审核阶段的工作日（「10个工作日」「一周」「两三个工作日」也算）必须与 data/facts.yml 一致；"
        "审核阶段的时长要写成工作日（「3天」「48小时」会被拒绝）。"
    ),
    (
        "「用户说法」：用户可能的问法，每行一条（一个单元格里不要换行），每个主题至少 {min_phrasings} 条，每条不超过 200 字。"
        "同一说法不能出现在两个主题里。不要写入手机号、身份证号等个人信息，也不要写入含有 ****、×××× 的文字（那是隐藏了的个人信息）。"
        "所有单元格都请填文字：公式、数字格式或日期格式的单元格会被拒绝。"
    ),
    (
        "「测试问法」：另外写的、和用户说法不一样的问法，一行一条，每个主题至少 {min_tests} 条。"
        "它们写进保留测试集（tests/data/heldout_nlu.yml），只用来在 make evaluate 里检验模型，从不用来训练。"
    ),
    "「备注」：给编辑看的说明（例如资料来源），机器人不会使用。",
    "「操作」：一般留空。在主题的任意一行选「删除」，会删除这个主题的文件和它的测试问法。表格里没有的主题不会被删除，保持原样。",
    "新增主题：在末尾加几行，填写新的主题键、标准问题、答案、用户说法和测试问法。",
    (
        "导入：python -m bot.content import 文件名.xlsx —— 先检查整张表（规则和 python -m bot.content check 完全相同），"
        "有任何错误都不会修改文件。导出之后别人（或 unanswered import）改过的主题，这张表格不能再改它：请重新导出。"
    ),
    (
        "修改答案不需要重新训练；修改用户说法后需要重新训练（make train 或 make evaluate）。"
        "正在运行的机器人会自动换用新模型，不需要重启。"
    ),
)

ERR_CANNOT_OPEN = "无法打开表格 {path}：{detail}"
ERR_NO_SHEET = "表格里没有名为「{sheet}」的工作表。"
ERR_HEADER = "第 1 行：表头应为「{expected}」，实际是「{actual}」。请使用导出的表格，不要改动表头。"
ERR_ROW = "第 {row} 行{topic}「{column}」列：{message}"
ERR_ROW_ONLY = "第 {row} 行{topic}：{message}"
ROW_TOPIC = "（主题 {key}）"
TOPIC_PREFIX = "主题 {key}："
SHEET_ROW = "表格第 {row} 行"
ERR_SUMMARY = "表格有 {count} 处错误，没有修改任何文件："

MSG_REQUIRED = "不能为空"
MSG_KEY_FORMAT = "「{key}」不是有效的主题键（只能用小写英文字母、数字和下划线，以字母开头，最多 40 个字符）"
MSG_STALE_CHANGED = (
    "主题「{key}」在导出这张表格之后被修改过（另一次导入或 unanswered import），导入会把那些修改改回去："
    "没有导入任何内容。请重新导出（python -m bot.content export）后在新表格里修改"
)
MSG_STALE_DELETED = (
    "主题「{key}」在导出这张表格之后被删除了，导入会把它恢复：没有导入任何内容。"
    "请重新导出（python -m bot.content export）后在新表格里修改"
)
MSG_STALE_CREATED = (
    "主题「{key}」是在导出这张表格之后才建立的，导入会覆盖它：没有导入任何内容。"
    "请重新导出（python -m bot.content export）后在新表格里修改"
)
MSG_FORMULA = "是公式（{formula}），请直接填写文字（公式的结果不会被导入）"
MSG_NOT_TEXT = "是{kind}（{value}），请把单元格设为「文本」格式后重新填写文字"
MSG_CELL_KINDS = {"n": "数字", "d": "日期", "b": "真/假值", "e": "错误值"}
MSG_LINE_BREAK = "一个单元格里只能写一条（单元格里有换行）：请每条各占一行"
MSG_NO_VISIBLE_TEXT = "「{text}」没有文字（只有表情、空白或看不见的字符）"
MSG_TOO_LONG_PHRASING = "有 {length} 个字，超过 {limit} 字：用户说法和测试问法应当是一句问话"
MSG_BAD_CHARACTER = "含有无法保存的字符（{detail}），请重新输入这一格"
MSG_PERSONAL = "「{text}」含有真实的个人信息（手机号、身份证号等），不能用作用户说法或测试问法：请改写成不含个人信息的问法"
MSG_GIVEN_TWICE = "这个主题的「{column}」已经在第 {row} 行填写了，只能在一行里填写"
MSG_ONE_LINE = "只能写一行"
MSG_ACTION_UNKNOWN = "只能留空或填写「{mark}」，不能填「{value}」"
MSG_DELETE_UNKNOWN = "要删除的主题「{key}」不存在"
MSG_DELETE_REFERENCED = "主题「{key}」仍被引用，不能删除（先请开发人员去掉这些引用）：{places}"
MSG_ANSWER_TOO_LONG = "答案有 {length} 个字符（按 Telegram 的 UTF-16 计算），超过上限 {limit}"
MSG_NO_PHRASINGS = "至少要有一条用户说法"
MSG_PHRASING_REPEATED = "「{text}」在这个主题里重复了{same}"
MSG_PHRASING_IN_ROW = "「{text}」已在第 {row} 行（主题 {key}）中出现{same}"
MSG_SAME_AS = "（与「{other}」算作相同的说法）"
MSG_PHRASING_IN_INTENT = "「{text}」已是 {intent} 的训练说法（{where}）"
MSG_PHRASING_HELDOUT = "「{text}」在保留测试集里（{where}），不能用作训练说法"

MSG_FEW_PHRASINGS = "主题 {key} 只有 {count} 条用户说法，至少需要 {minimum} 条"
MSG_FEW_TESTS = "主题 {key} 只有 {count} 条测试问法，至少需要 {minimum} 条（测试问法只用来评估，不用来训练）"
MSG_TESTS_IN_FAQ_SHEET = "；新主题请在 FAQ 表格（python -m bot.content export）里建立，那里有「测试问法」列"
MSG_DID_YOU_MEAN = "。主题键拼错了吗？您是不是想写「{keys}」"
MSG_MASKED = "「{text}」含有隐藏的个人信息（****），不能用作用户说法或测试问法：请改写成不含个人信息的问法，或者不要加入"
MSG_TEST_REPEATED = "测试问法「{text}」在这个主题里重复了"
MSG_TEST_IN_OTHER_TOPIC = "测试问法「{text}」已是主题 {key} 的测试问法（{where}）"
MSG_TEST_IS_TRAINING = "测试问法「{text}」也是 {intent} 的训练说法：测试问法不能用来训练，否则评估结果会偏高"
WARN_LONG_ANSWER = "主题「{key}」的答案有 {length} 个字，建议不超过 {limit} 字"

IMPORT_DONE = (
    "导入完成：新增 {created} 个主题，修改 {changed} 个，删除 {deleted} 个，{unchanged} 个没有变化。"
)
IMPORT_NOT_IN_SHEET = "表格里没有这些主题，它们保持不变：{keys}"
IMPORT_TESTS_CHANGED = "这些主题的测试问法已写入保留测试集（tests/data/heldout_nlu.yml）：{keys}"
IMPORT_RETRAIN = "用户说法有变化，请运行 make evaluate（会重新训练）看看效果。"
IMPORT_ANSWERS_ONLY = "只修改了答案或备注：不需要重新训练，机器人会直接使用新答案。"
EXPORT_NOT_XLSX = "导出的文件名要以 .xlsx 结尾：{path}"
EXPORT_IS_FOLDER = "{path} 是一个文件夹：请写文件名，例如 {path}/faq.xlsx"
EXPORT_EXISTS = "{path} 已经存在：换一个文件名，或加上 --force 覆盖它"
EXPORT_FAILED = "无法写入 {path}：{detail}"
EXPORT_DONE = "已导出 {count} 个主题到 {path}"

# --- check ----------------------------------------------------------------------------------------

WARNING_PREFIX = "警告："
CHECK_OK = "检查通过：{topics} 个主题，{phrasings} 条说法，没有发现错误。"
CHECK_FAILED = "检查发现 {errors} 个错误、{warnings} 个警告。"
CHECK_WARNINGS_ONLY = "检查通过（{topics} 个主题），但有 {warnings} 个警告。"

CHK_UNREADABLE = "无法读取：{detail}"
CHK_NOT_A_TOPIC = "不是有效的 FAQ 主题文件：{detail}"
CHK_FILE_NAME = "文件名应与主题键一致：主题是 faq/{key}，文件名应为 {key}.yml"
CHK_KEY_FORMAT = "主题键「{key}」无效（只能用小写英文字母、数字和下划线，以字母开头）"
CHK_NOT_CANONICAL = "文件不是标准格式，下一次从表格导入时会被重写（内容不变）"
CHK_DUPLICATE = "说法「{text}」同时属于 {intent} 和 {other_intent}（{where}）"
CHK_DUPLICATE_SAME = "说法「{text}」在 {intent} 里重复（{where}）"
CHK_FEW_PHRASINGS = "主题 {key} 只有 {count} 条用户说法，至少需要 {minimum} 条"
CHK_FEW_TESTS = "主题 {key} 只有 {count} 条测试问法（{heldout}），至少需要 {minimum} 条"
CHK_NO_QUESTION = "主题 {key} 没有标准问题（metadata.question）"
CHK_NO_ANSWER = "主题 {key} 没有答案（utter_faq/{key}）"
CHK_ANSWER_TOO_LONG = "答案有 {length} 个字符（按 Telegram 的 UTF-16 计算），超过上限 {limit}"
CHK_ANSWER_LONG = "答案有 {length} 个字，建议不超过 {limit} 字"
CHK_HELDOUT_LEAK = "保留测试集的说法「{text}」出现在训练数据里（{where}），评估结果会偏高"
CHK_UNKNOWN_TOPIC = "引用了不存在的主题「{key}」（data/nlu/faq/{key}.yml 不存在）"
CHK_SUGGESTION = "答案建议用户问「{text}」，但训练数据里没有这个说法，机器人未必能识别"
CHK_FACTS_BROKEN = "事实文件有误：{detail}"

# --- facts ----------------------------------------------------------------------------------------

FACT_PHONE = "电话号码 {found} 与事实不符：客服电话是 {expected}（见 data/facts.yml）"
FACT_SIZE = "文件大小 {found} 与事实不符：上限是 {expected}MB（见 data/facts.yml）"
FACT_FORMAT = "文件格式 {found} 与事实不符：支持的格式是 {expected}（见 data/facts.yml）"
FACT_AMOUNT = "打款金额 {found} 元与事实不符：打款金额在 {low} 元到 {high} 元之间（见 data/facts.yml）"
FACT_DAYS = "「{stage}」的时长写成了 {found} 个工作日，事实是 {expected} 个工作日（见 data/facts.yml）"
FACT_DAYS_STATED = (
    "「{stage}」的时长写成了「{found}」{worth}，事实是 {expected} 个工作日（见 data/facts.yml）"
)
FACT_DAYS_WORTH = "（约 {days} 个工作日）"
FACT_DAYS_NOT_WORKING = (
    "「{stage}」的时长写成了「{found}」：审核时长只按工作日计算，请写成工作日"
    "（事实是 {expected} 个工作日，见 data/facts.yml）；天数和小时数会因周末、节假日而不同"
)
FACT_DAYS_NO_STAGE = (
    "「{found}」{worth}：看不出说的是哪个审核阶段，也不在任何阶段的时长之内（见 data/facts.yml）："
    "请写明阶段（初审、复审、整个流程）并写对时长"
)
FACT_MASKED = "答案里有被隐藏的号码「{found}」，用户没法使用：请写完整的号码（客服电话是 {expected}）"
FACT_DAYS_UNKNOWN = "{found} 个工作日：看不出说的是哪个审核阶段，也不是任何阶段的时长（见 data/facts.yml）"
FACT_FILE_INVALID = "{path}：{detail}"

# --- unanswered questions -------------------------------------------------------------------------

UNANSWERED_SHEET = "未解答的问题"
TOPICS_SHEET = "现有主题"
UCOL_ID = "编号"
UCOL_TEXT = "用户问题（已隐藏个人信息，可修改后导入）"
UCOL_COUNT = "次数"
UCOL_REASONS = "原因"
UCOL_FIRST = "首次出现（北京时间）"
UCOL_LAST = "最近出现（北京时间）"
UCOL_ANSWERED = "给出的回答（答错了时）"
UCOL_TOPIC = "归入主题（填主题键；填「忽略」则不再列出）"
UCOL_NEW_QUESTION = "新主题的标准问题"
UCOL_NEW_ANSWER = "新主题的答案"
IGNORE_MARK = "忽略"
REASONS = {
    "fallback": "没听懂",
    "out_of_scope": "超出范围",
    "uncertain": "不确定（给了选项）",
    "handoff": "转人工",
    "wrong_answer": "答错了",
}
TOPIC_LIST_COLUMNS = ("主题键", "标准问题")

MSG_UNKNOWN_ID = "编号 {id} 不存在"
MSG_ALREADY_HANDLED = "编号 {id} 已经处理过了"
MSG_NEW_TOPIC_NEEDS = (
    "主题「{key}」还不存在：要新建它，请在这一行或同一主题的另一行填写「新主题的标准问题」和「新主题的答案」"
)
MSG_UNKNOWN_TOPIC_DID_YOU_MEAN = "主题「{key}」不存在。您是不是想写「{keys}」？（现有主题见「现有主题」表）"
MSG_NEW_TOPIC_CONFLICT = "新主题「{key}」的{column}与第 {row} 行填写的不一样"
MSG_IN_OTHER_TOPIC = "「{text}」已是主题 {key} 的说法（{where}），不能再归入 {target}"

UNANSWERED_HELP = (
    "「未解答的问题」：机器人没能回答的用户问题（没听懂、超出范围、不确定而给了选项、转人工），以及用户说答错了的问题（点了 👎、回答后马上说「没解决」「不对」，或马上换个说法又问了一次），问得最多的在前。",
    "「给出的回答」列：答错了的问题当时得到的是哪个主题的回答（主题键：标准问题）。把问题归入正确的主题，机器人以后就能答对。",
    "个人信息（身份证号、手机号、银行账号）已经用 * 隐藏。含有 **** 的问题不能原样加入：请在「用户问题」里改写成不含个人信息的问法，或填「忽略」。",
    "「首次出现」「最近出现」都是北京时间（UTC+8）。",
    "在「归入主题」列填写主题键（见「现有主题」表），这条问题就会作为用户说法加入该主题。需要时可以先修改「用户问题」的措辞。",
    (
        "要新建主题：填写一个新的主题键，并在「新主题的标准问题」「新主题的答案」两列填写内容（同一个新主题只需填一次）。"
        "新主题至少要有 {min_phrasings} 条用户说法和 {min_tests} 条测试问法，通常先在 FAQ 表格（python -m bot.content export）里建立，再把问题归入它。"
    ),
    "不值得加入的问题（无意义、广告等）：在「归入主题」列填写「忽略」，它就不会再出现在导出的表格里。",
    "留空的行保持未处理，下次导出还会出现。",
    "导入：python -m bot.content unanswered import 文件名.xlsx —— 先检查所有填写的行，有任何错误都不会修改文件。",
    "导入后请运行 python -m bot.content check 和 make evaluate（新增说法需要重新训练）。",
)
NEW_TOPIC_NOTES = "由未解答的问题新建，请补充用户说法（至少 {minimum} 条）和测试问法"
UNANSWERED_ALREADY_HANDLED = "{count} 行之前已经处理过，这次跳过。"
UNANSWERED_EXPORT_DONE = "已导出 {count} 个未处理的问题到 {path}"
UNANSWERED_EXPORT_EMPTY = "没有未处理的问题；已导出一张空表到 {path}"
UNANSWERED_IMPORT_DONE = (
    "导入完成：{added} 条说法加入了 {topics} 个主题（新建 {created} 个），"
    "{duplicates} 条已存在而跳过，{ignored} 条标记为忽略，{skipped} 行未填主题保持未处理。"
)
UNANSWERED_DB_MISSING = "数据库还没有初始化（没有未解答问题的表），请先运行 make db。"
UNANSWERED_DB_FAILED = "无法访问数据库：{detail}"
