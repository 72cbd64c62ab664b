import { afterEach, describe, expect, it, vi } from "vitest";
import type { Loose } from "../../../src/prisma/plan/args.js";
import { planFilters, rewriteQuery } from "../../../src/prisma/plan/filters.js";
import { applyIndexRewrites } from "../../../src/prisma/plan/index-rewrites.js";
import { modelOf, testSchema } from "../../support/datamodel.js";

const schema = testSchema();
const account = modelOf(schema, "Account");
const organization = modelOf(schema, "Organization");
const blindOf = (field: string) => {
  const index = account.encrypted.get(field)?.index;
  if (!index) throw new Error(`Account.${field} has no index`);
  return index.blind;
};
const email = (value: string) => blindOf("email").compute(value);
const handle = (value: string) => blindOf("handle").compute(value);
const phone = (value: string, organizationId: string) => blindOf("phone").compute(value, { organizationId });
const rewrite = (args: Loose, model = "Account", operation = "findMany") =>
  rewriteQuery(schema, model, operation, args) as Loose;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("planFilters", () => {
  it("computes no index: it returns where each filter is, its split and its values still plaintext", () => {
    const compute = vi.spyOn(blindOf("handle"), "compute");
    const args = { where: { OR: [{ handle: { not: null, in: ["a", "b"] } }] } };
    const rewrites = planFilters(schema, account, "findMany", args);
    expect(compute).not.toHaveBeenCalled();
    expect(rewrites).toEqual([
      expect.objectContaining({
        at: ["where", "OR", 0],
        field: account.encrypted.get("handle"),
        onField: { not: null },
        onIndex: { in: ["a", "b"] },
        context: undefined,
      }),
    ]);
  });

  it("names the key context a tenant-scoped index is computed under", () => {
    const args = { where: { organizationId: "o1", phone: "1" } };
    expect(planFilters(schema, account, "findMany", args)).toEqual([
      expect.objectContaining({ at: ["where"], onIndex: "1", context: { organizationId: "o1" } }),
    ]);
  });

  it("gives the path of filters in selections, counts, cursors and nested writes", () => {
    const args = {
      cursor: { email: "c@x" },
      include: {
        accounts: { where: { handle: "a" } },
        _count: { select: { accounts: { where: { handle: "b" } } } },
      },
      data: {
        accounts: {
          connect: [{ id: 1 }, { email: "d@x" }],
          update: [{ where: { handle: "e" }, data: { name: "n" } }],
          upsert: { where: { email: "f@x" }, create: {}, update: {} },
        },
      },
    };
    const paths = planFilters(schema, organization, "update", args).map((r) => r.at);
    expect(paths).toEqual([
      ["include", "accounts", "where"],
      ["include", "_count", "select", "accounts", "where"],
      ["data", "accounts", "connect", 1],
      ["data", "accounts", "update", 0, "where"],
      ["data", "accounts", "upsert", "where"],
    ]);
    expect(planFilters(schema, account, "findMany", { cursor: args.cursor })[0]?.at).toEqual(["cursor"]);
  });
});

describe("applyIndexRewrites", () => {
  it("returns the arguments themselves when there is nothing to rewrite", () => {
    const args = { where: { name: "n" } };
    expect(applyIndexRewrites(args, [])).toBe(args);
  });

  it("rewrites a filter inside an AND object that another rewrite of the same where turns into a list", () => {
    const expected = {
      handleIndex: "raw",
      AND: [{ emailIndex: email("a@x") }, { handleIndex: handle("h") }],
    };
    expect(rewrite({ where: { handleIndex: "raw", handle: "h", AND: { email: "a@x" } } })["where"]).toEqual(
      expected,
    );
    expect(rewrite({ where: { AND: { email: "a@x" }, handleIndex: "raw", handle: "h" } })["where"]).toEqual(
      expected,
    );
  });

  it("rewrites a filter object the caller put in two places once in each, under each place's context", () => {
    const shared = { phone: "1" };
    const args = {
      where: {
        OR: [
          { organizationId: "o1", AND: [shared] },
          { organizationId: "o2", AND: [shared] },
        ],
      },
    };
    expect(rewrite(args)["where"]).toEqual({
      OR: [
        { organizationId: "o1", AND: [{ phoneIndex: phone("1", "o1") }] },
        { organizationId: "o2", AND: [{ phoneIndex: phone("1", "o2") }] },
      ],
    });
    expect(shared).toEqual({ phone: "1" });
  });

  it("computes each index once", () => {
    const compute = vi.spyOn(blindOf("email"), "compute");
    rewrite({ where: { email: { in: ["a@x", "b@x"] } } });
    expect(compute).toHaveBeenCalledTimes(2);
  });
});
