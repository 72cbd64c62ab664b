"use strict";
/**
 * prisma-vault-native: AES-256-GCM over a batch of values in one N-API call (see src/aead.c).
 * Loads the prebuild for this platform shipped in the package, else a local `npm run build`.
 *
 * @example
 * const { seal, open } = require("prisma-vault-native");
 * const [sealed] = seal(key, iv, ["123-45-6789"], [null]); // Uint8Array: ciphertext || tag(16)
 */
const path = require("node:path");

const candidates = [
  path.join(__dirname, "prebuilds", `${process.platform}-${process.arch}`, "prisma_vault_aead.node"),
  path.join(__dirname, "build", "Release", "prisma_vault_aead.node"),
];

function load() {
  const reasons = [];
  for (const file of candidates) {
    try {
      return require(file);
    } catch (error) {
      reasons.push(`${file}: ${error && error.code ? error.code : String(error)}`);
    }
  }
  throw new Error(
    `prisma-vault-native: no binary loads for ${process.platform}-${process.arch} (tried ${candidates.join(
      " and ",
    )}); run "npm run build" in ${__dirname} (needs a C compiler and Python for node-gyp). ${reasons.join("; ")}`,
  );
}

const binding = load();

module.exports = { seal: binding.seal, open: binding.open };
