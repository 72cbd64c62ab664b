#!/usr/bin/env bash
# prisma-vault-native's packed tarball as a user without a compiler gets it:
# - its file list carries this machine's prebuild tagged with its C library
#   (prebuilds/<platform>-<arch>/prisma-vault-native.<glibc|musl>.node) and no untagged binary, which
#   node-gyp-build would try on any libc (a glibc build on musl);
# - on each given Node, installed into a fresh app with no cc, gcc, g++, c++, make or python on PATH, it
#   loads the prebuild (the install script builds nothing) and seals and opens as node:crypto does;
# - where no prebuild fits (LIBC=musl, or the prebuilds removed) the load fails with a message naming the
#   folders it looked in, what they hold, and "npm run build"; and npm's install script goes to a source
#   build (which fails here, there being no compiler).
# Usage: check-prebuilt.sh <tarball> <node-bin-dir>...   (each dir holds a node, and an npm or the one on
# PATH is used; needs the npm registry for node-gyp-build). Used by .ci/run after `npm pack` in native/.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 <tarball> <node-bin-dir>..." >&2; exit 2; }
tarball=$(realpath "$1")
shift
fail() { echo "check-prebuilt: $*" >&2; exit 1; }

libc=glibc
[ -e /etc/alpine-release ] && libc=musl # as node-gyp-build and prebuildify tell them apart
tuple="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
prebuilds=$(tar -tzf "$tarball" | grep '^package/prebuilds/.*\.node$' || true)
echo "$(basename "$tarball"): ${prebuilds//$'\n'/ }"
grep -qx "package/prebuilds/$tuple/prisma-vault-native.$libc.node" <<<"$prebuilds" ||
  fail "the tarball has no prebuilds/$tuple/prisma-vault-native.$libc.node"
untagged=$(grep -Ev '\.(glibc|musl)\.node$' <<<"$prebuilds" || true)
[ -z "$untagged" ] || fail "prebuilds without a libc tag, which a glibc and a musl system would both try: $untagged"

# Runs a command in the current app, with only its bin dir on PATH and no build-from-source or compiler settings.
in_app() { (cd "$app" && env -u npm_config_build_from_source -u npm_config_nodedir -u CC -u CXX PATH="$app/bin" "$@"); }
# No prebuild fits: the load must fail, saying where it looked and how to build.
expect_clear_failure() { # <label> <VAR=value...>
  local label=$1 message
  shift
  if message=$(in_app "$@" node -e 'require("prisma-vault-native")' 2>&1); then fail "Node $version, $label: it loaded"; fi
  message=$(grep -m1 '^Error: prisma-vault-native' <<<"$message") || fail "Node $version, $label: no prisma-vault-native error"
  grep -qF 'npm run build' <<<"$message" || fail "Node $version, $label: the message does not say how to build: $message"
  grep -qF "prebuilds/$tuple" <<<"$message" || fail "Node $version, $label: the message does not name the prebuilds folder: $message"
  [ "$first" -eq 0 ] || echo "  $label: $message"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
first=1
for bin in "$@"; do
  bin=$(realpath "$bin")
  version=$("$bin/node" --version)
  app="$work/app-$version"
  mkdir -p "$app/bin"
  # The app's whole PATH: this Node's node, an npm (the one beside it, else the one on PATH, run on this
  # Node as .ci/run's with_node does) and sh for npm's scripts; no compiler, make or python.
  npm=$bin/npm
  [ -e "$npm" ] || npm=$(command -v npm)
  ln -s "$bin/node" "$npm" "$(command -v sh)" "$app/bin/"
  for tool in cc gcc g++ c++ make python python3; do
    if PATH="$app/bin" command -v "$tool" >/dev/null; then fail "$tool is on the app's PATH"; fi
  done
  echo '{ "name": "prebuilt-app", "private": true }' >"$app/package.json"

  in_app npm install --no-audit --no-fund --loglevel=error "$tarball" >"$app/install.log" 2>&1 ||
    { cat "$app/install.log"; fail "Node $version: npm install of the tarball failed without a compiler"; }
  [ ! -e "$app/node_modules/prisma-vault-native/build" ] || fail "Node $version: the install script built from source"
  in_app node -e '
    const crypto = require("node:crypto");
    const { seal, open } = require("prisma-vault-native");
    const dir = require("node:path").dirname(require.resolve("prisma-vault-native/package.json"));
    const key = crypto.randomBytes(32), iv = crypto.randomBytes(12), aad = Buffer.from("tenant-1");
    const [sealed] = seal(key, iv, ["123-45-6789"], [aad]);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
    const expected = Buffer.concat([cipher.update("123-45-6789", "utf8"), cipher.final(), cipher.getAuthTag()]);
    if (!Buffer.from(sealed).equals(expected)) throw new Error("seal differs from node:crypto");
    const ciphertext = sealed.subarray(0, -16), tag = sealed.subarray(-16);
    const spans = Uint32Array.of(0, 12, 28, 28 + ciphertext.length, 0, aad.length);
    const [text] = open(key, Buffer.concat([iv, tag, ciphertext]), aad, spans);
    if (text !== "123-45-6789") throw new Error(`open gave ${text}`);
    console.log(`Node ${process.version}: loads ${require("node-gyp-build").path(dir).slice(dir.length + 1)}, seal/open round trip as node:crypto`);
  ' || fail "Node $version: the prebuilt package does not load or does not round-trip"

  # A musl system (node-gyp-build reads LIBC), then a package without its prebuilds.
  expect_clear_failure "on musl (LIBC=musl)" LIBC=musl
  if [ "$first" -eq 1 ]; then
    # npm's install script builds from source when no prebuild fits; with no compiler that install fails.
    if in_app LIBC=musl npm rebuild prisma-vault-native >"$app/rebuild.log" 2>&1; then
      fail "on musl with no compiler, npm's install script did not try a source build"
    fi
    grep -q 'gyp' "$app/rebuild.log" || { cat "$app/rebuild.log"; fail "the install script's failure is not node-gyp's"; }
    echo "  on musl (LIBC=musl), npm rebuild: the install script runs node-gyp, which fails with no compiler"
  fi
  rm -rf "$app/node_modules/prisma-vault-native/prebuilds"
  expect_clear_failure "without prebuilds" LIBC="$libc"
  first=0
done
echo "check-prebuilt: $(basename "$tarball") installs and loads without a compiler on Node: $*"
