import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { vaultCore } from "../../src/core/vault-core.js";
import { associatedData, type KeyContext } from "../../src/context/key-context.js";
import { encodeEnvelope, decodeEnvelope } from "../../src/format/envelope.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import {
  VaultConfigError,
  VaultDecryptError,
  VaultKeyUnavailableError,
  type VaultError,
} from "../../src/errors.js";
import { DataKeyCache } from "../../src/keys/cache.js";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { PrismaObject } from "../../src/client/prisma-object.js";
import { planSelection, type ResultShape } from "../../src/prisma/plan/selection.js";
import { checkedToFit } from "../../src/core/checked-to-fit.js";
import { openResult, sealValues } from "../../src/prisma/values.js";
import { planWrite } from "../../src/prisma/plan/write.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import type { EncryptedField, VaultSchema } from "../../src/schema/model-schema.js";
import { dataModel, model, modelOf, scalar, testModels, testSchema } from "../support/datamodel.js";
import { registerSecrets } from "../support/secrets.js";
import { thrownVaultError, vaultFailure } from "../support/errors.js";
import { fieldRef } from "../../src/schema/field-ref.js";
import { blindIndexOf } from "../../src/core/blind-index.js";

const ringKey = randomBytes(32);
const ring = () => new LocalKeyProvider({ keys: [{ id: "k1", key: ringKey }] });
/** A cipher over the test ring with a cache of its own: every context and blob starts cold. */
const coldCipher = () => vaultCore(new DataKeyCache(ring()));
const cipher = coldCipher();

const schema = testSchema();
const readsPlaintext = testSchema({
  ...testModels,
  User: {
    context: { organizationId: "organizationId" },
    fields: { email: {}, ssn: { plaintext: "read" }, notes: {} },
  },
});
const o1: KeyContext = { organizationId: "o1" };
const o2: KeyContext = { organizationId: "o2" };
const ssn = "123-45-6789";
registerSecrets(ssn, ringKey);

const fieldOf = (s: VaultSchema, modelName: string, name: string): EncryptedField => {
  const field = modelOf(s, modelName).encrypted.get(name);
  if (!field) throw new Error(`${modelName}.${name} is not encrypted`);
  return field;
};
const userSsn = fieldOf(schema, "User", "ssn");

/** The envelope of `text` in `modelName.field` of a row with `context`. */
function seal(
  text: string,
  context: KeyContext,
  name = "ssn",
  modelName = "User",
  by = cipher,
): Promise<string> {
  return by.seal(text, fieldRef(fieldOf(schema, modelName, name), context));
}

function shapeOf(s: VaultSchema, modelName: string, args: PrismaObject | undefined): ResultShape {
  const { shape } = planSelection(s, modelName, args, {});
  if (!shape) throw new Error("expected a result shape");
  return shape;
}

describe("fieldRef", () => {
  it("binds the value to model, field and context by default, and carries no id unless given one", () => {
    const ref = fieldRef(userSsn, o1);
    expect(ref).toEqual({ model: "User", field: "ssn", context: o1, aad: associatedData("User", "ssn", o1) });
    expect("id" in ref).toBe(false);
    expect(fieldRef(userSsn, o1, 0).id).toBe(0);
  });

  it('seals without associated data under aad: "none", and under the old name with aadAs', () => {
    const renamed = testSchema({
      ...testModels,
      User: {
        context: { organizationId: "organizationId" },
        fields: { email: { aad: "none" }, ssn: { aadAs: "Person.socialSecurity" }, notes: {} },
      },
    });
    expect(fieldRef(fieldOf(renamed, "User", "email"), o1).aad).toBe("");
    const ref = fieldRef(fieldOf(renamed, "User", "ssn"), o1);
    expect(ref.aad).toBe(associatedData("Person", "socialSecurity", o1));
    expect([ref.model, ref.field]).toEqual(["User", "ssn"]);
  });
});

describe("checkedToFit", () => {
  const bounded = buildVaultSchema(
    dataModel(
      model("Memo", [
        scalar("id", "Int", { isId: true }),
        scalar("organizationId"),
        scalar("text", "String", { nativeType: ["VarChar", ["600"]] }),
      ]),
    ),
    { Memo: { context: ["organizationId"], fields: { text: {} } } },
    { plaintext: "reject" },
  );
  const memoText = fieldOf(bounded, "Memo", "text");

  it("returns an envelope that fits its column, up to the last character", () => {
    expect(memoText.capacity).toBe(600);
    const exact = "A".repeat(600);
    expect(checkedToFit(cipher, memoText, exact, 1)).toBe(exact);
    const long = "A".repeat(100_000);
    expect(checkedToFit(cipher, userSsn, long, 1)).toBe(long);
  });

  it("refuses an envelope longer than its column, naming model, field and row, never the envelope", () => {
    const envelope = "B".repeat(601);
    const error = thrownVaultError(() => checkedToFit(cipher, memoText, envelope, 9));
    expect(error).toBeInstanceOf(VaultConfigError);
    expect(error.message).toBe(
      "Memo.text (id 9): the envelope is 601 characters and the column holds 600; use a larger text column",
    );
    expect([error.model, error.field, error.id]).toEqual(["Memo", "text", 9]);
  });

  it("refuses it in sealValues too, before the value reaches the arguments", async () => {
    const plan = planWrite(bounded, "Memo", "create", {
      data: { organizationId: "o1", text: "x".repeat(500) },
    });
    const values = plan.units[0]?.values ?? [];
    const error = await vaultFailure(sealValues(cipher, values, o1, 3));
    expect(error.code).toBe("VAULT_CONFIG");
    expect(error.id).toBe(3);
  });
});

describe("sealValues", () => {
  it("writes into the arguments an envelope of each value that opens for its field and context", async () => {
    const plan = planWrite(schema, "User", "create", {
      data: { organizationId: "o1", name: "Ann", ssn, email: "ann@x.io" },
    });
    const unit = plan.units[0];
    if (!unit) throw new Error("expected a write unit");
    await sealValues(cipher, unit.values, o1);
    const data = plan.args["data"] as PrismaObject;
    expect(data["name"]).toBe("Ann");
    expect(data["ssn"]).not.toBe(ssn);
    expect(decodeEnvelope(data["ssn"] as string).encryptedKeys.length).toBeGreaterThan(0);
    expect(await cipher.open(data["ssn"] as string, fieldRef(userSsn, o1))).toBe(ssn);
    expect(await cipher.open(data["email"] as string, fieldRef(fieldOf(schema, "User", "email"), o1))).toBe(
      "ann@x.io",
    );
    await expect(cipher.open(data["ssn"] as string, fieldRef(userSsn, o2))).rejects.toThrow(
      VaultDecryptError,
    );
  });

  it("fills the blind index beside an indexed field, computed under the row's context", async () => {
    const plan = planWrite(schema, "Account", "create", {
      data: { organizationId: "o1", name: "A", email: "Ann@X.io", phone: "+1 555 0100", handle: "ann" },
    });
    await sealValues(cipher, plan.units[0]?.values ?? [], o1);
    const data = plan.args["data"] as PrismaObject;
    const email = fieldOf(schema, "Account", "email");
    const phone = fieldOf(schema, "Account", "phone");
    expect(data["emailIndex"]).toBe(blindIndexOf(email.index!.blind).compute("ann@x.io", o1));
    expect(data["phoneIndex"]).toBe(blindIndexOf(phone.index!.blind).compute("+1 555 0100", o1));
    expect(data["phoneIndex"]).not.toBe(blindIndexOf(phone.index!.blind).compute("+1 555 0100", o2));
    expect(data["handleIndex"]).toEqual(expect.any(String));
  });

  it("seals at once, before any await, while a data key for the context is cached", async () => {
    const warm = coldCipher();
    await seal("warm-up", o1, "ssn", "User", warm);
    const plan = planWrite(schema, "User", "create", { data: { organizationId: "o1", ssn } });
    const sealing = sealValues(warm, plan.units[0]?.values ?? [], o1);
    expect((plan.args["data"] as PrismaObject)["ssn"]).not.toBe(ssn);
    await sealing;
  });

  it("without a cached key, waits for one and then seals", async () => {
    const plan = planWrite(schema, "User", "create", { data: { organizationId: "o1", ssn } });
    const sealing = sealValues(coldCipher(), plan.units[0]?.values ?? [], o1);
    expect((plan.args["data"] as PrismaObject)["ssn"]).toBe(ssn);
    await sealing;
    expect((plan.args["data"] as PrismaObject)["ssn"]).not.toBe(ssn);
  });

  it("with nothing to seal asks the provider for nothing", async () => {
    const idle = coldCipher();
    await sealValues(idle, [], o1);
    expect(idle.stats().provider.createDataKey).toBe(0);
  });
});

describe("openResult", () => {
  it("decrypts every encrypted value in place, at any depth, then strips the context fields it added", async () => {
    const shape = shapeOf(schema, "Organization", {
      include: { users: { select: { ssn: true, profile: true } } },
    });
    const rows = [
      {
        id: "o1",
        name: "One",
        users: [
          {
            ssn: await seal(ssn, o1),
            organizationId: "o1",
            profile: {
              id: 1,
              userId: 1,
              organizationId: "o1",
              bio: await seal("bio one", o1, "bio", "Profile"),
            },
          },
        ],
      },
      {
        id: "o2",
        name: "Two",
        users: [{ ssn: await seal("987-65-4321", o2), organizationId: "o2", profile: null }],
      },
    ];
    await openResult(cipher, shape, rows, "throw");
    expect(rows).toEqual([
      {
        id: "o1",
        name: "One",
        users: [{ ssn, profile: { id: 1, userId: 1, organizationId: "o1", bio: "bio one" } }],
      },
      { id: "o2", name: "Two", users: [{ ssn: "987-65-4321", profile: null }] },
    ]);
  });

  it("leaves null values and an empty result alone", async () => {
    const shape = shapeOf(schema, "User", undefined);
    const row = { id: 1, organizationId: "o1", ssn: null, email: null, notes: null, name: "n" };
    await openResult(cipher, shape, row, "throw");
    expect(row).toEqual({ id: 1, organizationId: "o1", ssn: null, email: null, notes: null, name: "n" });
    await openResult(cipher, shape, null, "throw");
    await openResult(cipher, shape, [], "throw");
  });

  it("a value copied from another tenant's row fails to decrypt, naming model, field and row", async () => {
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const row = { id: 5, ssn: await seal(ssn, o1), organizationId: "o2" };
    const error = await vaultFailure(openResult(cipher, shape, row, "throw"));
    expect(error).toBeInstanceOf(VaultDecryptError);
    expect(error.message).toBe("User.ssn (id 5): decryption failed");
  });

  it('under "null" a value that does not decrypt reads as null, and the others still decrypt', async () => {
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true, email: true } });
    const rows = [
      { id: 1, ssn: await seal(ssn, o1), email: await seal("a@x.io", o2, "email"), organizationId: "o2" },
      { id: 2, ssn: await seal("555-55-5555", o2), email: null, organizationId: "o2" },
    ];
    await openResult(cipher, shape, rows, "null");
    expect(rows).toEqual([
      { id: 1, ssn: null, email: "a@x.io" },
      { id: 2, ssn: "555-55-5555", email: null },
    ]);
  });

  it("a policy function is given the located decryption failure, and its answer is read", async () => {
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const row: PrismaObject = { id: 8, ssn: await seal(ssn, o1), organizationId: "o2" };
    const seen: VaultError[] = [];
    await openResult(cipher, shape, row, (error) => (seen.push(error), "<unreadable>"));
    expect(row).toEqual({ id: 8, ssn: "<unreadable>" });
    expect(seen.map((e) => [e.code, e.model, e.field, e.id])).toEqual([
      ["VAULT_DECRYPT_FAILED", "User", "ssn", 8],
    ]);
  });

  it("a value that is not an envelope is a decryption failure, not VAULT_ENVELOPE_INVALID, unless the field reads plaintext", async () => {
    const rejecting = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const error = await vaultFailure(
      openResult(cipher, rejecting, { id: 3, ssn, organizationId: "o1" }, "throw"),
    );
    expect(error.code).toBe("VAULT_DECRYPT_FAILED");
    expect([error.model, error.field, error.id]).toEqual(["User", "ssn", 3]);
    const asNull: PrismaObject = { id: 3, ssn, organizationId: "o1" };
    await openResult(cipher, rejecting, asNull, "null");
    expect(asNull).toEqual({ id: 3, ssn: null });

    const reading = shapeOf(readsPlaintext, "User", { select: { id: true, ssn: true, email: true } });
    const legacy: PrismaObject = {
      id: 4,
      ssn,
      email: await seal("b@x.io", o1, "email"),
      organizationId: "o1",
    };
    await openResult(cipher, reading, legacy, "throw");
    expect(legacy).toEqual({ id: 4, ssn, email: "b@x.io" });
  });

  it("a value that is not an envelope says so and names the fix, still as VAULT_DECRYPT_FAILED", async () => {
    const rejecting = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const error = await vaultFailure(
      openResult(cipher, rejecting, { id: 3, ssn, organizationId: "o1" }, "throw"),
    );
    expect(error).toBeInstanceOf(VaultDecryptError);
    expect(error.message).toBe(
      'User.ssn (id 3): decryption failed: the value is not an envelope (plaintext?); read such values with plaintext: "read" and run prisma-vault migrate encrypt (docs/migrations.md)',
    );
    // Located elsewhere, it keeps its text; an envelope that does not open keeps the opaque one.
    expect(error.locatedAt({ model: "Org", field: "name", id: 9 }).message).toBe(
      `Org.name (id 9): ${error.message.slice("User.ssn (id 3): ".length)}`,
    );
    const foreign = { id: 5, ssn: await seal(ssn, o1), organizationId: "o2" };
    expect((await vaultFailure(openResult(cipher, rejecting, foreign, "throw"))).message).toBe(
      "User.ssn (id 5): decryption failed",
    );
  });

  it("onDecryptError sees a value that is not an envelope as a decryption failure, with the same text", async () => {
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const seen: VaultError[] = [];
    const row: PrismaObject = { id: 6, ssn: "not an envelope", organizationId: "o1" };
    await openResult(cipher, shape, row, (error) => (seen.push(error), "<plaintext>"));
    expect(row).toEqual({ id: 6, ssn: "<plaintext>" });
    expect(seen.map((e) => [e.code, e.name, e.model, e.field, e.id])).toEqual([
      ["VAULT_DECRYPT_FAILED", "VaultDecryptError", "User", "ssn", 6],
    ]);
    expect(seen[0]?.message).toMatch(/^User\.ssn \(id 6\): decryption failed: the value is not an envelope/);
  });

  it("a plaintext-reading field still fails closed on an envelope that does not open", async () => {
    const reading = shapeOf(readsPlaintext, "User", { select: { id: true, ssn: true } });
    const row = { id: 4, ssn: await seal(ssn, o1), organizationId: "o2" };
    expect((await vaultFailure(openResult(cipher, reading, row, "throw"))).code).toBe("VAULT_DECRYPT_FAILED");
  });

  it("a data key wrapped by another key under the ring's key id reads as a decryption failure", async () => {
    const impostor = vaultCore(
      new DataKeyCache(new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] })),
    );
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const row: PrismaObject = {
      id: 6,
      ssn: await seal(ssn, o1, "ssn", "User", impostor),
      organizationId: "o1",
    };
    await openResult(cipher, shape, row, "null");
    expect(row).toEqual({ id: 6, ssn: null });
  });

  it("a value whose master key is not configured always throws VAULT_KEY_UNAVAILABLE, whatever the policy", async () => {
    const otherRing = vaultCore(
      new DataKeyCache(new LocalKeyProvider({ keys: [{ id: "k2", key: randomBytes(32) }] })),
    );
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const stored = await seal(ssn, o1, "ssn", "User", otherRing);
    let asked = 0;
    for (const policy of ["throw", "null", () => (asked++, null)] as const) {
      const error = await vaultFailure(
        openResult(cipher, shape, { id: 7, ssn: stored, organizationId: "o1" }, policy),
      );
      expect(error).toBeInstanceOf(VaultKeyUnavailableError);
      expect((error as VaultKeyUnavailableError).keyId).toBe("k2");
      expect([error.model, error.field, error.id]).toEqual(["User", "ssn", 7]);
    }
    expect(asked).toBe(0);
  });

  it("a value wrapped by a provider that is not configured throws VAULT_KEY_UNAVAILABLE under null too", async () => {
    const parts = decodeEnvelope(await seal(ssn, o1));
    const foreign = encodeEnvelope({
      ...parts,
      encryptedKeys: Uint8Array.from([...WORKOS_KEY_BLOB_MAGIC, 1, 2, 3]),
    });
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const error = await vaultFailure(
      openResult(cipher, shape, { id: 1, ssn: foreign, organizationId: "o1" }, "null"),
    );
    expect(error.code).toBe("VAULT_KEY_UNAVAILABLE");
  });

  it("a row without its context field fails with VAULT_CONTEXT_MISSING, whatever the policy", async () => {
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const stored = await seal(ssn, o1);
    for (const policy of ["throw", "null", () => "answer"] as const) {
      const error = await vaultFailure(
        openResult(cipher, shape, { id: 2, ssn: stored, organizationId: null }, policy),
      );
      expect(error.code).toBe("VAULT_CONTEXT_MISSING");
      expect(error.id).toBe(2);
    }
  });

  it("opens values whose data key is cached before any await; strips only once all are open", async () => {
    const warm = coldCipher();
    const stored = await seal(ssn, o1, "ssn", "User", warm);
    await warm.open(stored, fieldRef(userSsn, o1));
    const shape = shapeOf(schema, "User", { select: { ssn: true } });
    const row: PrismaObject = { ssn: stored, organizationId: "o1" };
    const opening = openResult(warm, shape, row, "throw");
    expect(row).toEqual({ ssn, organizationId: "o1" });
    await opening;
    expect(row).toEqual({ ssn });
  });

  it("a query that fails leaves no key call failing unobserved", async () => {
    const otherRing = vaultCore(
      new DataKeyCache(new LocalKeyProvider({ keys: [{ id: "k2", key: randomBytes(32) }] })),
    );
    const shape = shapeOf(schema, "User", { select: { id: true, ssn: true } });
    const rows = [
      // Its key is not cached: a provider call starts, and will fail with VAULT_KEY_UNAVAILABLE.
      { id: 1, ssn: await seal(ssn, o1, "ssn", "User", otherRing), organizationId: "o1" },
      // Fails at once, while that call is in flight.
      { id: 2, ssn: await seal(ssn, o1), organizationId: undefined },
    ];
    const error = await vaultFailure(openResult(coldCipher(), shape, rows, "throw"));
    expect(error.code).toBe("VAULT_CONTEXT_MISSING");
    // An unobserved rejection of the first row's call would fail this test run.
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it("for any texts and tenants, what sealValues wrote openResult reads back", async () => {
    const text = fc.string({ unit: "grapheme", maxLength: 40 });
    const org = fc.constantFrom("o1", "o2", "o3");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ org, ssn: text, notes: fc.option(text, { nil: null }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (users) => {
          const rows: PrismaObject[] = [];
          for (const [i, user] of users.entries()) {
            const plan = planWrite(schema, "User", "create", {
              data: { organizationId: user.org, ssn: user.ssn, notes: user.notes },
            });
            await sealValues(cipher, plan.units[0]?.values ?? [], { organizationId: user.org }, i);
            const data = plan.args["data"] as PrismaObject;
            rows.push({ id: i, ssn: data["ssn"], notes: data["notes"], organizationId: user.org });
          }
          await openResult(
            cipher,
            shapeOf(schema, "User", { select: { id: true, ssn: true, notes: true } }),
            rows,
            "throw",
          );
          expect(rows).toEqual(users.map((u, i) => ({ id: i, ssn: u.ssn, notes: u.notes })));
        },
      ),
      { numRuns: 60 },
    );
  });
});
