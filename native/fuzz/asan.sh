#!/usr/bin/env bash
# CI only: prisma-vault-native built with AddressSanitizer, and the drivers of native/fuzz run on it: the
# seeded fuzzing, open() against spans another thread rewrites, and 8 threads loading the addon at once.
# Exits non-zero on any sanitizer report (exit code 86), crash or failed check.
#
#   npm run fuzz:asan --prefix native      (npm puts its node-gyp on the PATH of its scripts)
#
# The build is made in a scratch copy of binding.gyp and src/, so native/build (what the tests load) is
# left as it was. Node is not built with ASan, so the runtime is preloaded (it must come before every
# other library); leak detection is off, as Node leaves much allocated at exit by design.
set -euo pipefail
native=$(cd "$(dirname "$0")/.." && pwd)
command -v node-gyp >/dev/null || { echo "fuzz/asan.sh: no node-gyp on the PATH; run it as npm run fuzz:asan" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$native/binding.gyp" "$native/src" "$work/"
node-gyp rebuild --directory="$work" -- -Dprisma_vault_asan=true -Dprisma_vault_strict=true >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; exit 1; }
addon="$work/build/Release/prisma_vault_aead.node"
libasan=$(cc -print-file-name=libasan.so)
[ -f "$libasan" ] || { echo "fuzz/asan.sh: no libasan.so ($libasan)" >&2; exit 2; }

export ASAN_OPTIONS="exitcode=86:halt_on_error=1:detect_leaks=0:strict_string_checks=1:check_initialization_order=1"
under_asan() { LD_PRELOAD="$libasan" node "$@"; }
under_asan "$native/fuzz/fuzz.js" "$addon" "${FUZZ_ITERATIONS:-20000}" "${FUZZ_SEED:-1}"
under_asan "$native/fuzz/shared-spans.js" "$addon" 1000
under_asan "$native/fuzz/workers-load.js" "$addon" 3
echo "fuzz/asan.sh: no sanitizer report"
