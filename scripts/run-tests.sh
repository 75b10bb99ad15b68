#!/usr/bin/env bash
# Start the test stack, run the whole suite against it, stop what we started (even on failure).
set -uo pipefail
CUSTODES=.venv/bin/custodes
$CUSTODES stack down >/dev/null 2>&1 || true
rm -rf "${CUSTODES_STATE_DIR:?}"
trap '$CUSTODES stack down' EXIT
export CUSTODES_REQUIRE_STACK=1
$CUSTODES stack up || { echo "test stack failed to start; logs in $CUSTODES_STATE_DIR/logs" >&2; exit 1; }
.venv/bin/python -m pytest "$@"
