import { describe, expect, it } from "vitest";
import { isObject } from "../../src/client/prisma-object.js";

describe("isObject", () => {
  it("is true for plain, null-prototype and class-instance objects", () => {
    class Dto {
      email = "a@x";
    }
    expect(isObject({})).toBe(true);
    expect(isObject(Object.create(null))).toBe(true);
    expect(isObject(new Dto())).toBe(true);
    expect(isObject(new Date(0))).toBe(true);
  });

  it("is false for arrays, null and every primitive", () => {
    for (const value of [[], [1], null, undefined, "x", 0, 1n, true, Symbol("s"), () => 1])
      expect(isObject(value)).toBe(false);
  });
});
