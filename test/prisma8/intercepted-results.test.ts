/**
 * A middleware that answers queries itself (`interceptQuery`, here a row cache) skips every `onRow`,
 * so vaultMiddleware cannot open what it returns. A query reading encrypted fields that is answered
 * so is refused with `VAULT_UNSUPPORTED_QUERY` (afterQuery), whether the cache sits before
 * vaultMiddleware (it keeps sealed rows) or after it (it keeps opened ones): an awaited read never
 * returns the rows. A read that touches no encrypted field is served from the cache as usual.
 *
 * Streamed with `for await`, rows reach the caller before afterQuery runs (Prisma 8 calls it when the
 * stream ends): the stream then fails, and what it yielded from a cache before vaultMiddleware is
 * still sealed, never plaintext.
 */
import { describe, expect, it } from "vitest";
import { vaultFailure } from "../support/errors.js";
import { rowCache } from "./support/row-cache.js";
import { seedTenant, storedEnvelopes, usersOf } from "./support/seed.js";
import { usePrisma8App } from "./support/use-prisma8-app.js";
import { vaultRig } from "./support/vault-rig.js";

const app = usePrisma8App("intercepted_results");

describe("vaultMiddleware: results another middleware answered", () => {
  it.each(["before", "after"] as const)(
    "a cache %s vaultMiddleware: the cached answer to a read of encrypted fields is refused, all() and first()",
    async (place) => {
      const cache = rowCache();
      const rig = vaultRig(app(), { [place]: [cache.middleware] });
      const tenant = await seedTenant(app(), rig, 2);
      const envelopes = await storedEnvelopes(app(), tenant.orgId);
      const all = () => usersOf(rig.db).where({ organizationId: tenant.orgId }).all().toArray();
      const first = () => usersOf(rig.db).where({ organizationId: tenant.orgId }).first();

      const fresh = await all();
      expect(fresh.map((u) => u["ssn"]).sort()).toEqual(tenant.users.map((u) => u.ssn).sort());
      expect((await first())?.["ssn"]).toBe(tenant.users[0]!.ssn);
      for (const read of [all, first]) {
        const hitsBefore = cache.hits();
        const error = await vaultFailure(read());
        expect(cache.hits()).toBe(hitsBefore + 1);
        expect(error.code).toBe("VAULT_UNSUPPORTED_QUERY");
        for (const envelope of envelopes) expect(error.message).not.toContain(envelope);
      }
    },
  );

  it("a read of no encrypted field is answered from the cache", async () => {
    const cache = rowCache();
    const rig = vaultRig(app(), { before: [cache.middleware] });
    const tenant = await seedTenant(app(), rig, 2);
    const ids = () =>
      usersOf(rig.db).where({ organizationId: tenant.orgId }).select("id", "organizationId").all().toArray();
    const fresh = await ids();
    expect(await ids()).toEqual(fresh);
    expect(cache.hits()).toBe(1);
  });

  it("streamed from a cache before vaultMiddleware: the stream fails, and no row it yielded holds plaintext", async () => {
    const cache = rowCache();
    const rig = vaultRig(app(), { before: [cache.middleware] });
    const tenant = await seedTenant(app(), rig, 2);
    const query = () => usersOf(rig.db).where({ organizationId: tenant.orgId }).all();
    await query().toArray();
    const yielded: unknown[] = [];
    const streamed = (async () => {
      for await (const row of query()) yielded.push(row);
    })();
    const error = await vaultFailure(streamed);
    expect(cache.hits()).toBe(1);
    expect(error.code).toBe("VAULT_UNSUPPORTED_QUERY");
    const text = JSON.stringify(yielded);
    for (const plaintext of tenant.plaintexts) expect(text).not.toContain(plaintext);
  });
});
