import { describe, expect, it } from "vitest";
import { newObjectId, newVersionId } from "../../src/objects/ids.js";
import {
  MAX_VALUE_BYTES,
  readCreate,
  readDelete,
  readIdOption,
  readList,
  readNameOption,
  readPurge,
  readUpdate,
} from "../../src/objects/input.js";
import { thrownVaultError } from "../support/errors.js";

const context = { organizationId: "org_1" };
const code = (run: () => unknown) => thrownVaultError(run).code;

describe("object arguments", () => {
  it("createObject takes a name of 1-255 characters, a string value of up to 256 KiB, and a key context", () => {
    expect(readCreate({ name: "n", value: "", context })).toEqual({ name: "n", value: "", context });
    expect(
      readCreate({ name: "n".repeat(255), value: "é".repeat(MAX_VALUE_BYTES / 2), context }).name,
    ).toHaveLength(255);
    for (const bad of [
      undefined,
      null,
      [],
      "n",
      { value: "v", context },
      { name: "", value: "v", context },
      { name: "n".repeat(256), value: "v", context },
      { name: 7, value: "v", context },
      { name: "n", context },
      { name: "n", value: 7, context },
      { name: "n", value: "é".repeat(MAX_VALUE_BYTES / 2 + 1), context },
    ])
      expect(code(() => readCreate(bad))).toBe("VAULT_INVALID_ARGUMENT");
    for (const bad of [undefined, {}, { a: "" }, { a: 1 }, { __proto__: "x" }])
      expect(code(() => readCreate({ name: "n", value: "v", context: bad }))).toBe("VAULT_CONTEXT_INVALID");
  });

  it("an error names the argument, never the value given", () => {
    const value = "sk_live_4242424242424242";
    const error = thrownVaultError(() => readCreate({ name: value.repeat(20), value, context }));
    expect(error.message).toContain("name");
    expect(error.message).not.toContain(value);
  });

  it("updateObject and deleteObject take an id and an optional versionCheck", () => {
    expect(readUpdate({ id: "secret_1", value: "v" })).toEqual({ id: "secret_1", value: "v" });
    expect(readUpdate({ id: "secret_1", value: "v", versionCheck: "version_1" }).versionCheck).toBe(
      "version_1",
    );
    expect(readDelete({ id: "secret_1", versionCheck: "version_1" })).toEqual({
      id: "secret_1",
      versionCheck: "version_1",
    });
    for (const bad of [
      { value: "v" },
      { id: "", value: "v" },
      { id: "secret_1", value: "v", versionCheck: "" },
    ])
      expect(code(() => readUpdate(bad))).toBe("VAULT_INVALID_ARGUMENT");
    expect(code(() => readDelete({ id: "secret_1", versionCheck: 3 }))).toBe("VAULT_INVALID_ARGUMENT");
  });

  it("listObjects: limit 1-100 (default 10), order asc or desc (default desc), before or after but not both", () => {
    expect(readList(undefined)).toEqual({ limit: 10, order: "desc", cursor: undefined });
    expect(readList({ limit: 100, order: "asc", after: "secret_1" })).toEqual({
      limit: 100,
      order: "asc",
      cursor: { side: "after", id: "secret_1" },
    });
    for (const bad of [
      { limit: 0 },
      { limit: 101 },
      { limit: 2.5 },
      { limit: "5" },
      { order: "newest" },
      { before: "a", after: "b" },
      { after: "" },
    ])
      expect(code(() => readList(bad))).toBe("VAULT_INVALID_ARGUMENT");
  });

  it("text no database stores as given (NUL, a lone surrogate) is refused in names, ids, cursors, versionCheck and search, naming the argument", () => {
    const bad = ["a\u0000b", "\u0000", "a\uD800", "\uDFFFa", "\uDC00\uD800"];
    for (const text of bad) {
      const named = (run: () => unknown) => {
        const error = thrownVaultError(run);
        expect(error.code).toBe("VAULT_INVALID_ARGUMENT");
        return error.message.replace(/^VaultObject: /, "").split(" ")[0];
      };
      expect(named(() => readCreate({ name: text, value: "v", context }))).toBe("name");
      expect(named(() => readNameOption(text))).toBe("name");
      expect(named(() => readNameOption({ name: text }))).toBe("name");
      expect(named(() => readIdOption({ id: text }, "readObject"))).toBe("id");
      expect(named(() => readUpdate({ id: text, value: "v" }))).toBe("id");
      expect(named(() => readUpdate({ id: "secret_1", value: "v", versionCheck: text }))).toBe(
        "versionCheck",
      );
      expect(named(() => readDelete({ id: "secret_1", versionCheck: text }))).toBe("versionCheck");
      expect(named(() => readList({ after: text }))).toBe("after");
      expect(named(() => readList({ before: text }))).toBe("before");
      expect(named(() => readList({ search: text }))).toBe("search");
    }
    // Surrogate pairs are text like any other.
    expect(readCreate({ name: "key-🔑", value: "🔑", context }).name).toBe("key-🔑");
    expect(readList({ search: "🔑" }).search).toBe("🔑");
  });

  it("a value with a lone surrogate is refused: sealed as UTF-8 it would come back as U+FFFD", () => {
    expect(code(() => readCreate({ name: "n", value: "a\uD800", context }))).toBe("VAULT_INVALID_ARGUMENT");
    expect(code(() => readUpdate({ id: "secret_1", value: "\uDC00" }))).toBe("VAULT_INVALID_ARGUMENT");
    expect(readCreate({ name: "n", value: "a\u0000b", context }).value).toBe("a\u0000b");
  });

  it("a context key or value with NUL or a lone surrogate is VAULT_CONTEXT_INVALID, its value never shown", () => {
    const value = "org\u0000sk_live_4242424242";
    for (const bad of [{ organizationId: value }, { organizationId: "\uD800" }, { "a\u0000": "o" }]) {
      const error = thrownVaultError(() => readCreate({ name: "n", value: "v", context: bad }));
      expect(error.code).toBe("VAULT_CONTEXT_INVALID");
      expect(error.message).not.toContain("sk_live");
      expect(error.message).not.toContain("\u0000");
    }
  });

  it('names "." and ".." are refused at creation, saying why; other names of dots are names', () => {
    for (const name of [".", ".."]) {
      const error = thrownVaultError(() => readCreate({ name, value: "v", context }));
      expect(error.code).toBe("VAULT_INVALID_ARGUMENT");
      expect(error.message).toContain("URL");
    }
    expect(readCreate({ name: "...", value: "v", context }).name).toBe("...");
    expect(readCreate({ name: "./a", value: "v", context }).name).toBe("./a");
    // Reading them by name is merely not found: rows written before this check stay readable here.
    expect(readNameOption("..")).toBe("..");
  });

  it("readObjectByName takes the name or { name }", () => {
    expect(readNameOption("stripe")).toBe("stripe");
    expect(readNameOption({ name: "stripe" })).toBe("stripe");
    for (const bad of [undefined, null, {}, { name: "" }, { name: 5 }, ["stripe"]])
      expect(code(() => readNameOption(bad))).toBe("VAULT_INVALID_ARGUMENT");
  });

  it("listObjects: search is 1-255 characters; updatedAfter a valid Date, an ISO 8601 date or instant with a zone, or Date.prototype.toString()", () => {
    expect(readList({ search: "a".repeat(255) }).search).toHaveLength(255);
    for (const bad of ["", "a".repeat(256), 5, null])
      expect(code(() => readList({ search: bad }))).toBe("VAULT_INVALID_ARGUMENT");
    const at = new Date("2026-01-31T12:00:00.250Z");
    expect(readList({ updatedAfter: at }).updatedAfter).toBe(at);
    const forms: [string, string][] = [
      ["2026-01-31T12:00:00.250Z", "2026-01-31T12:00:00.250Z"],
      ["2026-01-31T12:00:00Z", "2026-01-31T12:00:00.000Z"],
      ["2026-01-31T12:00Z", "2026-01-31T12:00:00.000Z"],
      ["2026-01-31T13:00:00+01:00", "2026-01-31T12:00:00.000Z"],
      ["2026-01-31T12:00:00.123456789Z", "2026-01-31T12:00:00.123Z"],
      ["2026-01-31", "2026-01-31T00:00:00.000Z"],
      ["Sat Jan 31 2026 13:00:00 GMT+0100 (Central European Standard Time)", "2026-01-31T12:00:00.000Z"],
      ["Sat Jan 31 2026 12:00:00 GMT+0000", "2026-01-31T12:00:00.000Z"],
      [new Date(Date.UTC(2026, 0, 31, 12)).toString(), "2026-01-31T12:00:00.000Z"],
    ];
    for (const [text, iso] of forms)
      expect(readList({ updatedAfter: text }).updatedAfter?.toISOString()).toBe(iso);
    for (const bad of [
      "yesterday",
      "1",
      "2026",
      "2026-01-31T12:00:00",
      "2026-02-31",
      "2026-13-01",
      "2026-01-31T24:00:00Z",
      "2026-01-31T12:60:00Z",
      "",
      new Date(Number.NaN),
      Date.now(),
      null,
    ]) {
      const error = thrownVaultError(() => readList({ updatedAfter: bad }));
      expect(error.code).toBe("VAULT_INVALID_ARGUMENT");
      expect(error.message).toContain("updatedAfter");
    }
  });

  it("purgeDeleted takes a valid Date", () => {
    const at = new Date();
    expect(readPurge({ olderThan: at })).toBe(at);
    for (const bad of [{}, { olderThan: "2026-01-01" }, { olderThan: new Date(Number.NaN) }])
      expect(code(() => readPurge(bad))).toBe("VAULT_INVALID_ARGUMENT");
  });
});

describe("object ids", () => {
  it("sort by creation time to the millisecond, and are unique within one", () => {
    const ids = [newObjectId(1_000), newObjectId(1_001), newObjectId(0x7fff_ffff_ffff)];
    expect([...ids].sort()).toEqual(ids);
    expect(newVersionId()).toMatch(/^version_[0-9A-F]{32}$/);
    expect(new Set(Array.from({ length: 1_000 }, () => newObjectId(5))).size).toBe(1_000);
  });
});
