# One-command entry points. `make run` and `make test` are all a newcomer needs (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help run run-production haproxy shell test unit lint typecheck reliability train db deps browser evaluate bench lock clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: train db ## set everything up and start the bot (REST + socket.io on 127.0.0.1:5005)
	$(PY) -m bot.run

PRODUCTION_DATABASE := dingtalk_bot
PRODUCTION_DATABASE_URL := postgresql+psycopg2://postgres@127.0.0.1:5432/$(PRODUCTION_DATABASE)

run-production: train haproxy ## RASA_WORKERS (default: the cores) Rasa workers behind HAProxy on 127.0.0.1:5005; PostgreSQL, Redis
	@if [ -z "$$DATABASE_URL" ]; then \
	  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(PRODUCTION_DATABASE)'" | grep -q 1 \
	    || createdb -h 127.0.0.1 -U postgres $(PRODUCTION_DATABASE); \
	fi
	ports="$${RASA_WORKER_PORTS//[^,]/}"; [ -n "$$RASA_WORKER_PORTS" ] && default_workers=$$(( $${#ports} + 1 )) || default_workers=$$(nproc); \
	export RASA_WORKERS="$${RASA_WORKERS:-$$default_workers}" DATABASE_URL="$${DATABASE_URL:-$(PRODUCTION_DATABASE_URL)}"; \
	export TRACKER_STORE_URL="$${TRACKER_STORE_URL:-$$DATABASE_URL}" REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}"; \
	$(PY) -m bot.db init && exec $(PY) -m bot.run

haproxy: ## install HAProxy (Debian package, as root) when it is missing
	@command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || { \
	  if ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ]; then \
	    echo "make run-production needs HAProxy (Debian package haproxy). Install it as root: make haproxy" >&2; exit 1; \
	  fi; \
	  echo "Installing haproxy"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy; }

shell: train db ## chat with the bot in this terminal
	$(PY) -m bot.run --shell

TEST_WORKERS ?= 3
test: train browser haproxy ## run every test (data validation, NLU gate, conversations, actions, gateway, web chat in Chromium)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

unit: deps ## the tests that need no trained model and no Rasa (everything not marked `rasa`)
	$(PY) -m pytest -m "not rasa"

lint: deps ## ruff check and ruff format --check over the whole tree, then mypy on bot/ and actions/
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

typecheck: deps ## mypy on bot/ and actions/ alone (part of lint)
	$(PY) -m mypy

RELIABILITY_DIR := var/reliability
GATEWAY_FAULT_TESTS := tests/bot/gateway/test_end_to_end.py::test_telegram_429_and_network_errors \
	tests/bot/gateway/test_end_to_end.py::test_killed_mid_conversation_nothing_lost_nothing_doubled \
	tests/bot/gateway/test_delivery.py::test_agents_group_became_a_supergroup \
	tests/bot/gateway/test_delivery.py::test_slow_empty_and_failed_turns_are_never_silent

reliability: train ## bad input, faults, canary, security and load (max N); prints the figures
	@mkdir -p $(RELIABILITY_DIR) && rm -f $(RELIABILITY_DIR)/figures.jsonl
	RELIABILITY_FIGURES=$(RELIABILITY_DIR)/figures.jsonl RELIABILITY_LOAD=1 $(PY) -m pytest -q -s \
	  tests/reliability $(GATEWAY_FAULT_TESTS) --junitxml=$(RELIABILITY_DIR)/junit.xml; \
	status=$$?; $(PY) -m tests.reliability.summary $(RELIABILITY_DIR); exit $$status

train: deps ## train the model if config.yml, domain.yml or data/ changed
	$(PY) -m bot.train

db: deps ## create or migrate the database and seed the demo applications
	$(PY) -m bot.db init

evaluate: ## (trains first when needed) evaluate NLU on both held-out sets beside stock Rasa 3.6 (EVALUATE_SKIP_STOCK=1 skips it); reports in docs/reports/
	$(PY) -m bot.quality evaluate

bench: train ## quality vs a baseline, latency/throughput (both profiles), costs, stock Rasa 3.6 side by side; docs/benchmarks.md (~11 min; stock Rasa trains once per content, 12+ min more; BENCH_SKIP_STOCK=1 skips it)
	$(PY) -m bench $(BENCH_ARGS)

deps: $(STAMP) ## create .venv with Python 3.10, install the pinned dependencies and the project (editable)

$(PY):
	@interpreter="$$(scripts/find_python310)" || exit 1; \
	echo "Creating $(VENV) with $$interpreter"; \
	"$$interpreter" -m venv $(VENV)

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade 'pip==24.0'
	$(PY) -m pip install --quiet --no-deps -r requirements.lock -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation --editable .
	rm -f "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/dingtalk_cert_bot.pth"  # older Makefiles wrote it
	$(PY) -m pip check
	touch $@

BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji

browser: ## install headless Chromium, its driver and CJK fonts for the web chat's browser tests (Debian, as root)
	@missing=""; \
	for package in $(BROWSER_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ]; then \
	  echo "The web chat's browser tests need:$$missing (Debian packages). Install them as root: make browser" >&2; \
	  exit 1; \
	fi; \
	echo "Installing$$missing"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q$$missing

lock: | $(PY) ## re-pin requirements.lock and requirements-dev.lock from the .in files (from the registry)
	$(PY) scripts/pin_requirements.py requirements.in > requirements.lock.new
	mv requirements.lock.new requirements.lock
	$(PY) scripts/pin_requirements.py requirements-dev.in --beyond requirements.lock > requirements-dev.lock.new
	mv requirements-dev.lock.new requirements-dev.lock

clean: ## remove trained models, databases and logs (keeps .venv)
	rm -rf models var .rasa results
