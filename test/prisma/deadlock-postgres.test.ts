/**
 * A write that prisma-vault runs in a transaction of its own (an updateMany across two tenants: read
 * the rows, then one UPDATE per tenant) and that the database picks as a deadlock's victim is run
 * again, since it was rolled back whole: the caller sees it succeed, as plain Prisma's one statement
 * would have. Provoked on PostgreSQL: another transaction holds row B, then asks for row A, which our
 * transaction holds while it waits for B.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase } from "../support/databases.js";
import { until } from "../support/until.js";

describe("a deadlock victim among prisma-vault's own transactions on postgres", () => {
  const { database, generated } = useTestDatabase("postgres");
  const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: randomBytes(32) }] });

  it("is retried: the updateMany succeeds and both rows hold the new value", async () => {
    const plain = database().plain;
    await plain.organization.createMany({ data: ["org_a", "org_b"].map((id) => ({ id, name: id })) });
    const prisma = database()
      .client()
      .$extends(vault({ keys, schema: generated(), indexSecret: randomBytes(32) }));
    const a = await prisma.user.create({ data: { organizationId: "org_a", email: "a@x.io" } });
    const b = await prisma.user.create({ data: { organizationId: "org_b", email: "b@x.io" } });
    // A lock some session of this database waits for, as PostgreSQL lists it.
    const waiting = async () =>
      (
        await plain.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
           WHERE NOT l.granted AND s.datname = current_database()`,
        )
      )[0]!.n > 0;
    // PostgreSQL aborts the waiter that checks for the deadlock first, deadlock_timeout (1 s) after it
    // began to wait. Ours began first, but only just: on a loaded machine the other's check can still
    // run first and make it the victim. So the other's check is put off, where the role may (superuser).
    const [{ superuser } = { superuser: false }] = await plain.$queryRawUnsafe<{ superuser: boolean }[]>(
      `SELECT current_setting('is_superuser') = 'on' AS superuser`,
    );
    let ours: Promise<unknown> | undefined;
    // The other transaction: B first, then (once ours holds A and waits for B) A.
    await plain.$transaction(
      async (tx) => {
        if (superuser) await tx.$executeRawUnsafe(`SET LOCAL deadlock_timeout = '60s'`);
        await tx.$executeRawUnsafe(`UPDATE "User" SET "name" = 'other' WHERE "id" = $1`, b.id);
        ours = prisma.user
          .updateMany({ where: { id: { in: [a.id, b.id] } }, data: { ssn: "123-45-6789" } })
          .catch((error: unknown) => error);
        // Waited for, not slept for: on a loaded machine ours may take long to get there.
        await until("our transaction waiting for row B's lock", waiting);
        await tx.$executeRawUnsafe(`UPDATE "User" SET "name" = 'other' WHERE "id" = $1`, a.id);
      },
      { timeout: 20_000 },
    );
    const outcome = await ours;
    expect(outcome).toEqual({ count: 2 });
    const rows = await prisma.user.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.ssn, row.name])).toEqual([
      ["123-45-6789", "other"],
      ["123-45-6789", "other"],
    ]);
  }, 30_000);
});
