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
REPORT_HEADLINE_COLUMNS = ("指标", "本次", "上次", "变化")
REPORT_HEADLINES = {
    "faq_top1_accuracy": "FAQ 首选主题正确率",
    "faq_answered_correctly": "FAQ 直接答对",
    "faq_answered_wrongly": "FAQ 直接答错",
    "faq_fell_back": "FAQ 改为给出选项或兜底",
    "out_of_scope_recall": "范围外问题被正确拒答",
    "macro_f1": "平均 F1（所有标签）",
}
REPORT_LOWER_IS_BETTER = frozenset({"faq_answered_wrongly", "faq_fell_back"})
REPORT_DIFF = "与上次相比"
REPORT_NO_PREVIOUS = "这是第一次评估，没有可以比较的上次结果。"
REPORT_PREVIOUS_RUN = "上次评估：{when}，模型 `{model}`。"
REPORT_BETTER = "变好的主题"
REPORT_WORSE = "变差的主题"
REPORT_NEW_LABELS = "新出现的标签"
REPORT_GONE_LABELS = "不再出现的标签"
REPORT_NOTHING_CHANGED = "各主题的 F1 都没有变化（变化小于 {threshold}）。"
REPORT_NONE = "无"
REPORT_CHANGE_LINE = (
    "- `{label}`：F1 {before:.2f} → {after:.2f}（{delta:+.2f}；精确率 {dp:+.2f}，召回率 {dr:+.2f}）"
)
REPORT_PER_LABEL = "各主题的精确率、召回率和 F1"
REPORT_COLUMNS = ("标签", "样本数", "精确率", "召回率", "F1", "F1 变化")
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

MATRIX_LABELS = ("混淆矩阵（保留测试集）", "模型认成的标签", "应为的标签", "占该行的比例")
"""Title, x axis, y axis and colour scale of the picture, when a font that renders Chinese is installed."""
MATRIX_LABELS_ASCII = (
    "Confusion matrix (held-out set)",
    "predicted label (top-1)",
    "expected label",
    "share of the row",
)
"""The same in ASCII: without a Chinese font matplotlib would draw empty boxes."""
HELDOUT_SET = "===== 保留测试集 {name} ====="
