"""How well the bot answers, measured on the held-out set (`python -m bot.quality evaluate`, `make evaluate`).

evaluation.py  what the bot would do with each held-out question; accuracy and per-label figures
reference.py   what a model is compared with: the model the edit started from, on the same questions
report.py      docs/reports/: Markdown, confusion-matrix picture, changes (and which may be chance)
baseline.py    the yardstick: a scikit-learn classifier trained on the same data, scored the same way
texts.py       the Chinese texts of the command and the report
"""
