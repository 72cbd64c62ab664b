/**
 * The engine's last check before a batch is written (DESIGN.md §9, defence in depth): a write is sent
 * only when every value it sets came out of its mode's seal or open. A row whose write breaks this is
 * not written at all and its value is reported, so nothing a mode could not open is ever overwritten.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FieldCipher } from "../../src/core/cipher.js";
import { unopened } from "../../src/core/opened.js";
import { VaultDecryptError } from "../../src/errors.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { admittedWrites } from "../../src/migrate/admitted-writes.js";
import type { RowOutcome } from "../../src/migrate/step.js";
import { modelOf, testSchema } from "../support/datamodel.js";

const account = modelOf(testSchema(), "Account");
const row = { id: 7, organizationId: "org_a", email: "stored" };
const outcome = (data: Record<string, unknown>): RowOutcome => ({
  row,
  write: { expected: { email: "stored" }, data },
  skipped: 0,
  failed: [],
});
const cipher = new FieldCipher(
  new DataKeyCache(new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] })),
);
const envelope = await cipher.encrypt("a@x.io", {
  model: "Account",
  field: "email",
  context: { organizationId: "org_a" },
});

describe("admittedWrites", () => {
  it("passes a sealing mode's envelope and index, and a decrypting mode's plaintext", () => {
    const sealed = [outcome({ email: envelope, emailIndex: "abc_-" })];
    expect(admittedWrites(account, "envelopes", sealed)).toEqual(sealed);
    const opened = [outcome({ email: "a@x.io" })];
    expect(admittedWrites(account, "plaintexts", opened)).toEqual(opened);
  });

  it("a failure object (an outcome of another copy of prisma-vault) is not written: the row reports its code", () => {
    const foreign = { error: new VaultDecryptError({ model: "Account", field: "email", id: 7 }) };
    const [kept] = admittedWrites(account, "plaintexts", [outcome({ email: foreign })]);
    expect(kept?.write).toBeUndefined();
    expect(kept?.failed).toEqual([{ id: 7, field: "email", code: "VAULT_DECRYPT_FAILED" }]);
    const [ours] = admittedWrites(account, "plaintexts", [outcome({ email: unopened(new Error("x")) })]);
    expect(ours?.failed).toEqual([{ id: 7, field: "email", code: "VAULT_CONFIG" }]);
  });

  it("a sealing mode never writes a string that is not an envelope, and the row's other values go unwritten too", () => {
    const [kept] = admittedWrites(account, "envelopes", [outcome({ email: "a@x.io", emailIndex: "abc" })]);
    expect(kept?.write).toBeUndefined();
    expect(kept?.failed).toEqual([{ id: 7, field: "email", code: "VAULT_ENVELOPE_INVALID" }]);
  });

  it("a mode that writes only indexes never sets an encrypted field, and no mode sets a context field or an index to a non-string", () => {
    for (const [writes, data, field] of [
      ["none", { email: envelope }, "email"],
      ["envelopes", { organizationId: "org_b" }, "organizationId"],
      ["none", { emailIndex: null }, "emailIndex"],
    ] as const) {
      const [kept] = admittedWrites(account, writes, [outcome(data)]);
      expect(kept?.write).toBeUndefined();
      expect(kept?.failed).toEqual([{ id: 7, field, code: "VAULT_CONFIG" }]);
    }
  });

  it("keeps verify's counts on a row whose write it takes out", () => {
    const counted = { ...outcome({ email: 1 }), plaintext: 2, staleIndexes: 1 };
    const [kept] = admittedWrites(account, "plaintexts", [counted]);
    expect(kept).toMatchObject({ plaintext: 2, staleIndexes: 1, skipped: 0 });
  });
});
