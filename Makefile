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
MASTER ?=
MASTERARG = $(if $(MASTER),--master $(MASTER))
RUNARGS = $(if $(CONFIG),--config $(CONFIG)) $(foreach s,$(SET),--set $(s)) $(ARGS)

.PHONY: setup demo all cluster-up cluster-down report report-screenshot test collect coarse quality train-quality dedup fine tokenizer tokenize shard verify-shards sample summary bench bench-extract bench-collect bench-rules bench-quality bench-minhash bench-dedup bench-tokenize bench-shard bench-memory bench-e2e check-megatron eval-rules clean help

help:
	@echo "make demo   - install, generate the sample crawl, run the pipeline, print where outputs are"
	@echo "make test   - install and run the test suite"
	@echo "make all IN=<crawl> OUT=<run dir> [MASTER=spark://…]   - every stage in order, finished ones skipped"
	@echo "make cluster-up / cluster-down   - a standalone Spark cluster on 127.0.0.1 (1 master, 2 workers; prints MASTER=spark://…)"
	@echo "make collect IN=<files|dirs|globs> OUT=<run dir>   (also CONFIG=… SET='a.b=c …' ARGS=--overwrite)"
	@echo "make coarse|quality|dedup|fine OUT=<run dir> [IN=<parquet dir>]  (default input: the previous finished stage's kept/)"
	@echo "make tokenizer|shard OUT=<run dir>   - train the tokenizer / encode + write Megatron shards; make tokenize = both"
	@echo "make report OUT=<run dir> / make report-screenshot   - OUT/report/report.html + .json (+ report.png via headless chromium)"
	@echo "make verify-shards OUT=<run dir>      - check the shards against manifest.json, decode samples"
	@echo "make train-quality DATA=../shared/data   - rebuild quality_models/zh_quality.ftz and its MODEL_CARD.md"
	@echo "make bench  - benchmarks (bench/RESULTS.md)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@# The driver JVM's class cache (mdfs/spark/jvmcache.py): ~1 min once, ~5 s off every later Spark start.
	-$(PY) -m mdfs.spark.jvmcache
	@touch $(STAMP)

setup: $(STAMP)

$(SAMPLE): $(STAMP) $(wildcard mdfs/sample/*.py)
	$(PY) -m mdfs.cli sample --out $(SAMPLE)

sample: $(SAMPLE)

demo: $(SAMPLE)
	$(PY) -m mdfs.cli pipeline --input $(SAMPLE) --output $(OUT) $(MASTERARG) $(RUNARGS)
	$(PY) -m mdfs.cli shards verify $(OUT)/07_shard
	@echo
	@echo "== per-stage summary ($(OUT)) =="
	@$(PY) -m mdfs.cli summary $(OUT)
	@echo
	@echo "outputs: $(abspath $(OUT))/<nn>_<stage>/{kept,rejected}/*.parquet, stats.json"
	@echo "shards:  $(abspath $(OUT))/07_shard/{train,valid}/shard_*.{bin,idx}, manifest.json"
	@echo "report:  $(abspath $(OUT))/report/report.html"

# Every stage in order on one Spark session (finished stages skipped): IN=<crawl> (default: the sample
# crawl), MASTER=spark://host:7077 (default: [spark] master).
all: $(if $(IN),$(STAMP),$(SAMPLE))
	$(PY) -m mdfs.cli pipeline --input $(or $(IN),$(SAMPLE)) --output $(OUT) $(MASTERARG) $(RUNARGS)

# A real Spark standalone cluster on this machine from the installed pyspark (mdfs/cluster.py): one master,
# CLUSTER_WORKERS workers of CLUSTER_CORES cores / CLUSTER_MEMORY each, loopback only, free ports; state,
# logs and pids in CLUSTER_DIR. Then: make all MASTER=$$(cat $(CLUSTER_DIR)/master).
CLUSTER_DIR     ?= build/cluster
CLUSTER_WORKERS ?= 2
CLUSTER_CORES   ?= 1
CLUSTER_MEMORY  ?= 1g

cluster-up: $(STAMP)
	SPARK_LOCAL_IP=127.0.0.1 $(PY) -m mdfs.cluster up --dir $(CLUSTER_DIR) --workers $(CLUSTER_WORKERS) --cores $(CLUSTER_CORES) --memory $(CLUSTER_MEMORY)

cluster-down:
	$(PY) -m mdfs.cluster down --dir $(CLUSTER_DIR)

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

# The tokenizer: trained on the last filtering stage's kept output (or tokenize.tokenizer adopted).
tokenizer: $(STAMP)
	$(PY) -m mdfs.cli run tokenize --output $(OUT) $(if $(IN),--input $(IN)) $(RUNARGS)

# Encode with the run's tokenizer and write Megatron .bin/.idx shards + manifest.json.
shard: $(STAMP)
	$(PY) -m mdfs.cli run shard --output $(OUT) $(if $(IN),--input $(IN)) $(RUNARGS)

# tokenizer, then encode + shard.
tokenize: tokenizer shard

REPORT_HTML = $(OUT)/report/report.html

# The report of a run folder: OUT/report/report.html (self-contained) and report.json.
report: $(STAMP)
	$(PY) -m mdfs.cli report $(OUT) $(RUNARGS) $(MASTERARG)

# Rebuilt only when a stage's stats.json is newer than the report.
$(REPORT_HTML): $(wildcard $(OUT)/*/stats.json) | $(STAMP)
	$(PY) -m mdfs.cli report $(OUT) $(RUNARGS) $(MASTERARG)

# Full-page PNG of the report with headless Chromium (Debian: apt-get install chromium fonts-wqy-microhei).
report-screenshot: $(REPORT_HTML)
	$(PY) -m mdfs.report.screenshot $(REPORT_HTML) $(OUT)/report/report.png

verify-shards: $(STAMP)
	$(PY) -m mdfs.cli shards verify $(or $(IN),$(OUT)/07_shard)

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

# Tokenizer designs: held-out chars/token and encode MB/s per core (~11 min; ARGS=--quick for a short subset).
bench-tokenize: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) bench/tokenize/compare.py --data $(DATA) --results-md $(ARGS)

# Tokenize + shard MB/s per core vs tokenizers' encode_batch (corpus and tokenizer cached in bench/shard/.cache).
bench-shard: $(STAMP)
	$(PY) bench/shard/bench_shard.py --data $(DATA) $(ARGS)

# Driver peak RSS (Python and JVM) at N and 10 x N sample-crawl pages (~8 min on 2 cores).
bench-memory: $(STAMP)
	$(PY) bench/memory/bench_driver_rss.py $(ARGS)

# The whole pipeline vs datatrove's FineWeb-style pipeline on one crawl, scored against its truth
# (the script makes datatrove's venv, bench/e2e/.venv-datatrove; crawl cached in bench/e2e/.cache). ~7 min on 2 cores; ARGS="--pages 12000": ~20 min.
bench-e2e: $(STAMP)
	$(PY) bench/e2e/bench_e2e.py $(ARGS)

# Our .bin/.idx against megatron-core itself (torch CPU + megatron-core in bench/shard/.venv-megatron).
check-megatron:
	bash bench/shard/setup_megatron.sh
	PYTHONPATH=$(CURDIR) bench/shard/.venv-megatron/bin/python bench/shard/check_megatron.py $(if $(wildcard $(OUT)/07_shard/manifest.json),--shards $(OUT)/07_shard)

bench: bench-extract bench-collect bench-rules bench-quality bench-minhash bench-dedup bench-tokenize bench-shard bench-memory bench-e2e

clean:
	rm -rf out build spark-warehouse .pytest_cache
