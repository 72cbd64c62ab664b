/**
 * Round trips of writes whose key context the arguments already give (issue 13, item 3): an update or
 * updateMany whose `where` pins the context by equality sends what plain Prisma sends for the same
 * call — no transaction, no read first — and setting a context field to the value `where` pins is no
 * move. Counted with Prisma's query log on each database, against plain Prisma's count for the same
 * call; an update that does not pin its context still reads it (so the count can tell).
 */
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { associatedData } from "../../src/context/key-context.js";
import { decrypt } from "../../src/core/standalone.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase, type Target } from "../support/databases.js";
import { anyFailure } from "../support/errors.js";
import { useKeyServerRig } from "../support/key-server.js";

interface Logged {
  $on(event: "query", listener: (event: { query: string }) => void): void;
}

export function roundTripsSuite(target: Target): void {
  const rig = useKeyServerRig();
  const { database, generated } = useTestDatabase(target);
  const indexSecret = randomBytes(32);

  /** A plain client and a vault() client over the same database, each with its own query log. */
  const clients = () => {
    const log = { plain: [] as string[], vault: [] as string[] };
    const base = database().client({ log: [{ emit: "event", level: "query" }] });
    const other = database().client({ log: [{ emit: "event", level: "query" }] });
    (base as unknown as Logged).$on("query", (e) => log.plain.push(e.query));
    (other as unknown as Logged).$on("query", (e) => log.vault.push(e.query));
    const prisma = other.$extends(vault({ keys: rig.local, schema: generated(), indexSecret }));
    return { plain: base, prisma, log };
  };
  /** The queries `run` sends, with the log emptied first. */
  const sent = async (log: string[], run: () => Promise<unknown>) => {
    log.length = 0;
    await run();
    return [...log];
  };

  let ids: { a: number; b: number };
  beforeEach(async () => {
    await database().plain.organization.createMany({
      data: ["org_a", "org_b"].map((id) => ({ id, name: id })),
    });
    const prisma = database().plain.$extends(vault({ keys: rig.local, schema: generated(), indexSecret }));
    const a = await prisma.account.create({ data: { organizationId: "org_a", email: "a@x.io" } });
    const b = await prisma.account.create({ data: { organizationId: "org_b", email: "b@x.io" } });
    ids = { a: a.id, b: b.id };
  });

  const storedEmail = async (id: number) =>
    (await database().plain.account.findUniqueOrThrow({ where: { id } })).email;
  const opens = async (id: number, organizationId: string, expected: string) =>
    expect(
      await decrypt(rig.local, await storedEmail(id), associatedData("Account", "email", { organizationId })),
    ).toBe(expected);

  describe(`round trips on ${target}`, () => {
    it("update pinned by where, and updateMany by tenant: the queries plain Prisma sends, nothing more", async () => {
      const { plain, prisma, log } = clients();
      const where = { id: ids.a, organizationId: "org_a" };
      const expected = await sent(log.plain, () =>
        plain.account.update({ where, data: { email: "p@x.io" }, select: { id: true } }),
      );
      const actual = await sent(log.vault, () =>
        prisma.account.update({ where, data: { email: "new@x.io" }, select: { id: true } }),
      );
      expect(actual).toHaveLength(expected.length);
      expect(actual.some((q) => /^(BEGIN|START TRANSACTION)/i.test(q))).toBe(false);
      await opens(ids.a, "org_a", "new@x.io");

      const many = { where: { organizationId: "org_b" }, data: { phone: "+1 555 0100" } };
      const plainMany = await sent(log.plain, () => plain.account.updateMany(many));
      const vaultMany = await sent(log.vault, () => prisma.account.updateMany(many));
      expect(vaultMany).toHaveLength(plainMany.length);
      const b = await prisma.account.findUniqueOrThrow({ where: { id: ids.b } });
      expect(b.phone).toBe("+1 555 0100");
    });

    it("setting the context field to the value where pins is no move: no read, values stay sealed", async () => {
      const { plain, prisma, log } = clients();
      const where = { id: ids.a, organizationId: { equals: "org_a" } };
      const expected = await sent(log.plain, () =>
        plain.account.update({
          where,
          data: { organizationId: "org_a", email: "p@x.io" },
          select: { id: true },
        }),
      );
      const actual = await sent(log.vault, () =>
        prisma.account.update({
          where,
          data: { organizationId: "org_a", email: "same@x.io" },
          select: { id: true },
        }),
      );
      expect(actual).toHaveLength(expected.length);
      await opens(ids.a, "org_a", "same@x.io");
    });

    it("an update without its context in where or data still reads it first (more queries than plain)", async () => {
      const { plain, prisma, log } = clients();
      const where = { id: ids.a };
      const expected = await sent(log.plain, () =>
        plain.account.update({ where, data: { email: "p@x.io" }, select: { id: true } }),
      );
      const actual = await sent(log.vault, () =>
        prisma.account.update({ where, data: { email: "read@x.io" }, select: { id: true } }),
      );
      expect(actual.length).toBeGreaterThan(expected.length);
      await opens(ids.a, "org_a", "read@x.io");
    });

    it("where pinning another tenant than the row's reaches no row: nothing is written under the wrong tenant", async () => {
      const { prisma } = clients();
      const before = await storedEmail(ids.b);
      const error = await anyFailure(
        prisma.account.update({ where: { id: ids.b, organizationId: "org_a" }, data: { email: "x@x.io" } }),
      );
      expect((error as { code?: string }).code).toBe("P2025");
      expect(
        await prisma.account.updateMany({
          where: { id: ids.b, organizationId: "org_a" },
          data: { email: "x@x.io" },
        }),
      ).toEqual({ count: 0 });
      expect(await storedEmail(ids.b)).toBe(before);
      await opens(ids.b, "org_b", "b@x.io");
    });
  });
}
