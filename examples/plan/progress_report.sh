#!/usr/bin/env bash
# Work Plan progress: record a status in a copy of the status file, then report on it.
# Run from the repository root after `make install` (or with `eauth` on PATH):
#   bash examples/plan/progress_report.sh
set -euo pipefail
EAUTH=${EAUTH:-$(command -v eauth || echo .venv/bin/eauth)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Start from the packaged status file (the plan text itself is never edited).
PYTHON=${PYTHON:-$(dirname "$EAUTH")/python}
cp "$("$PYTHON" -c 'from eauth_toolkit.plan import PACKAGED_STATUS; print(PACKAGED_STATUS)')" "$work/status.yaml"
export EAUTH_PLAN_STATUS="$work/status.yaml"

# 2. The full text of the B.2 pilot activity, as published.
"$EAUTH" plan show B.2.1.4

# 3. Record progress (validated; written atomically).
"$EAUTH" plan set B.2.1.4 in_progress --evidence "Two-AMS sandbox pilot running: eauth pilot run" --date 2026-01-15
"$EAUTH" plan set B.2.1.1 completed --evidence "Collaborative Repository List v1 published (eauth repo publish)" --date 2025-11-30

# 4. Bad input is refused with one line and exit code 2; nothing is written.
if "$EAUTH" plan set B.2.1.9 completed --evidence "no such activity"; then exit 1; fi

# 5. The report: text for people, JSON for machines, Markdown/HTML for publishing.
"$EAUTH" plan report --as-of 2026-01-01
"$EAUTH" plan report --as-of 2026-01-01 --format json \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); b2=[t for t in d["topics"] if t["id"]=="B.2"][0]; print("B.2 completed share:", round(b2["completed_share"],3), "overdue:", b2["overdue"])'
"$EAUTH" plan report --as-of 2026-01-01 --format html > "$work/plan.html"
echo "HTML report: $(wc -c < "$work/plan.html") bytes (also served at http://127.0.0.1:8000/plan by make run)"
