/**
 * The native AEAD backend for the tests that need it: the backend and the addon itself when
 * prisma-vault-native loads, else a reason to skip — an error under PRISMA_VAULT_REQUIRE_NATIVE=1 (CI
 * builds the addon before running them), as unavailable() does for databases.
 */
import { createRequire } from "node:module";
import { resolveAead } from "../../src/crypto/resolve-aead.js";
import { type AeadBackend } from "../../src/crypto/aead.js";

export function nativeBackend(): { backend?: AeadBackend; binding?: unknown; skip?: string } {
  try {
    const backend = resolveAead("native");
    return { backend, binding: createRequire(import.meta.url)("prisma-vault-native") };
  } catch (error) {
    const cause = (error as Error).cause ?? error;
    const reason =
      `prisma-vault-native does not load (${(cause as Error).message?.split("\n")[0] ?? String(cause)}); ` +
      "build it with `npm run build --prefix native`";
    if (process.env["PRISMA_VAULT_REQUIRE_NATIVE"] === "1") throw new Error(reason, { cause: error });
    return { skip: reason };
  }
}
