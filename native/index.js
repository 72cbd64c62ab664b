"use strict";
/**
 * prisma-vault-native: AES-256-GCM over a batch of values in one N-API call (see src/aead.c).
 * node-gyp-build loads a local build (build/Release: `npm run build`, or the install script when no
 * prebuild fits) or else the prebuild in prebuilds/<platform>-<arch>/ whose tags fit this process: Node-API,
 * and the C library (`glibc`/`musl`), so that a glibc binary is never tried on musl.
 *
 * @example
 * const { seal, open } = require("prisma-vault-native");
 * const [sealed] = seal(key, iv, ["123-45-6789"], [null]); // Uint8Array: ciphertext || tag(16)
 */
const fs = require("node:fs");
const path = require("node:path");

function load() {
  try {
    return require("node-gyp-build")(__dirname);
  } catch (error) {
    const reason = String((error && error.message) || error).split("\n")[0];
    throw new Error(
      `prisma-vault-native: no binary loads (${reason}); looked in ${present("build", "Release")} and ${present(
        "prebuilds",
        `${process.platform}-${process.arch}`,
      )}. Build it from source: run "npm run build" in ${__dirname} (needs a C compiler and Python for node-gyp)`,
      { cause: error },
    );
  }
}

/** A folder the loader looks in, and the binaries it holds: the message says what was there to try. */
function present(...parts) {
  const dir = path.join(__dirname, ...parts);
  let files;
  try {
    files = fs.readdirSync(dir).filter((name) => name.endsWith(".node"));
  } catch {
    return `${dir} (absent)`;
  }
  return `${dir} (${files.length > 0 ? files.join(", ") : "no .node file"})`;
}

const binding = load();

module.exports = { seal: binding.seal, open: binding.open };
