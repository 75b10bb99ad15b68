# custodes — two commands on a fresh machine: `make demo` and `make test`.
# Every install is pinned, cached in git-ignored folders (.venv/, .tools/) and idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
OPA_VERSION := v1.22.3
OPA := $(TOOLS)/bin/opa
REGAL_VERSION := v0.39.0
REGAL := $(TOOLS)/bin/regal
KAFKA_LIBS := $(TOOLS)/kafka/libs
CUSTODES := $(VENV)/bin/custodes
# make test runs its own stack (own ports, own data) so it never disturbs a demo stack.
TEST_ENV := CUSTODES_STATE_DIR=$(CURDIR)/.stack-test \
	CUSTODES_KAFKA__BOOTSTRAP_SERVERS=127.0.0.1:39192 CUSTODES_KAFKA__CONTROLLER_PORT=39193 \
	CUSTODES_OPA__URL=http://127.0.0.1:38281 \
	CUSTODES_TRITON__HTTP_PORT=38100 CUSTODES_TRITON__GRPC_PORT=38101 CUSTODES_TRITON__METRICS_PORT=38102 \
	CUSTODES_LEDGER__PORT=38810

.PHONY: install demo test stack-up stack-down unit clean help
help:
	@echo "make demo   install what is missing, start the local stack, run the governed SIM job"
	@echo "make test   install what is missing, start a test stack, run the whole suite, stop it"
	@echo "make clean  stop stacks and remove .stack*/ (keeps the install caches)"

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

$(KAFKA_LIBS)/.installed: tools/kafka/pom.xml
	@command -v mvn >/dev/null || { echo "Maven not found; install it (Debian: apt-get install maven)"; exit 1; }
	rm -rf $(KAFKA_LIBS) && mkdir -p $(KAFKA_LIBS)
	mvn -q -f tools/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory=$(CURDIR)/$(KAFKA_LIBS)
	touch $@

$(OPA):
	@command -v go >/dev/null || { echo "Go not found; install Go 1.24+ to build OPA $(OPA_VERSION)"; exit 1; }
	mkdir -p $(TOOLS)/bin
	GOBIN=$(CURDIR)/$(TOOLS)/bin go install github.com/open-policy-agent/opa@$(OPA_VERSION)

# Regal lints policies/ (.regal/config.yaml). `go install` needs the proxy's version list for
# its deprecation check; where the proxy refuses it, build the downloaded module instead.
# Without Regal the lint test is skipped, nothing else.
$(REGAL):
	@command -v go >/dev/null || { echo "Go not found; install Go 1.24+ to build Regal $(REGAL_VERSION)"; exit 1; }
	mkdir -p $(TOOLS)/bin
	GOBIN=$(CURDIR)/$(TOOLS)/bin go install github.com/open-policy-agent/regal@$(REGAL_VERSION) 2>/dev/null || \
	{ dir=$$(go mod download -json github.com/open-policy-agent/regal@$(REGAL_VERSION) | sed -n 's/^.*"Dir": "\(.*\)",$$/\1/p') && \
	  cd "$$dir" && GOFLAGS=-mod=mod go build -o $(CURDIR)/$(REGAL) \
	    -ldflags "-X github.com/open-policy-agent/regal/pkg/version.Version=$(REGAL_VERSION)" . ; } || \
	echo "Regal $(REGAL_VERSION) could not be built; the Regal lint test will be skipped"

$(TOOLS)/.assets: scripts/fetch-assets.sh
	PY=$(PY) bash scripts/fetch-assets.sh $(TOOLS)
	touch $@

# The official AsyncAPI parser (pinned by tools/asyncapi/package-lock.json) validates `custodes docs asyncapi`.
$(TOOLS)/npm/.installed: tools/asyncapi/package.json tools/asyncapi/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found; install Node.js 18+ and npm"; exit 1; }
	rm -rf $(TOOLS)/npm && mkdir -p $(TOOLS)/npm
	cp tools/asyncapi/package.json tools/asyncapi/package-lock.json $(TOOLS)/npm/
	cd $(TOOLS)/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed $(KAFKA_LIBS)/.installed $(OPA) $(REGAL) $(TOOLS)/.assets $(TOOLS)/npm/.installed

demo: install
	$(CUSTODES) stack up
	$(CUSTODES) demo

test: install
	$(TEST_ENV) bash scripts/run-tests.sh

clean:
	-$(CUSTODES) stack down
	-$(TEST_ENV) $(CUSTODES) stack down
	rm -rf .stack .stack-test
