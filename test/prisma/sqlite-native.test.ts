/**
 * The extension suite on SQLite with the native AEAD backend (prisma-vault-native): skipped when the
 * addon is not built, a failure under PRISMA_VAULT_REQUIRE_NATIVE=1 (CI builds it first).
 */
import { describe, it } from "vitest";
import { nativeBackend } from "../support/native.js";
import { extensionSuite } from "./suite.js";

const { skip } = nativeBackend();
if (skip === undefined) extensionSuite("sqlite", { aead: "native" });
else {
  console.warn(`skipping sqlite with the native AEAD backend: ${skip}`);
  describe.skip(`prisma-vault on sqlite, aead: "native" (${skip})`, () => {
    it("runs the extension suite through prisma-vault-native", () => undefined);
  });
}
