# mdfs: every target installs what it needs first (a venv in .venv), so a fresh clone needs only
# Python 3.11 and Java 17. `make demo` runs the pipeline on the sample crawl; `make test` the tests.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PYSPARK_PYTHON := $(abspath $(PY))
export PYSPARK_DRIVER_PYTHON := $(abspath $(PY))

OUT    ?= out/demo
SAMPLE ?= build/sample/sample_crawl.warc.gz
IN     ?=
CONFIG ?=
SET    ?=
ARGS   ?=
DATA   ?= ../shared/data
RUNARGS = $(if $(CONFIG),--config $(CONFIG)) $(foreach s,$(SET),--set $(s)) $(ARGS)

.PHONY: setup demo test collect coarse quality train-quality dedup fine sample summary bench bench-extract bench-collect bench-rules bench-quality bench-minhash bench-dedup check-megatron eval-rules clean help

help:
	@echo "make demo   - install, generate the sample crawl, run the pipeline, print where outputs are"
	@echo "make test   - install and run the test suite"
	@echo "make collect IN=<files|dirs|globs> OUT=<run dir>   (also CONFIG=… SET='a.b=c …' ARGS=--overwrite)"
	@echo "make coarse|quality|dedup|fine OUT=<run dir> [IN=<parquet dir>]  (default input: the previous finished stage's kept/)"
	@echo "make train-quality DATA=../shared/data   - rebuild quality_models/zh_quality.ftz and its MODEL_CARD.md"
	@echo "make bench  - benchmarks (bench/RESULTS.md)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

$(SAMPLE): $(STAMP) $(wildcard mdfs/sample/*.py)
	$(PY) -m mdfs.cli sample --out $(SAMPLE)

sample: $(SAMPLE)

demo: $(SAMPLE)
	$(PY) -m mdfs.cli run collect --input $(SAMPLE) --output $(OUT) $(RUNARGS)
	$(PY) -m mdfs.cli run coarse --output $(OUT) $(RUNARGS)
	$(PY) -m mdfs.cli run quality --output $(OUT) $(RUNARGS)
	$(PY) -m mdfs.cli run dedup --output $(OUT) $(RUNARGS)
	$(PY) -m mdfs.cli run fine --output $(OUT) $(RUNARGS)
	@echo
	@echo "== per-stage summary ($(OUT)) =="
	@$(PY) -m mdfs.cli summary $(OUT)
	@echo
	@echo "outputs: $(abspath $(OUT))/<nn>_<stage>/{kept,rejected}/*.parquet, stats.json"

test: $(STAMP)
	MDFS_SHARED_DATA=$(DATA) $(PY) -m pytest -q

collect: $(if $(IN),$(STAMP),$(SAMPLE))
	$(PY) -m mdfs.cli run collect --input $(or $(IN),$(SAMPLE)) --output $(OUT) $(RUNARGS)

# coarse/fine read the previous finished stage's kept/ under OUT unless IN= is given.
coarse: $(STAMP)
	$(PY) -m mdfs.cli run coarse --output $(OUT) $(if $(IN),--input $(IN)) $(RUNARGS)

quality: $(STAMP)
	$(PY) -m mdfs.cli run quality --output $(OUT) $(if $(IN),--input $(IN)) $(RUNARGS)

train-quality: $(STAMP)
	$(PY) -m mdfs.quality.train --data $(DATA) --out quality_models

dedup: $(STAMP)
	$(PY) -m mdfs.cli run dedup --output $(OUT) $(if $(IN),--input $(IN)) $(RUNARGS)

fine: $(STAMP)
	$(PY) -m mdfs.cli run fine --output $(OUT) $(if $(IN),--input $(IN)) $(RUNARGS)

summary: $(STAMP)
	$(PY) -m mdfs.cli summary $(OUT)

bench-extract: $(STAMP)
	$(PY) bench/extract/bench_extract.py --data $(DATA)

bench-collect: $(STAMP)
	$(PY) bench/collect/bench_collect.py --data $(DATA)

eval-rules: $(STAMP)
	$(PY) bench/rules/eval_rules.py --data $(DATA)
	$(PY) bench/rules/blocklist_eval.py --data $(DATA)

bench-rules: eval-rules

bench-quality: $(STAMP)
	$(PY) bench/quality/bench_quality.py --data $(DATA)

bench-minhash: $(STAMP)
	$(PY) bench/dedup/bench_minhash.py --data $(DATA)

# datatrove runs in its own venv (bench/dedup/setup_datatrove.sh); ~20 min on 2 cores, mostly datatrove's jieba words.
bench-dedup: $(STAMP)
	bash bench/dedup/setup_datatrove.sh
	$(PY) bench/dedup/bench_dedup.py --data $(DATA) $(ARGS)

# Our .bin/.idx against megatron-core itself (torch CPU + megatron-core in bench/shard/.venv-megatron).
check-megatron:
	bash bench/shard/setup_megatron.sh
	PYTHONPATH=$(CURDIR) bench/shard/.venv-megatron/bin/python bench/shard/check_megatron.py

bench: bench-extract bench-collect bench-rules bench-quality bench-minhash bench-dedup

clean:
	rm -rf out build spark-warehouse .pytest_cache
