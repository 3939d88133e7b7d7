# crbench: `make report` measures and writes the chapter; `make test` runs every test.
# Both install what they need first (Debian packages, npm ci), once.
SHELL := /bin/bash
MATRIX ?= experiments/chapter5.yaml
NAME := $(basename $(notdir $(MATRIX)))
RESULTS ?= results/$(NAME)
REPORT ?= reports/$(NAME)
CRBENCH := node bin/crbench.js

.PHONY: all install timer report rerun test test-unit check typecheck lint clean distclean teardown help bench docs

all: help

help:
	@echo "make report    measure $(MATRIX) into $(RESULTS) and write $(REPORT)/ (MATRIX=... for another)"
	@echo "make rerun     delete $(RESULTS) and measure again"
	@echo "make test      every test, the root-only integration tests included"
	@echo "make check     typecheck + lint + test"
	@echo "make bench     the clock against hyperfine, analysis and report rendering at 100,000 samples"
	@echo "make clean     teardown + remove generated reports;  make distclean also removes results/ runs"

install: .install-stamp timer
.install-stamp: package.json package-lock.json scripts/install-deps.sh
	bash scripts/install-deps.sh
	touch $@

# The native timer (C, the host's cc): built by make install, rebuilt when its source changes.
TIMER := build/crbench-timer
timer: $(TIMER)
$(TIMER): pipeline/run/executor/crbench-timer.c
	@mkdir -p build
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

# A finished run is rendered as it is; an unfinished one makes `crbench run` say what to do.
report: install
	@if grep -qs '"endedAt": "' $(RESULTS)/manifest.json; then \
	  echo "$(RESULTS) holds a finished run: rendering it (make rerun to measure again)"; \
	else \
	  $(CRBENCH) run $(MATRIX) --results $(RESULTS); \
	fi
	$(CRBENCH) report $(RESULTS) --out $(REPORT)
	@echo "chapters: $(REPORT)/chapter4.md, chapter5.md, appendix.md, measurements.html, measurements.pdf (chapter5.pdf alone)"

rerun:
	rm -rf $(RESULTS)
	$(MAKE) report MATRIX=$(MATRIX)

# As root every integration test must run or fail: a pending (skipped) test fails the run.
test: install
	npx mocha $(if $(filter 0,$(shell id -u)),--forbid-pending)

test-unit: install
	npx mocha --exclude 'test/integration/**'

typecheck: install
	npx tsc --noEmit

lint: install
	npx eslint .

check: typecheck lint test

# The README's matrix reference is generated from the schema; make test checks it is current.
docs: install
	node --import tsx scripts/matrix-reference.ts --write

# Benchmarks print times and ratios; they are not tests (these machines are shared and noisy).
bench: install
	node --import tsx bench/clock-bench.ts
	@for bench in bench/analyse-bench.ts bench/report-bench.ts; do \
	  if [ -f $$bench ]; then node --import tsx $$bench || exit 1; fi; \
	done

teardown:
	-[ -d node_modules ] && $(CRBENCH) teardown

clean: teardown
	rm -rf $(filter-out reports/templates/,$(wildcard reports/*/))

distclean: clean
	rm -rf $(filter-out results/reference/,$(wildcard results/*/)) node_modules .install-stamp
