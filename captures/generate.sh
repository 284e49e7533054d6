#!/usr/bin/env bash
# Regenerate the capture corpus: builds the test PKI, then runs every captures/scripts/*.sh
# (except lib.sh and pki.sh) each in its own process; one failing script does not stop the others.
# Needs root (tcpdump on lo) and: tcpdump nginx-light openssl curl java(17) node tshark.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/scripts/pki.sh" || { echo "pki.sh failed" >&2; exit 1; }
failed=()
for script in "$here"/scripts/*.sh; do
  case "$(basename "$script")" in lib.sh | pki.sh) continue ;; esac
  [ -f "$script" ] || continue
  echo "== $(basename "$script")" >&2
  if ! (bash "$script"); then failed+=("$(basename "$script")"); fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
