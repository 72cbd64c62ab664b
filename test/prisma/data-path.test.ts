import { describe, expect, it } from "vitest";
import { valueAt } from "../../src/prisma/data-path.js";

describe("valueAt", () => {
  const row = { id: 1, posts: [{ id: 2 }], profile: { id: 3, user: { id: 1 } } };

  it("an ordinary query's result is itself", () => {
    expect(valueAt(row, [])).toBe(row);
  });

  it("follows the relations of a fluent path, skipping select and include", () => {
    expect(valueAt(row, ["select", "posts"])).toBe(row.posts);
    expect(valueAt(row, ["select", "profile", "include", "user"])).toBe(row.profile.user);
  });

  it("passes null and undefined through a path that cannot be followed", () => {
    expect(valueAt(null, ["select", "posts"])).toBeNull();
    expect(valueAt({ profile: null }, ["select", "profile", "select", "user"])).toBeNull();
    expect(valueAt({}, ["select", "profile", "select", "user"])).toBeUndefined();
  });
});
