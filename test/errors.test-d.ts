/** Type tests for the error guard: a code given to `isVaultError` narrows `e.code`. */
import { describe, expectTypeOf, it } from "vitest";
import { isVaultError, type VaultErrorCode } from "../src/index.js";

declare const e: unknown;

describe("isVaultError's narrowing", () => {
  it("narrows e.code to the code it was given", () => {
    if (isVaultError(e, "VAULT_DECRYPT_FAILED")) expectTypeOf(e.code).toEqualTypeOf<"VAULT_DECRYPT_FAILED">();
  });

  it("without a code, e.code is any VaultErrorCode", () => {
    if (isVaultError(e)) expectTypeOf(e.code).toEqualTypeOf<VaultErrorCode>();
  });
});
