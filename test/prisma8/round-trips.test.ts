/**
 * vaultMiddleware on the real Prisma 8 RC and PostgreSQL: what an application writes is sealed in the
 * database and reads back as it was written, at the top level and in included relations, with one
 * key-provider call per tenant.
 */
import { describe, expect, it } from "vitest";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("round_trips");

const ENVELOPE = /^[A-Za-z0-9+/]+=*$/;

describe("vaultMiddleware: round trips", () => {
  it("create seals email and ssn; the database holds envelopes and the blind index; reads open them", async () => {
    const { db } = vaultRig(app());
    const org = await db.orm.public!.Organization!.create({ name: "acme" });
    const created = await db.orm.public!.User!.create({
      organizationId: org["id"],
      email: "ada@example.com",
      ssn: "123-45-6789",
    });
    expect(created).toMatchObject({ email: "ada@example.com", ssn: "123-45-6789" });
    const [stored] = await app().sql(`SELECT "email", "emailIndex", "ssn" FROM "User" WHERE "id" = $1`, [
      created["id"],
    ]);
    expect(stored?.["email"]).toMatch(ENVELOPE);
    expect(stored?.["ssn"]).toMatch(ENVELOPE);
    expect(stored?.["email"]).not.toContain("ada");
    expect(stored?.["emailIndex"]).toMatch(/^[0-9a-f]{64}$|^[A-Za-z0-9_-]+$/);
    const read = await db.orm.public!.User!.where({ id: created["id"] }).all().toArray();
    expect(read).toEqual([expect.objectContaining({ email: "ada@example.com", ssn: "123-45-6789" })]);
  });
});
