/**
 * The blind-index oracle, run against every database target (index-oracle-sqlite.test.ts,
 * index-oracle-postgres.test.ts, index-oracle-mariadb.test.ts). The same random rows go into Account
 * (encrypted, written through the extension) and PlainAccount (its plaintext twin, written by the plain
 * client); every random filter is then sent to both, and both must find the same rows, by `name`.
 *
 * Values are generated in normal form (lowercase emails, phones of digits and a leading "+") because
 * Account normalizes before indexing and PlainAccount compares what it stores. Handles are exact: case
 * variants ("Ab", "ab", "AB") are in the pool on purpose and must be told apart.
 *
 * The data set and the queries come from one seed, which fast-check prints when a property fails; set
 * PRISMA_VAULT_ORACLE_SEED to it to replay the failure.
 */
import { randomBytes, randomInt } from "node:crypto";
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { VaultError } from "../../src/errors.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase, type Target } from "../support/databases.js";
import { useKeyServerRig } from "../support/key-server.js";

type PrismaObject = Record<string, unknown>;

const seed = Number(process.env["PRISMA_VAULT_ORACLE_SEED"] ?? randomInt(2 ** 31 - 1));

/** Tenants with rows; EMPTY_ORG has none, so `every` and `none` also meet an empty relation. */
const ORGS = ["org_a", "org_b", "org_c"] as const;
const EMPTY_ORG = "org_empty";
const EMAILS = Array.from({ length: 160 }, (_, i) => `u${i}@x.io`);
const PHONES = ["5550100", "5550101", "5550102", "5550103", "+15550100", "+15550101"];
/** Case variants, a leading space, accents and the empty string: an exact index tells them all apart. */
const HANDLES = ["Ab", "ab", "AB", "aB", "x", "X", "é", "É", " ab", ""];
const MISSING_EMAILS = ["v0@x.io", "v1@x.io", "u1@x.iox"];
const MISSING_PHONES = ["5550199", "15550100", "+5550100"];
const MISSING_HANDLES = ["abc", "Abc", "e\u0301", "a"];

interface Row {
  name: string;
  organizationId: string;
  email: string;
  phone: string | null;
  handle: string | null;
}

interface Dataset {
  readonly rows: Row[];
  /** Each session's account, by row index (null: no account). */
  readonly sessions: (number | null)[];
}

/** Registers the oracle tests on one database, e.g. `indexOracleSuite("postgres")`. */
export function indexOracleSuite(target: Target): void {
  const rig = useKeyServerRig();
  const { database, generated, opened } = useTestDatabase(target, { reset: false });
  const data = fc.sample(datasetArb, { seed, numRuns: 1 })[0] as Dataset;
  const where = whereArb(target);
  const runs = (numRuns: number) => ({ seed, numRuns });

  beforeEach((context) => {
    context.onTestFailed(() => console.warn(`index oracle: replay with PRISMA_VAULT_ORACLE_SEED=${seed}`));
  });

  const extended = () =>
    database().plain.$extends(
      vault({ keys: rig.provider, schema: generated(), indexSecret: randomBytes(32) }),
    );
  let prisma: ReturnType<typeof extended>;
  beforeAll(() => {
    if (opened()) prisma = extended();
  });

  /** Empties the database and writes the data set to both twins, with sessions linked to both. */
  const load = async () => {
    const plain = database().plain;
    await database().reset();
    await plain.organization.createMany({ data: [...ORGS, EMPTY_ORG].map((id) => ({ id, name: id })) });
    await prisma.account.createMany({ data: data.rows });
    await plain.plainAccount.createMany({ data: data.rows });
    const idsOf = (rows: { id: number; name: string | null }[]) => new Map(rows.map((r) => [r.name, r.id]));
    const sealedIds = idsOf(await plain.account.findMany({ select: { id: true, name: true } }));
    const plainIds = idsOf(await plain.plainAccount.findMany({ select: { id: true, name: true } }));
    await plain.session.createMany({
      data: data.sessions.map((row, k) => ({
        label: `s${k}`,
        accountId: row === null ? null : (sealedIds.get(`r${row}`) ?? null),
        plainAccountId: row === null ? null : (plainIds.get(`r${row}`) ?? null),
      })),
    });
  };

  /** The names of the rows each twin finds with the same `where`, sorted. */
  const findBoth = async (filter: unknown) => {
    const sealed = await prisma.account.findMany({ where: filter as never, select: { name: true } });
    const plain = await database().plain.plainAccount.findMany({
      where: filter as never,
      select: { name: true },
    });
    return [names(sealed), names(plain)] as const;
  };

  /**
   * {@link findBoth}, or `"P2029"` for a twin whose query Prisma refuses for its number of bound values
   * (a `where` of several 100-value lists exceeds SQLite's limit): both twins must then refuse it.
   */
  const findBothOrLimit = async (filter: unknown) => {
    const sealed = await tooManyParameters(() =>
      prisma.account.findMany({ where: filter as never, select: { name: true } }).then(names),
    );
    const plain = await tooManyParameters(() =>
      database()
        .plain.plainAccount.findMany({ where: filter as never, select: { name: true } })
        .then(names),
    );
    return [sealed, plain] as const;
  };

  /** Both twins hold the same rows, and every index column was written for its row's value and tenant. */
  const expectSameState = async () => {
    const select = { name: true, organizationId: true, email: true, phone: true, handle: true } as const;
    const byEmail = (a: Row, b: Row) => (a.email < b.email ? -1 : 1); // unique, unlike names
    const sealed = (await prisma.account.findMany({ select })) as Row[];
    const plain = (await database().plain.plainAccount.findMany({ select })) as Row[];
    expect(sealed.sort(byEmail)).toEqual(plain.sort(byEmail));
    // Each row is found by its own values: its index columns hold them, under its own tenant.
    const own = await prisma.account.findMany({
      where: {
        OR: plain.map(({ name, organizationId, email, phone, handle }) => ({
          name,
          organizationId,
          email,
          phone,
          handle,
        })),
      },
      select: { name: true },
    });
    expect(names(own)).toEqual(names(plain));
    // And no index is left behind: every value finds exactly the rows that hold it now.
    const probes: PrismaObject[] = [
      ...HANDLES.map((handle) => ({ handle })),
      ...ORGS.flatMap((organizationId) => PHONES.map((phone) => ({ organizationId, phone }))),
    ];
    for (const probe of probes) {
      const [fromIndex, fromPlain] = await findBoth(probe);
      expect(fromIndex, JSON.stringify(probe)).toEqual(fromPlain);
    }
  };

  describe(`blind indexes answer like plaintext on ${target}`, () => {
    it("the oracle tells apart what the index must: handles differing in case, one phone in two tenants", async () => {
      await load();
      const found = async (filter: PrismaObject) =>
        names(await database().plain.plainAccount.findMany({ where: filter, select: { name: true } }));
      // Rows r0…r9 carry each handle once, so every case variant matches a different, non-empty set.
      const variants = await Promise.all(["Ab", "ab", "AB", "aB"].map((handle) => found({ handle })));
      for (const matched of variants) expect(matched.length).toBeGreaterThan(0);
      expect(new Set(variants.map((matched) => matched.join())).size).toBe(4);
      const [sealedAb] = await findBoth({ handle: "Ab" });
      expect(sealedAb).toEqual(variants[0]);
      expect(sealedAb).not.toEqual(variants[1]);
      // A tenant-scoped index computed for one tenant finds nothing of the same phone in another.
      const phone = data.rows[0]!.phone as string;
      const everywhere = await found({ phone });
      for (const organizationId of ORGS) {
        const [sealed, plain] = await findBoth({ organizationId, phone });
        expect(sealed).toEqual(plain);
        expect(plain.every((name) => everywhere.includes(name))).toBe(true);
      }
      expect(everywhere.length).toBeGreaterThan((await found({ organizationId: "org_a", phone })).length);
    });

    it("findMany and count find the same rows for any where over handle, email and phone", async () => {
      await load();
      const sizes: number[] = [];
      let mutantsCaught = 0;
      await fc.assert(
        fc.asyncProperty(where, async (filter) => {
          const [sealed, plain] = await findBothOrLimit(filter);
          expect(sealed).toEqual(plain);
          if (sealed === "P2029" || plain === "P2029") return;
          expect(await prisma.account.count({ where: filter })).toBe(plain.length);
          sizes.push(plain.length);
          // The same comparison must catch a deliberately wrong query.
          const wrong = await database().plain.plainAccount.findMany({
            where: mutant(filter) as never,
            select: { name: true },
          });
          if (names(wrong).join() !== sealed.join()) mutantsCaught++;
        }),
        runs(60),
      );
      // Precondition: the random filters are not trivial, so agreeing on them means something.
      const total = data.rows.length;
      expect(sizes.filter((n) => n > 0 && n < total).length).toBeGreaterThanOrEqual(sizes.length / 5);
      expect(sizes.some((n) => n === 0)).toBe(true);
      expect(mutantsCaught).toBeGreaterThanOrEqual(sizes.length / 10);
    }, 60_000);

    it("relation filters some / every / none and is / isNot find the same parents", async () => {
      await load();
      const parents: string[] = [];
      await fc.assert(
        fc.asyncProperty(
          where,
          fc.constantFrom("some", "every", "none"),
          fc.constantFrom("is", "isNot", "shorthand"),
          async (filter, many, one) => {
            const orgsOf = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
            const sealedOrgs = await prisma.organization.findMany({
              where: { accounts: { [many]: filter } },
              select: { id: true },
            });
            const plainOrgs = await database().plain.organization.findMany({
              where: { plainAccounts: { [many]: filter } } as never,
              select: { id: true },
            });
            expect(orgsOf(sealedOrgs)).toEqual(orgsOf(plainOrgs));
            const relation = one === "shorthand" ? filter : { [one]: filter };
            const labelsOf = (rows: { label: string }[]) => rows.map((r) => r.label).sort();
            const sealedSessions = await prisma.session.findMany({
              where: { account: relation },
              select: { label: true },
            });
            const plainSessions = await database().plain.session.findMany({
              where: { plainAccount: relation } as never,
              select: { label: true },
            });
            expect(labelsOf(sealedSessions)).toEqual(labelsOf(plainSessions));
            parents.push(orgsOf(plainOrgs).join());
          },
        ),
        runs(40),
      );
      expect(new Set(parents).size).toBeGreaterThan(2);
    }, 60_000);

    it("findUnique by email, with extra filters, and a cursor on email find the same row", async () => {
      await load();
      const unique = fc.record({
        email: fc.constantFrom(...EMAILS, ...MISSING_EMAILS),
        extra: fc.option(where, { freq: 2 }),
        take: fc.integer({ min: -4, max: 4 }),
      });
      let hits = 0;
      await fc.assert(
        fc.asyncProperty(unique, async ({ email, extra }) => {
          const filter = { email, ...(extra === null ? {} : { AND: [extra] }) };
          // Extra filters of several 100-value lists can exceed SQLite's bound values: both must refuse.
          const sealed = await tooManyParameters(() =>
            prisma.account.findUnique({ where: filter as never, select: { name: true } }),
          );
          const plain = await tooManyParameters(() =>
            database().plain.plainAccount.findUnique({ where: filter as never, select: { name: true } }),
          );
          expect(sealed).toEqual(plain);
          if (plain !== null && plain !== "P2029") hits++;
        }),
        runs(30),
      );
      await fc.assert(
        fc.asyncProperty(unique, async ({ email, take }) => {
          const args = { cursor: { email }, orderBy: { name: "asc" }, take, select: { name: true } };
          const sealed = await prisma.account.findMany(args as never);
          const plain = await database().plain.plainAccount.findMany(args as never);
          expect(names(sealed, false)).toEqual(names(plain, false));
        }),
        runs(20),
      );
      expect(hits).toBeGreaterThan(0);
    }, 60_000);

    it("a session connected by email, or by connectOrCreate, links the same row (a missing email fails on both)", async () => {
      await load();
      let label = 0;
      const outcomes = { linked: 0, failed: 0 };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...EMAILS, ...MISSING_EMAILS),
          fc.constantFrom("connect", "connectOrCreate"),
          fc.constantFrom(...ORGS),
          async (email, how, organizationId) => {
            const tag = `c${label++}`;
            const link =
              how === "connect"
                ? { connect: { email } }
                : {
                    connectOrCreate: {
                      where: { email },
                      create: { organizationId, name: `n_${email}`, email, handle: tag },
                    },
                  };
            const sealed = await outcome(
              prisma.session.create({
                data: { label: tag, account: link as never },
                select: { account: { select: { name: true, email: true } } },
              }),
            );
            const plain = await outcome(
              database().plain.session.create({
                data: { label: tag, plainAccount: link as never },
                select: { plainAccount: { select: { name: true, email: true } } },
              }),
            );
            const linked = "value" in sealed ? sealed.value.account : sealed;
            expect(linked).toEqual("value" in plain ? plain.value.plainAccount : plain);
            outcomes["value" in plain ? "linked" : "failed"]++;
          },
        ),
        runs(40),
      );
      await expectSameState();
      expect(outcomes.linked).toBeGreaterThan(0);
    }, 60_000);

    it("upsert by email updates the same row or creates the same new one, and keeps every index right", async () => {
      const change = fc.record(
        {
          phone: fc.option(fc.constantFrom(...PHONES), { freq: 3 }),
          handle: fc.option(fc.constantFrom(...HANDLES), { freq: 3 }),
          organizationId: fc.constantFrom(...ORGS),
        },
        { requiredKeys: [] },
      );
      const upsert = fc.record({
        email: fc.constantFrom(...EMAILS.slice(0, 20), ...MISSING_EMAILS),
        organizationId: fc.constantFrom(...ORGS),
        phone: fc.option(fc.constantFrom(...PHONES), { freq: 3 }),
        update: change,
      });
      await fc.assert(
        fc.asyncProperty(fc.array(upsert, { minLength: 1, maxLength: 3 }), async (upserts) => {
          await load();
          for (const { email, organizationId, phone, update } of upserts) {
            const args = {
              where: { email },
              create: { organizationId, name: `n_${email}`, email, phone, handle: "new" },
              update,
              select: { name: true, organizationId: true, email: true, phone: true, handle: true },
            };
            const sealed = await prisma.account.upsert(args as never);
            const plain = await database().plain.plainAccount.upsert(args);
            expect(sealed).toEqual(plain);
          }
          await expectSameState();
        }),
        runs(15),
      );
    }, 60_000);

    it("updateMany with any where changes the same rows, and their indexes follow the new values and tenants", async () => {
      const change = fc
        .record(
          {
            handle: fc.option(fc.constantFrom(...HANDLES, ...MISSING_HANDLES), { freq: 3 }),
            phone: fc.option(fc.constantFrom(...PHONES), { freq: 3 }),
            organizationId: fc.constantFrom(...ORGS),
          },
          { requiredKeys: [] },
        )
        .filter((data) => Object.keys(data).length > 0);
      const counts: number[] = [];
      await fc.assert(
        fc.asyncProperty(where, change, async (filter, change) => {
          await load();
          const sealed = await prisma.account.updateMany({ where: filter, data: change });
          const plain = await database().plain.plainAccount.updateMany({
            where: filter as never,
            data: change,
          });
          expect(sealed.count).toBe(plain.count);
          counts.push(plain.count);
          await expectSameState();
        }),
        runs(15),
      );
      expect(counts.some((n) => n > 0)).toBe(true);
    }, 60_000);

    // Regression (found by this oracle): an updateMany writing only null to indexed fields sent the
    // caller's args instead of the planned ones, leaving the old index so `{ handle: "Ab" }` still
    // found rows whose handle was null.
    it("updateMany writing only null to an indexed field clears its blind index", async () => {
      await load();
      const writes = [
        ["Ab", { handle: null }],
        ["ab", { handle: { set: null }, name: "cleared" }],
      ] as const;
      for (const [handle, data] of writes) {
        const sealed = await prisma.account.updateMany({ where: { handle }, data });
        const plain = await database().plain.plainAccount.updateMany({ where: { handle }, data });
        expect(plain.count).toBeGreaterThan(0);
        expect(sealed.count).toBe(plain.count);
        expect(await findBoth({ handle })).toEqual([[], []]);
      }
      await expectSameState();
    });

    // Regression (found by this oracle): updateMany moving rows into a tenant ran the moves before
    // the batch of rows already there, whose where then matched the moved rows again (counted and
    // returned twice). Minimal case: r0 in org_a, r1 in org_b, move all to org_b.
    it("updateMany moving rows into a tenant that already has rows counts each row once", async () => {
      await database().reset();
      await database().plain.organization.createMany({ data: ORGS.map((id) => ({ id, name: id })) });
      const rows = [
        { name: "r0", organizationId: "org_a", email: "u0@x.io", phone: "5550100" },
        { name: "r1", organizationId: "org_b", email: "u1@x.io", phone: "5550100" },
      ];
      await prisma.account.createMany({ data: rows });
      await database().plain.plainAccount.createMany({ data: rows });
      const data = { organizationId: "org_b" };
      const plain = await database().plain.plainAccount.updateMany({ where: {}, data });
      expect(plain.count).toBe(2);
      expect((await prisma.account.updateMany({ where: {}, data })).count).toBe(plain.count);
      await expectSameState();
      if (target === "mariadb") return; // no updateManyAndReturn on MySQL
      const moved = await prisma.account.updateManyAndReturn({
        where: {},
        data: { organizationId: "org_c" },
        select: { name: true },
      });
      expect(names(moved)).toEqual(["r0", "r1"]);
    });

    it("deleteMany with any where, and delete by email, remove the same rows", async () => {
      const counts: number[] = [];
      await fc.assert(
        fc.asyncProperty(where, fc.constantFrom(...EMAILS, ...MISSING_EMAILS), async (filter, email) => {
          await load();
          const sealed = await prisma.account.deleteMany({ where: filter });
          const plain = await database().plain.plainAccount.deleteMany({ where: filter as never });
          expect(sealed.count).toBe(plain.count);
          counts.push(plain.count);
          const select = { name: true } as const;
          const sealedOne = await outcome(prisma.account.delete({ where: { email } as never, select }));
          const plainOne = await outcome(database().plain.plainAccount.delete({ where: { email }, select }));
          expect(sealedOne).toEqual(plainOne);
          const [sealedLeft, plainLeft] = await findBoth({});
          expect(sealedLeft).toEqual(plainLeft);
        }),
        runs(15),
      );
      expect(counts.some((n) => n > 0)).toBe(true);
    }, 60_000);
  });
}

/** The data set: 60–150 rows over three tenants, values from small pools, nulls in optional fields. */
const datasetArb: fc.Arbitrary<Dataset> = fc.integer({ min: 60, max: 150 }).chain((n) =>
  fc
    .record({
      emails: fc.shuffledSubarray(EMAILS, { minLength: n, maxLength: n }),
      rest: fc.array(
        fc.record({
          organizationId: fc.constantFrom(...ORGS),
          phone: fc.option(fc.constantFrom(...PHONES), { freq: 3 }),
          handle: fc.option(fc.constantFrom(...HANDLES), { freq: 3 }),
        }),
        { minLength: n, maxLength: n },
      ),
      sessions: fc.array(fc.option(fc.nat(n - 1), { freq: 4 }), { minLength: 10, maxLength: 30 }),
    })
    .map(({ emails, rest, sessions }) => ({
      // The first rows carry every handle and phone, so each value is present at least once.
      rows: rest.map((row, i) => ({
        ...row,
        name: `r${i}`,
        email: emails[i] as string,
        handle: i < HANDLES.length ? (HANDLES[i] as string) : row.handle,
        phone: i < PHONES.length ? (PHONES[i] as string) : row.phone,
      })),
      sessions,
    })),
);

/**
 * Where-trees over Account's indexed fields: every equality form Prisma takes, null checks, lists of
 * 0–5 or exactly 100 values, AND / OR / NOT nesting. A phone filter always has its tenant pinned beside it or
 * at an enclosing level. On PostgreSQL, email filters may also use `mode: "insensitive"` with
 * upper-case values, which the email normalizer folds.
 */
function whereArb(target: Target): fc.Arbitrary<PrismaObject> {
  const handle = filterOf(MISSING_HANDLES, HANDLES, true);
  const exactEmail = filterOf(MISSING_EMAILS, EMAILS, false);
  const email =
    target === "postgres"
      ? fc.oneof(exactEmail, insensitive(filterOf(MISSING_EMAILS, EMAILS, false, { nested: false })))
      : exactEmail;
  const phone = filterOf(MISSING_PHONES, PHONES, true);
  const org = fc.oneof(
    fc.constantFrom<string>(...ORGS, EMPTY_ORG),
    fc.constantFrom(...ORGS).map((o) => ({ equals: o })),
  );
  const some = { requiredKeys: [] as never[] };
  const leaf = (pinned: boolean) =>
    fc.oneof(
      fc.record({ handle, email }, some),
      fc.record({ organizationId: org, phone, handle }, { requiredKeys: ["organizationId", "phone"] }),
      ...(pinned ? [fc.record({ phone, handle }, { requiredKeys: ["phone"] })] : []),
      // Null checks need no tenant: they stay on the field.
      fc.record(
        { phone: fc.constantFrom(null, { equals: null }, { not: null }), email },
        { requiredKeys: ["phone"] },
      ),
      fc.record({ organizationId: fc.constantFrom(...ORGS).map((o) => ({ not: o })), handle }),
    );
  const depth = { maxDepth: 3, depthIdentifier: "where" };
  const combine = (pinned: boolean, child: fc.Arbitrary<unknown>) =>
    fc
      .tuple(
        fc.oneof(fc.constant({}), leaf(pinned)),
        fc.constantFrom("AND", "OR", "NOT"),
        fc.array(child, { maxLength: 3 }),
      )
      .map(([base, op, items]) => ({ ...base, [op]: op !== "OR" && items.length === 1 ? items[0] : items }));
  const trees = fc.letrec<{ tree: PrismaObject; pinned: PrismaObject }>((tie) => ({
    tree: fc.oneof(
      depth,
      leaf(false),
      combine(false, tie("tree")),
      // The tenant pinned at this level, or in an AND beside the filters, applies to the phones below.
      fc
        .tuple(
          fc.constantFrom(...ORGS),
          fc.constantFrom("AND", "OR", "NOT", "AND list"),
          fc.array(tie("pinned"), { minLength: 1, maxLength: 3 }),
        )
        .map(([o, op, items]) =>
          op === "AND list" ? { AND: [{ organizationId: o }, ...items] } : { organizationId: o, [op]: items },
        ),
    ),
    pinned: fc.oneof(depth, leaf(true), combine(true, tie("pinned"))),
  }));
  return trees.tree;
}

/**
 * A filter on one indexed field: a value, equals, in, notIn, not, their combinations in one object,
 * nested nots, and (for optional fields) null checks. `present` are values rows hold, `missing` not.
 */
function filterOf(
  missing: readonly string[],
  present: readonly string[],
  nullable: boolean,
  options: { nested?: boolean } = {},
): fc.Arbitrary<unknown> {
  const value = fc.constantFrom(...present, ...missing);
  const list = fc.oneof(
    fc.array(value, { maxLength: 5 }),
    // Exactly 100 values: mostly missing, some present.
    fc
      .tuple(fc.subarray([...present], { minLength: 1, maxLength: Math.min(8, present.length) }), fc.nat(99))
      .map(([hits, turn]) => {
        const all = [...Array.from({ length: 100 - hits.length }, (_, i) => `${missing[0]}${i}`), ...hits];
        return [...all.slice(turn), ...all.slice(0, turn)];
      }),
  );
  const orNull = (arb: fc.Arbitrary<unknown>) => (nullable ? fc.oneof(arb, fc.constant(null)) : arb);
  const inner: fc.Arbitrary<unknown> = fc.oneof(
    value.map((equals) => ({ equals })),
    list.map((values) => ({ in: values })),
    list.map((values) => ({ notIn: values })),
    value.map((not) => ({ not })),
  );
  const nested = options.nested ?? true;
  return fc.oneof(
    value,
    value.map((equals) => ({ equals })),
    list.map((values) => ({ in: values })),
    list.map((values) => ({ notIn: values })),
    value.map((not) => ({ not })),
    ...(nested ? [inner.map((not) => ({ not }))] : []),
    fc.record(
      {
        equals: orNull(value),
        in: list,
        notIn: list,
        not: orNull(nested ? fc.oneof(value, inner) : value),
      },
      { requiredKeys: [] },
    ),
    ...(nullable ? [fc.constant(null), fc.constant({ equals: null }), fc.constant({ not: null })] : []),
  );
}

/** `mode: "insensitive"` over values with some letters upper-cased (the email normalizer folds case). */
function insensitive(filter: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(filter, fc.nat()).map(([f, mask]) => {
    const shout = (value: unknown): unknown =>
      typeof value === "string"
        ? [...value].map((c, i) => ((mask >> (i % 31)) & 1 ? c.toUpperCase() : c)).join("")
        : Array.isArray(value)
          ? value.map(shout)
          : value;
    if (f === null || typeof f !== "object") return { equals: shout(f), mode: "insensitive" };
    return { ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, shout(v)])), mode: "insensitive" };
  });
}

/** A deliberately wrong version of `where`: handles compared in lower case, `in` and `notIn` swapped. */
function mutant(where: unknown, inHandle = false): unknown {
  if (typeof where === "string") return inHandle ? where.toLowerCase() : where;
  if (Array.isArray(where)) return where.map((item) => mutant(item, inHandle));
  if (where === null || typeof where !== "object") return where;
  const swap: PrismaObject = { in: "notIn", notIn: "in" };
  return Object.fromEntries(
    Object.entries(where).map(([key, value]) => [
      (swap[key] as string | undefined) ?? key,
      mutant(value, inHandle || key === "handle"),
    ]),
  );
}

/** The names of `rows`, sorted unless the order is under test. */
function names(rows: { name: string | null }[], sort = true): string[] {
  const out = rows.map((row) => row.name ?? "");
  return sort ? out.sort() : out;
}

/** What a write did: its result, or the Prisma error code it failed with. The extension must not refuse it. */
async function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { code: string }> {
  try {
    return { value: await promise };
  } catch (error) {
    if (error instanceof VaultError) throw error;
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === "string" ? code : (error as Error).name };
  }
}

/** `run`'s result, or `"P2029"` when Prisma refuses the query for its number of bound values. */
async function tooManyParameters<T>(run: () => Promise<T>): Promise<T | "P2029"> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "P2029") return "P2029";
    throw error;
  }
}
