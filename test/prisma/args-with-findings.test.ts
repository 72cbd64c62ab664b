import { describe, expect, it } from "vitest";
import type { PrismaObject } from "../../src/client/prisma-object.js";
import { argsWithFindings } from "../../src/prisma/args-with-findings.js";

describe("argsWithFindings", () => {
  const args = (): PrismaObject => ({
    where: { id: 1 },
    data: { organizationId: "o2", ssn: "env-new" },
    select: { id: true },
  });

  it("without findings the planned arguments are sent as they are", () => {
    const planned = args();
    expect(argsWithFindings(planned, "data", {})).toBe(planned);
    expect(argsWithFindings(planned, "data", { resealed: {} })).toBe(planned);
  });

  it("ANDs the guard to the where, after the where's own AND conditions", () => {
    expect(argsWithFindings(args(), "data", { guard: { organizationId: "o1" } })["where"]).toEqual({
      id: 1,
      AND: [{ organizationId: "o1" }],
    });
    const planned = { ...args(), where: { id: 1, AND: { name: "n" } } };
    expect(argsWithFindings(planned, "data", { guard: { organizationId: "o1" } })["where"]).toEqual({
      id: 1,
      AND: [{ name: "n" }, { organizationId: "o1" }],
    });
  });

  it("adds the re-sealed values to the data at dataKey, beside what the plan sealed", () => {
    const out = argsWithFindings(args(), "data", {
      guard: { organizationId: "o1" },
      resealed: { email: "env-moved", emailIndex: "idx" },
    });
    expect(out).toEqual({
      where: { id: 1, AND: [{ organizationId: "o1" }] },
      data: { organizationId: "o2", ssn: "env-new", email: "env-moved", emailIndex: "idx" },
      select: { id: true },
    });
  });

  it("an upsert's re-sealed values go to its update branch, not its create branch", () => {
    const planned = { where: { id: 1 }, create: { organizationId: "o2" }, update: { organizationId: "o2" } };
    expect(argsWithFindings(planned, "update", { resealed: { ssn: "env-moved" } })).toEqual({
      where: { id: 1 },
      create: { organizationId: "o2" },
      update: { organizationId: "o2", ssn: "env-moved" },
    });
  });

  it("a re-sealed value replaces a key the data holds as undefined", () => {
    const planned = { where: { id: 1 }, data: { ssn: undefined, organizationId: "o2" } };
    const out = argsWithFindings(planned, "data", { resealed: { ssn: "env-moved" } });
    expect(Object.entries(out["data"] as PrismaObject)).toEqual([
      ["ssn", "env-moved"],
      ["organizationId", "o2"],
    ]);
  });

  it("does not change the planned arguments", () => {
    const planned = args();
    const before = structuredClone(planned);
    argsWithFindings(planned, "data", { guard: { organizationId: "o1" }, resealed: { email: "env-moved" } });
    expect(planned).toEqual(before);
  });
});
