"""Every text an editor reads from the quality measurement (Chinese): the command line and the report.

Placeholders are filled with `str.format`. Code and logs stay in English elsewhere.
"""

from __future__ import annotations

# --- command line ---------------------------------------------------------------------------------

CLI_DESCRIPTION = "模型质量：在保留测试集上评估，生成报告。"
CLI_EVALUATE = "训练（如有需要）并在保留测试集上评估，生成报告"
CLI_ROOT = "项目根目录（默认为当前项目）"

# --- evaluation report ----------------------------------------------------------------------------

REPORT_TITLE = "NLU 评估报告"
REPORT_GENERATED = "生成时间：{when}　模型：`{model}`　保留测试集：{total} 条（其中 FAQ {faq} 条）"
REPORT_HEADLINE = "总体指标"
REPORT_HEADLINE_COLUMNS = ("指标", "本次", "修改前", "变化")
REPORT_HEADLINES = {
    "faq_top1_accuracy": "FAQ 首选主题正确率",
    "faq_answered_correctly": "FAQ 直接答对",
    "faq_answered_wrongly": "FAQ 直接答错",
    "faq_fell_back": "FAQ 改为给出选项或兜底",
    "out_of_scope_recall": "范围外问题被正确拒答",
    "macro_f1": "平均 F1（所有标签）",
}
REPORT_LOWER_IS_BETTER = frozenset({"faq_answered_wrongly", "faq_fell_back"})
REPORT_DIFF = "与修改前相比"
REPORT_NO_PREVIOUS = "这是第一次评估，没有可以比较的上次结果。"
REFERENCE_KINDS = {
    "started_from": "对比的是这次修改开始时的模型 `{model}`，它和本次模型用同一套保留测试集评估（{when}）。",
    "last_run": (
        "没有找到这次修改开始时的模型，对比的是上一次评估（{when}，模型 `{model}`）："
        "它可能用的是另一套测试问法，变化不一定都来自这次修改。"
    ),
}
REPORT_MAYBE_NOISE = "（可能是随机波动）"
REPORT_NOISE_NOTE = (
    "每个主题只有 4–5 条测试问法，一条问法答对或答错就会让 F1 变化 0.1–0.3。"
    "只差 {questions} 条测试问法的变化标为「可能是随机波动」：不要只凭它下结论。"
)
REPORT_UNTESTED = "测试问法不够的主题"
REPORT_UNTESTED_NOTE = (
    "下面这些主题的测试问法少于 {minimum} 条，报告说明不了它们答得好不好（在 FAQ 表格的「测试问法」列补充）："
)
REPORT_UNTESTED_LINE = "- {name}（`{key}`）：{count} 条测试问法"
REPORT_ALL_TESTED = "每个主题都有至少 {minimum} 条测试问法。"
REPORT_SUMMARY_UNTESTED = "测试问法不够的主题：{keys}"
FONT_MISSING = (
    "没有找到中文字体 {family}，混淆矩阵里的中文会画成方框。"
    "请先安装 Debian 包 fonts-noto-cjk（以 root 运行 make browser），再运行 make evaluate。"
)
INTENT_NAMES = {
    "out_of_scope": "范围外的问题",
    "nlu_fallback": "没听懂（兜底）",
    "uncertain": "不确定（给出选项）",
    "greet": "打招呼",
    "goodbye": "告别",
    "thank": "道谢",
    "bot_challenge": "问是不是机器人",
    "request_human": "要找人工客服",
    "cancel": "取消",
    "check_status": "查询申请进度",
    "faq": "FAQ（未分主题）",
}
"""Chinese names of the labels that are no FAQ topic (topics are named by their standard question)."""
REPORT_BETTER = "变好的主题"
REPORT_WORSE = "变差的主题"
REPORT_NEW_LABELS = "新主题（这次修改开始时的模型还不认识它们：没有可比的数字，不算变好）"
REPORT_GONE_LABELS = "不再出现的标签"
REPORT_NOTHING_CHANGED = "各主题的 F1 都没有变化（变化小于 {threshold}）。"
REPORT_NONE = "无"
REPORT_CHANGE_LINE = (
    "- {name}（`{label}`）：F1 {before:.2f} → {after:.2f}（{delta}；精确率 {dp}，召回率 {dr}）"
)
REPORT_PER_LABEL = "各主题的精确率、召回率和 F1"
REPORT_COLUMNS = ("主题", "标签", "测试问法数", "精确率", "召回率", "F1", "F1 变化")
REPORT_CONFUSED = "最容易混淆的主题"
REPORT_CONFUSED_COLUMNS = ("应为", "被认成", "次数", "例句")
REPORT_NO_CONFUSION = "没有混淆：保留测试集的每一条都被认成了正确的主题。"
REPORT_MATRIX = "混淆矩阵"
REPORT_MATRIX_NOTE = "行是应为的标签，列是模型认成的标签（首选），格子里是条数；对角线以外的格子就是认错的。"
REPORT_HOW_TO_READ = "怎么看这份报告"
REPORT_HOW_TO_READ_LINES = (
    "- **精确率**：模型认成这个主题的问题里，真正属于它的比例。低：别的问题被错认成它。",
    "- **召回率**：属于这个主题的问题里，被模型认出来的比例。低：这个主题的问法不够多样，可以补充用户说法。",
    "- **F1**：精确率和召回率的综合，越接近 1 越好。",
    "- 两个主题经常混淆时，检查它们的用户说法是否太像，或者是否应该合并。",
)
REPORT_SAVED = "报告已写入 {markdown}（混淆矩阵：{image}）"
REPORT_SUMMARY_BETTER = "变好：{labels}"
REPORT_SUMMARY_WORSE = "变差：{labels}"
REPORT_SUMMARY_NEW = "新主题：{labels}（开始时的模型还不认识它们，不算变好）"
CONSOLE_LOG = "Rasa 和 TensorFlow 的技术信息（警告、训练过程）写在 {log}，不显示在这里。"
EVALUATE_FAILED = "评估没有完成：{error}。详细的技术信息在 {log}，请把它发给开发人员。"

MATRIX_LABELS = ("混淆矩阵（保留测试集）", "模型认成的主题", "应为的主题", "占该行的比例")
"""Title, x axis, y axis and colour scale of the picture (drawn with the Noto Sans CJK font)."""

EVALUATING = "正在评估 {model}（{count} 条测试问法）…"
EVALUATING_REFERENCE = "正在评估这次修改开始时的模型 {model}，用同一套测试问法作对比…"
HELDOUT_SET = "===== 保留测试集 {name} ====="

# --- side by side with stock Rasa (bot/quality/side_by_side.py) -----------------------------------

COMPARISON_TITLE = "本项目与原装 Rasa 3.6 对比"
COMPARISON_GENERATED = "生成时间：{when}　两条流水线用同一份 data/ 训练，都没有用保留测试集训练。"
COMPARISON_COLUMNS = (
    "保留测试集",
    "流水线",
    "FAQ 问法",
    "直接答对",
    "答错",
    "改为给出选项或兜底",
    "范围外问题被正确拒答",
    "训练秒数",
)
PIPELINE_NAMES = {"ours": "本项目", "stock": "原装 Rasa 3.6"}
COMPARISON_NOTES = (
    (
        "- **原装 Rasa 3.6**：`rasa init` 的流水线换成 JiebaTokenizer（bot/quality/stock_config.yml）："
        "LexicalSyntacticFeaturizer、词和 char_wb 1–4 计数特征、DIETClassifier 与 ResponseSelector 各 100 轮、"
        "FallbackClassifier 0.3/0.1。它按 Rasa 自己的方式作答：意图是 faq 就回答 ResponseSelector 的第一名。"
    ),
    (
        "- **训练秒数**：本项目是 `make train` 的整次训练（记录在模型旁）；原装 Rasa 只训练 NLU"
        "（`rasa train nlu`，对话策略不影响这些数字）。— 表示没有记录。机器上同时有别的任务时会变慢。"
    ),
    "- 设置环境变量 EVALUATE_SKIP_STOCK=1 可以跳过原装 Rasa（只用于快速修改；默认包含）。",
)
COMPARISON_SKIPPED = "按 EVALUATE_SKIP_STOCK 的要求，这次没有评估原装 Rasa。"
COMPARISON_SAVED = "对比已写入 {markdown}"
TRAINING_STOCK = "准备原装 Rasa 3.6 作对比（数据或配置改变后才重新训练，很慢：这台机器上要半小时以上）…"
EVALUATING_STOCK = "正在评估原装 Rasa 3.6 {model}（{count} 条测试问法）…"

# Applicants' feedback on answers (bot/quality/feedback.py)
REPORT_FEEDBACK = "用户对回答的评价（👍 率）"
REPORT_FEEDBACK_NOTE = (
    "来自运行中的机器人（数据库 {database}）：每个主题被回答的次数、👍 和 👎 的次数，👍 率 = 👍 ÷（👍 + 👎）。"
    "👎 包括回答后马上说「没解决」「不对」和马上换个说法又问（见 bot/answers/rephrasing.py）；这些问题在未解答问题表里标为「答错了」。"
)
REPORT_FEEDBACK_COLUMNS = ("主题", "标签", "回答次数", "👍", "👎", "👍 率")
REPORT_FEEDBACK_NONE = "还没有用户评价过回答。"
REPORT_FEEDBACK_UNAVAILABLE = "读不到用户评价（{detail}）；先运行 make db。"
REPORT_SUMMARY_FEEDBACK = "用户评价：{voted} 次评价，👍 率 {rate}（各主题见报告）"
