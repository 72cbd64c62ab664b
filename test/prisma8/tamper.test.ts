/**
 * The tamper matrix through vaultMiddleware on the real RC: each stored envelope (User.email,
 * User.ssn, Post.body) is altered with SQL in every way below, then read through the middleware.
 * Every read must be refused with `VAULT_DECRYPT_FAILED` (an envelope that does not open, or a value
 * that is no envelope), and no original plaintext may appear in a result or an error. One exception
 * in the code, not the outcome: an envelope whose key blob looks like WorkOS Vault's is
 * `VAULT_KEY_UNAVAILABLE` on a local key ring, which cannot tell a forged WorkOS blob from a real one
 * it has no key for (and such a value is never read as null: the application could overwrite it).
 *
 * Not in the matrix, as documented (docs/key-providers.md, "No row binding"): a value moved between
 * two rows of the same tenant and field opens in its new row.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeEnvelope, encodeEnvelope } from "../../src/format/envelope.js";
import { LOCAL_KEY_BLOB_MAGIC } from "../../src/format/local-blob.js";
import { WORKOS_KEY_BLOB_MAGIC } from "../../src/format/workos-blob.js";
import { isVaultError } from "../../src/errors.js";
import { expectNoSecrets } from "../support/secrets.js";
import { seedTenant, usersOf, type SeededTenant } from "./support/seed.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("tamper");

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** `text` with its base64 character at `at` changed in its top bit, which every position uses. */
function flipped(text: string, at: number): string {
  const index = ALPHABET.indexOf(text[at]!);
  return text.slice(0, at) + ALPHABET[index ^ 32]! + text.slice(at + 1);
}

/** What a mutation may use besides the envelope it alters. */
interface Neighbours {
  /** The same field's envelope in another tenant's row. */
  readonly otherTenant: string;
  /** Another encrypted field's envelope in the same row (or the same tenant, for Post.body). */
  readonly otherField: string;
  /** The value's own plaintext. */
  readonly plaintext: string;
}

/** Each mutation: a name and the stored text it makes of an envelope. */
const MUTATIONS: readonly (readonly [string, (envelope: string, n: Neighbours) => string])[] = [
  ...[0, 8, 16, 21, 40, 0.5, -6, -1].map(
    (position) =>
      [
        `flip char ${position}`,
        (e: string) => {
          const data = e.replace(/=+$/, "").length;
          const at = position < 0 ? data + position : position < 1 ? Math.floor(data * position) : position;
          return flipped(e, at);
        },
      ] as const,
  ),
  ["truncate 4 chars", (e) => e.slice(0, -4)],
  ["truncate to half", (e) => e.slice(0, Math.floor(e.length / 8) * 4)],
  ["truncate to the key blob", (e) => e.slice(0, 40)],
  ["append 4 chars", (e) => `${e}AAAA`],
  ["append 1 char", (e) => `${e}A`],
  ["swap with another tenant's", (_e, n) => n.otherTenant],
  ["swap with another field's", (_e, n) => n.otherField],
  ["empty string", () => ""],
  ["plaintext value", (_e, n) => n.plaintext],
  [
    "WorkOS-looking envelope, garbage key blob",
    (e) =>
      encodeEnvelope({
        ...decodeEnvelope(e),
        encryptedKeys: Buffer.concat([WORKOS_KEY_BLOB_MAGIC, randomBytes(48)]),
      }),
  ],
  [
    "PVK1-looking envelope, garbage key blob",
    (e) =>
      encodeEnvelope({
        ...decodeEnvelope(e),
        encryptedKeys: Buffer.concat([LOCAL_KEY_BLOB_MAGIC, randomBytes(48)]),
      }),
  ],
  [
    "another tenant's key blob",
    (e, n) =>
      encodeEnvelope({ ...decodeEnvelope(e), encryptedKeys: decodeEnvelope(n.otherTenant).encryptedKeys }),
  ],
  [
    "another value's IV",
    (e, n) => encodeEnvelope({ ...decodeEnvelope(e), iv: decodeEnvelope(n.otherField).iv }),
  ],
  [
    "ciphertext of another value under the same key",
    (e, n) => encodeEnvelope({ ...decodeEnvelope(e), ciphertext: decodeEnvelope(n.otherField).ciphertext }),
  ],
];

/** Where an envelope is stored, and how to read its row through the middleware. */
interface Target {
  readonly table: "User" | "Post";
  readonly column: "email" | "ssn" | "body";
  readonly id: (t: SeededTenant) => number;
  readonly plaintext: (t: SeededTenant) => string;
  readonly otherField: "ssn" | "email";
}

const TARGETS: readonly Target[] = [
  {
    table: "User",
    column: "email",
    id: (t) => t.users[0]!.id,
    plaintext: (t) => t.users[0]!.email,
    otherField: "ssn",
  },
  {
    table: "User",
    column: "ssn",
    id: (t) => t.users[0]!.id,
    plaintext: (t) => t.users[0]!.ssn,
    otherField: "email",
  },
  {
    table: "Post",
    column: "body",
    id: (t) => t.users[0]!.postId,
    plaintext: (t) => t.users[0]!.body,
    otherField: "ssn",
  },
];

async function stored(table: string, column: string, id: number): Promise<string> {
  const [row] = await app().sql<Record<string, string>>(
    `SELECT "${column}" AS v FROM "${table}" WHERE "id" = $1`,
    [id],
  );
  return row!["v"]!;
}

describe("vaultMiddleware: the tamper matrix", () => {
  it("every altered envelope of email, ssn and body is refused; no plaintext is returned", async () => {
    const rig = vaultRig(app());
    const tenant = await seedTenant(app(), rig);
    const other = await seedTenant(app(), rig);
    const plaintexts = [...tenant.plaintexts, ...other.plaintexts];
    const reader = vaultRig(app());
    let total = 0;
    let refused = 0;
    let plaintextReturned = 0;
    const opened: string[] = [];
    for (const target of TARGETS) {
      const id = target.id(tenant);
      const original = await stored(target.table, target.column, id);
      const neighbours: Neighbours = {
        otherTenant: await stored(target.table, target.column, target.id(other)),
        otherField: await stored("User", target.otherField, tenant.users[0]!.id),
        plaintext: target.plaintext(tenant),
      };
      for (const [name, mutate] of MUTATIONS) {
        const altered = mutate(original, neighbours);
        expect(altered, `${target.column}: ${name}`).not.toBe(original);
        await app().sql(`UPDATE "${target.table}" SET "${target.column}" = $1 WHERE "id" = $2`, [
          altered,
          id,
        ]);
        total++;
        const read =
          target.table === "Post"
            ? reader.db.orm.public!.Post!.where({ id, organizationId: tenant.orgId }).all().toArray()
            : usersOf(reader.db).where({ id, organizationId: tenant.orgId }).all().toArray();
        const outcome = await read.then(
          (rows) => ({ rows }),
          (error: unknown) => ({ error }),
        );
        if ("rows" in outcome) {
          opened.push(`${target.table}.${target.column}: ${name}`);
          const value = outcome.rows[0]?.[target.column];
          if (plaintexts.includes(value as string)) plaintextReturned++;
        } else {
          expectNoSecrets(outcome.error);
          const { error } = outcome;
          const code = name.startsWith("WorkOS-looking") ? "VAULT_KEY_UNAVAILABLE" : "VAULT_DECRYPT_FAILED";
          if (isVaultError(error, code) && error.field === target.column) refused++;
          else opened.push(`${target.table}.${target.column}: ${name} (${String(error)})`);
        }
        await app().sql(`UPDATE "${target.table}" SET "${target.column}" = $1 WHERE "id" = $2`, [
          original,
          id,
        ]);
      }
    }
    console.log(`tamper: ${total - refused}/${total} opened, ${plaintextReturned} plaintext returned`);
    expect(opened).toEqual([]);
    expect(plaintextReturned).toBe(0);
    expect(refused).toBe(total);
    expect(total).toBe(TARGETS.length * MUTATIONS.length);
  });
});
