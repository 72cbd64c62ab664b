/**
 * A ciphertext copied with SQL to where it does not belong never opens through vaultMiddleware: into
 * another tenant's row, into another field of the same row, into another model. The associated data
 * names model, field and tenant, so each is `VAULT_DECRYPT_FAILED` (or null under
 * `onDecryptError: "null"`), and the plaintext it was sealed from appears nowhere: not in the result,
 * not in the error.
 */
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import type { Prisma8Db } from "./support/prisma8-app.js";
import { seedTenant, usersOf, type SeededTenant } from "./support/seed.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("tenant_swap");

/** Copies the stored value of `from` (table, column, id) over `to`'s, with SQL. */
async function copyStored(
  from: { table: string; column: string; id: number },
  to: { table: string; column: string; id: number },
): Promise<void> {
  const [row] = await app().sql<Record<string, string>>(
    `SELECT "${from.column}" AS v FROM "${from.table}" WHERE "id" = $1`,
    [from.id],
  );
  await app().sql(`UPDATE "${to.table}" SET "${to.column}" = $1 WHERE "id" = $2`, [row?.["v"], to.id]);
}

/** The row `id` of `table` read through `db` (its tenant pinned), with its included posts for User. */
function readRow(db: Prisma8Db, table: "User" | "Post", id: number, orgId: number): Promise<unknown[]> {
  if (table === "Post") return db.orm.public!.Post!.where({ id, organizationId: orgId }).all().toArray();
  return usersOf(db).where({ id, organizationId: orgId }).all().toArray();
}

interface Swap {
  readonly name: string;
  readonly from: (a: SeededTenant, b: SeededTenant) => { table: string; column: string; id: number };
  readonly to: (
    a: SeededTenant,
    b: SeededTenant,
  ) => { table: "User" | "Post"; column: string; id: number; orgId: number };
  /** The plaintext the copied envelope was sealed from. */
  readonly plaintext: (a: SeededTenant, b: SeededTenant) => string;
}

const SWAPS: readonly Swap[] = [
  {
    name: "tenant A's ssn into tenant B's ssn",
    from: (a) => ({ table: "User", column: "ssn", id: a.users[0]!.id }),
    to: (_a, b) => ({ table: "User", column: "ssn", id: b.users[0]!.id, orgId: b.orgId }),
    plaintext: (a) => a.users[0]!.ssn,
  },
  {
    name: "tenant A's body into tenant B's body",
    from: (a) => ({ table: "Post", column: "body", id: a.users[0]!.postId }),
    to: (_a, b) => ({ table: "Post", column: "body", id: b.users[0]!.postId, orgId: b.orgId }),
    plaintext: (a) => a.users[0]!.body,
  },
  {
    name: "email into ssn of the same row",
    from: (a) => ({ table: "User", column: "email", id: a.users[0]!.id }),
    to: (a) => ({ table: "User", column: "ssn", id: a.users[0]!.id, orgId: a.orgId }),
    plaintext: (a) => a.users[0]!.email,
  },
  {
    name: "User.ssn into Post.body of the same tenant",
    from: (a) => ({ table: "User", column: "ssn", id: a.users[0]!.id }),
    to: (a) => ({ table: "Post", column: "body", id: a.users[0]!.postId, orgId: a.orgId }),
    plaintext: (a) => a.users[0]!.ssn,
  },
];

describe("vaultMiddleware: a ciphertext swapped to another tenant, field or model", () => {
  it.each(SWAPS.map((s) => [s.name, s] as const))(
    "%s: VAULT_DECRYPT_FAILED, no plaintext",
    async (_name, swap) => {
      const rig = vaultRig(app());
      const a = await seedTenant(app(), rig);
      const b = await seedTenant(app(), rig);
      const to = swap.to(a, b);
      await copyStored(swap.from(a, b), to);

      const error = await vaultFailure(readRow(vaultRig(app()).db, to.table, to.id, to.orgId));
      expect([error.code, error.model, error.field, error.id]).toEqual([
        "VAULT_DECRYPT_FAILED",
        to.table,
        to.column,
        to.id,
      ]);
      expect(`${error.message} ${error.stack ?? ""}`).not.toContain(swap.plaintext(a, b));
    },
  );

  it.each(SWAPS.map((s) => [s.name, s] as const))(
    '%s: read as null under onDecryptError: "null", the row\'s other values open',
    async (_name, swap) => {
      const rig = vaultRig(app());
      const a = await seedTenant(app(), rig);
      const b = await seedTenant(app(), rig);
      const to = swap.to(a, b);
      await copyStored(swap.from(a, b), to);

      const rows = await readRow(vaultRig(app(), { onDecryptError: "null" }).db, to.table, to.id, to.orgId);
      expect(rows).toHaveLength(1);
      const row = rows[0] as Record<string, unknown>;
      expect(row[to.column]).toBeNull();
      // The same-row swap's source field still holds its own value, legitimately: leave it out.
      const from = swap.from(a, b);
      const others =
        from.table === to.table && from.id === to.id ? { ...row, [from.column]: undefined } : row;
      expect(JSON.stringify(others)).not.toContain(swap.plaintext(a, b));
      const owner = [...a.users, ...b.users].find((u) => (to.table === "User" ? u.id : u.postId) === to.id)!;
      if (to.table === "User") expect(row["email"]).toBe(owner.email);
    },
  );

  it("a swapped body in an included relation fails the read; the author's own values are not returned with it", async () => {
    const rig = vaultRig(app());
    const a = await seedTenant(app(), rig);
    const b = await seedTenant(app(), rig);
    await copyStored(
      { table: "Post", column: "body", id: a.users[0]!.postId },
      { table: "Post", column: "body", id: b.users[0]!.postId },
    );
    const read = usersOf(vaultRig(app()).db)
      .where({ id: b.users[0]!.id, organizationId: b.orgId })
      .include("posts" as never)
      .all()
      .toArray();
    const error = await vaultFailure(read);
    expect([error.code, error.model, error.field]).toEqual(["VAULT_DECRYPT_FAILED", "Post", "body"]);
    expect(error.message).not.toContain(a.users[0]!.body);
  });
});
