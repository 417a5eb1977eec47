#!/bin/sh
# The walk of one acr value through the trust chain, every step a command:
#
#   SG's authority submits its identity provider (issuer and acr vocabulary) as a signed
#   submission; each authority points to its own trust list; the SG-MY agreement signed by both is
#   submitted; the list is published; the demo service (the pilot, which reads only that list)
#   refuses an SG sign-in at "urn:sandbox:sg:ndi:acr:2fa" while its level is only proposed; MY
#   endorses the level; the next list is published and the next sign-in is accepted at level 3,
#   naming the list number and the agreement.
#
# Run from a source checkout with the toolkit installed (`make install`):
#   sh examples/trust-walk.sh [WORK_DIR] [PORT]
# Everything is SANDBOX: test keys, test users, an illustrative agreement.
set -eu

W=${1:-$(mktemp -d)}
PORT=${2:-8765}
EAUTH=${EAUTH:-eauth}
# the Python that runs eauth (its venv), unless PYTHON says otherwise
PYTHON=${PYTHON:-$(sed -n '1s/^#!//p' "$(command -v "$EAUTH")" 2>/dev/null || true)}
PYTHON=${PYTHON:-python3}
K=repository_list/sandbox-authority-keys
PUB=repository_list/sandbox-publisher-key
TL=repository_list/trust-lists
BASE="http://127.0.0.1:$PORT"
ACR="urn:sandbox:sg:ndi:acr:2fa"
mkdir -p "$W"
export EAUTH_DATA_DIR="$W/data"
export EAUTH_DATABASE_URL="sqlite:///$W/repository.sqlite3"   # the Repository List's store
step() { printf '\n== %s\n' "$*"; }

step "0. the pilot's technology entries as ordinary submission documents (issuer: $BASE)"
"$PYTHON" - "$W" "$BASE" <<'EOF'
import json, sys
from pilot_sandbox.trustlist import sample_entry
work, base = sys.argv[1], sys.argv[2]
for ams, entry in (("SG", "sg-sandbox-national-idp"), ("MY", "my-sandbox-national-idp")):
    doc = {"ams": ams, "authority": f"SANDBOX authority of {ams}",
           "entries": [sample_entry(entry, base_url=base)], "withdrawals": []}
    with open(f"{work}/{ams.lower()}-idp.json", "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
EOF
grep -A1 '"acr": ' "$W/sg-idp.json"

step "1. each authority submits its identity provider, signed with its own key"
$EAUTH repo submit "$W/sg-idp.json" --key $K/SG.private.jwk.json
$EAUTH repo submit "$W/my-idp.json" --key $K/MY.private.jwk.json

step "2. each authority points to its own trust list (TS 119 612), signed with its own key"
$EAUTH repo trustlist-submit $TL/SG.xml --signer $TL/certs/sg-tlso.pem --key $K/SG.private.jwk.json
$EAUTH repo trustlist-submit $TL/MY.xml --signer $TL/certs/my-tlso.pem --key $K/MY.private.jwk.json

step "3. the SG-MY agreement, signed by both parties, submitted by MY"
$EAUTH repo agreement-check repository_list/agreements/sg-my-sandbox.json
$EAUTH repo agreement-submit repository_list/agreements/sg-my-sandbox.json --key $K/MY.private.jwk.json

step "4. SG proposes level 3 for its IdP; MY has not reviewed it yet"
$EAUTH repo levels sg-sandbox-national-idp

step "5. list N is published and the demo service reads it"
$EAUTH repo publish --key $PUB/publisher.private.jwk.json --out "$W/list.json"
sed "s#^\[trust\]#[trust]\nrepository = \"$W/list.json\"#" \
  "$("$PYTHON" -c 'from eauth_toolkit.resources import pilot_config_path as p; print(p())')" \
  > "$W/pilot.toml"
EAUTH_BASE_URL="$BASE" EAUTH_DATABASE_URL="sqlite:///$W/service.sqlite3" \
  $EAUTH sandbox serve --port "$PORT" --pilot-config "$W/pilot.toml" --no-access-log \
  > "$W/service.log" 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null || true' EXIT INT TERM
i=0
until "$PYTHON" -c "import httpx; httpx.get('$BASE/', timeout=1).raise_for_status()" 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 120 ] || { cat "$W/service.log"; exit 1; }; sleep 0.5
done

sign_in() {
  # an SG citizen signs in at a MY service with the SG IdP at $ACR; the decision is the pilot's
  "$PYTHON" - "$BASE" <<'EOF'
import re, sys
import httpx
from pilot_sandbox.runner import FlowPlan, drive_flow
base = sys.argv[1]
plan = FlowPlan(service_ams="MY", service="tax-filing", country="SG", username="tan.mei.ling")
with httpx.Client(timeout=30) as client:
    result = drive_flow(client, base, plan)
    report = client.get(f"{base}/pilot/report.json").json()
text = re.sub(r"<[^>]+>", " ", result.page)
level = re.search(r"Level of assurance received:\s*(\d)", text)
reason = re.search(r"(refused[^.]*\.|[^.]*Repository List #\d+[^.]*\.)", text)
print(f"outcome: {result.outcome}" + (f", level {level.group(1)}" if level else ""))
if result.outcome != "succeeded" and reason:
    print("reason:", " ".join(reason.group(1).split()))
last = max(report["decision_sources"], key=lambda d: d["list_sequence"])
print(f"decision source: list #{last['list_sequence']}, agreement {last['agreement']}")
EOF
}

step "6. sign-in with list N: refused, the level is not agreed yet"
sign_in

step "7. MY's authority endorses SG's proposed level (signed review)"
$EAUTH repo review sg-sandbox-national-idp --endorse --reason "SANDBOX: 2FA evidence checked" \
  --key $K/MY.private.jwk.json
$EAUTH repo levels sg-sandbox-national-idp

step "8. list N+1 is published; the demo service takes it on the next flow, no restart"
$EAUTH repo publish --key $PUB/publisher.private.jwk.json --out "$W/list.json"
$EAUTH repo verify "$W/list.json" --key $PUB/publisher.cert.pem

step "9. sign-in with list N+1: accepted at level 3, naming the list and the agreement"
sign_in
