"""`make bench`: measure the bot (answer quality, latency, throughput, costs) and write docs/benchmarks.md.

    python -m bench            # the full run (15–20 minutes on a quiet 2-core machine)
    python -m bench --quick    # a smoke run with few messages (figures are not representative)

Modules: `machine` (the box and process memory), `quality` (Rasa vs the scikit-learn baseline),
`load` (concurrent REST applicants), `profiles` (starting the embedded and the production
profile), `costs` (training, retraining, model size), `targets` (the issue's targets),
`report` (docs/benchmarks.md and .json), `__main__` (runs them in order).
"""
