"""FAQ answers at run time, for the actions: which topic to answer and what went unanswered.

    selection.py   from Rasa's parse: answer the top topic, offer the likeliest as buttons, or neither
    catalog.py     the topics and their answers, re-read when a topic file changes (no retrain needed)
    recorder.py    note a question the bot could not answer, for the editors, without delaying the reply

The topic files are read through bot.content.topic_files, the one reader and writer of them.
"""
