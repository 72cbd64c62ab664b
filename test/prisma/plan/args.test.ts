import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cloneArgs, list, NESTED_WRITES, QUERY_ARGUMENTS } from "../../../src/prisma/plan/args.js";

describe("list", () => {
  it("reads undefined and null as no items", () => {
    expect(list(undefined)).toEqual([]);
    expect(list(null)).toEqual([]);
  });

  it("wraps one value, falsy ones included, in a list", () => {
    const one = { id: 1 };
    expect(list(one)).toEqual([one]);
    expect(list(one)[0]).toBe(one);
    expect(list(0)).toEqual([0]);
    expect(list("")).toEqual([""]);
    expect(list(false)).toEqual([false]);
  });

  it("returns an array as it is, not a copy", () => {
    const many = [{ id: 1 }, { id: 2 }];
    expect(list(many)).toBe(many);
    expect(list([])).toEqual([]);
  });
});

describe("cloneArgs", () => {
  it("copies nested plain objects and arrays: a change to the copy never reaches the caller's arguments", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const before = structuredClone(value);
        const copy = cloneArgs(value);
        expect(copy).toEqual(value);
        scribble(copy);
        expect(value).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it("copies null-prototype objects", () => {
    const data = Object.assign(Object.create(null) as Record<string, unknown>, { ssn: "123" });
    const copy = cloneArgs({ data }) as { data: Record<string, unknown> };
    expect(copy.data).not.toBe(data);
    expect(copy.data).toEqual({ ssn: "123" });
  });

  it("copies class instances that hold data into plain objects", () => {
    class CreateUserDto {
      organizationId = "o1";
      ssn = "123";
    }
    const dto = new CreateUserDto();
    const copy = cloneArgs({ data: dto }) as { data: Record<string, unknown> };
    expect(copy.data).not.toBe(dto);
    expect(copy.data).toEqual({ organizationId: "o1", ssn: "123" });
    copy.data["ssn"] = "envelope";
    expect(dto.ssn).toBe("123");
  });

  it("shares what Prisma reads whole: Date, bytes, ArrayBuffer, Decimal-likes and objects without own properties", () => {
    class Decimal {
      constructor(readonly digits: string) {}
      toFixed(): string {
        return this.digits;
      }
    }
    class DbNull {}
    const shared = [
      new Date(0),
      new Uint8Array([1, 2]),
      Buffer.from("ab"),
      new ArrayBuffer(4),
      new Decimal("1.5"),
      new DbNull(),
    ];
    const copy = cloneArgs({ data: { values: shared } }) as { data: { values: unknown[] } };
    expect(copy.data.values).not.toBe(shared);
    copy.data.values.forEach((value, i) => expect(value).toBe(shared[i]));
  });

  it("returns primitives as they are", () => {
    for (const value of [undefined, null, "x", 3, 3n, false]) expect(cloneArgs(value)).toBe(value);
  });
});

describe("the argument name lists", () => {
  it("name every nested write operation once, and no top-level argument Prisma does not take", () => {
    expect(new Set(NESTED_WRITES).size).toBe(NESTED_WRITES.length);
    for (const name of ["where", "data", "select", "include", "omit", "create", "update"])
      expect(QUERY_ARGUMENTS.has(name)).toBe(true);
    for (const name of ["connect", "set", "upsert", "equals", "$raw"])
      expect(QUERY_ARGUMENTS.has(name)).toBe(false);
  });
});

/** Writes into every object and array of `value`, as the extension writes envelopes into its copy. */
function scribble(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(scribble);
    value.push("added");
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const item of Object.values(record)) scribble(item);
    for (const key of Object.keys(record)) record[key] = "envelope";
    record["added"] = true;
  }
}

describe("cloneArgs and prototype keys", () => {
  it('keeps an own "__proto__" key as a key of the copy, never as its prototype', () => {
    const args = JSON.parse('{"data":{"__proto__":{"polluted":true},"name":"n"}}') as Record<string, unknown>;
    const copy = cloneArgs(args) as { data: Record<string, unknown> };
    expect(Object.getPrototypeOf(copy.data)).toBe(Object.prototype);
    expect(Object.keys(copy.data)).toEqual(["__proto__", "name"]);
    expect((copy.data as { polluted?: unknown }).polluted).toBeUndefined();
    expect(copy).toEqual(args);
  });
});
