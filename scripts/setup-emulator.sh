#!/usr/bin/env bash
# Installs the local AWS emulator (moto server) and cfn-lint into .venv/.
# Idempotent: does nothing when .venv already has the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=scripts/requirements-emulator.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -x .venv/bin/moto_server ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
python=${PYTHON:-python3}
echo "setting up .venv (moto server, cfn-lint) with $($python --version)" >&2
"$python" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" > "$stamp"
