import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PrismaObject } from "../../src/client/prisma-object.js";
import { splitUpdateMany, type SplitLimits } from "../../src/prisma/update-many-split.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import type { EncryptedField } from "../../src/schema/model-schema.js";
import { dataModel, model, modelOf, scalar, testIndexSecret, testSchema } from "../support/datamodel.js";
import { thrownVaultError } from "../support/errors.js";

const user = modelOf(testSchema(), "User");
const free: SplitLimits = { limited: false, inBatch: false };
const fields = (...names: string[]): EncryptedField[] => names.map((name) => user.encrypted.get(name)!);
const base = { name: "n" };

describe("splitUpdateMany", () => {
  it("sends one part per stored context, each pinned to it, the rows grouped by it", () => {
    const rows = [
      { id: 1, organizationId: "o1" },
      { id: 2, organizationId: "o2" },
      { id: 3, organizationId: "o1" },
    ];
    const parts = splitUpdateMany(user, rows, {}, [], base, free);
    expect(parts).toEqual([
      {
        where: { name: "n", AND: [{ organizationId: "o1" }] },
        context: { organizationId: "o1" },
        previous: { organizationId: "o1" },
        changes: false,
        moving: undefined,
        id: undefined,
        rows: [rows[0], rows[2]],
      },
      {
        where: { name: "n", AND: [{ organizationId: "o2" }] },
        context: { organizationId: "o2" },
        previous: { organizationId: "o2" },
        changes: false,
        moving: undefined,
        id: undefined,
        rows: [rows[1]],
      },
    ]);
  });

  it("keeps the base where's own AND conditions and adds the pin after them", () => {
    const [part] = splitUpdateMany(user, [{ id: 1, organizationId: "o1" }], {}, [], { AND: { id: 1 } }, free);
    expect(part?.where).toEqual({ AND: [{ id: 1 }, { organizationId: "o1" }] });
  });

  it("groups rows whose context changes but whose values all are written by their old context", () => {
    const rows = [
      { id: 1, organizationId: "o1" },
      { id: 2, organizationId: "o1" },
    ];
    const parts = splitUpdateMany(user, rows, { organizationId: "o2" }, [], base, free);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({
      where: { name: "n", AND: [{ organizationId: "o1" }] },
      context: { organizationId: "o2" },
      previous: { organizationId: "o1" },
      changes: true,
      moving: undefined,
      rows,
    });
  });

  it("a moving row goes alone, by primary key, pinned to its stored context and stored values", () => {
    const rows = [
      { id: 1, organizationId: "o1", ssn: "env-1", notes: "env-n" },
      { id: 2, organizationId: "o1", ssn: null, notes: "env-m" },
    ];
    const parts = splitUpdateMany(user, rows, { organizationId: "o2" }, fields("ssn", "notes"), base, free);
    expect(parts).toEqual([
      {
        where: { name: "n", AND: [{ id: 1, ssn: "env-1", notes: "env-n", organizationId: "o1" }] },
        context: { organizationId: "o2" },
        previous: { organizationId: "o1" },
        changes: true,
        moving: rows[0],
        id: 1,
        rows: [rows[0]],
      },
      {
        where: { name: "n", AND: [{ id: 2, ssn: null, notes: "env-m", organizationId: "o1" }] },
        context: { organizationId: "o2" },
        previous: { organizationId: "o1" },
        changes: true,
        moving: rows[1],
        id: 2,
        rows: [rows[1]],
      },
    ]);
  });

  it("a row already in the new context does not move: it is grouped and pinned to its context only", () => {
    const rows = [
      { id: 1, organizationId: "o2", ssn: "env-1" },
      { id: 2, organizationId: "o2", ssn: "env-2" },
    ];
    const parts = splitUpdateMany(user, rows, { organizationId: "o2" }, fields("ssn"), base, free);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({
      where: { name: "n", AND: [{ organizationId: "o2" }] },
      changes: false,
      moving: undefined,
      rows,
    });
  });

  it("rows that keep their context go first, whatever order they were read in", () => {
    const rows = [
      { id: 1, organizationId: "o1", ssn: "env-1" },
      { id: 2, organizationId: "o2", ssn: "env-2" },
      { id: 3, organizationId: "o3", ssn: "env-3" },
    ];
    const parts = splitUpdateMany(user, rows, { organizationId: "o2" }, fields("ssn"), base, free);
    expect(parts.map((part) => [part.rows.map((row) => row.id), part.changes])).toEqual([
      [[2], false],
      [[1], true],
      [[3], true],
    ]);
  });

  it("rows that keep their context go first, for a change that moves no stored value too", () => {
    const rows = [
      { id: 1, organizationId: "o1" },
      { id: 2, organizationId: "o2" },
    ];
    const parts = splitUpdateMany(user, rows, { organizationId: "o2" }, [], base, free);
    expect(parts.map((part) => part.previous)).toEqual([{ organizationId: "o2" }, { organizationId: "o1" }]);
  });

  it("no rows read: nothing to send", () => {
    expect(splitUpdateMany(user, [], { organizationId: "o2" }, fields("ssn"), base, free)).toEqual([]);
  });

  it.each([
    [
      "a limit over several contexts (the limit cannot be shared between parts)",
      { limited: true, inBatch: false },
      "limit over several key contexts",
    ],
    [
      "several contexts inside a batch transaction, which takes one write",
      { limited: false, inBatch: true },
      "inside a batch $transaction",
    ],
  ])("refuses %s", (_, limits, message) => {
    const rows = [
      { id: 1, organizationId: "o1" },
      { id: 2, organizationId: "o2" },
    ];
    const error = thrownVaultError(() => splitUpdateMany(user, rows, {}, [], base, limits));
    expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "User" });
    expect(error.message).toContain(message);
  });

  it("refuses a limit over one row that moves and one that stays", () => {
    const rows = [
      { id: 1, organizationId: "o1", ssn: "env-1" },
      { id: 2, organizationId: "o2", ssn: "env-2" },
    ];
    const limited = { limited: true, inBatch: false };
    const error = thrownVaultError(() =>
      splitUpdateMany(user, rows, { organizationId: "o2" }, fields("ssn"), base, limited),
    );
    expect(error.code).toBe("VAULT_UNSUPPORTED_QUERY");
  });

  it("a limit over one context is one part", () => {
    const rows = [
      { id: 1, organizationId: "o1" },
      { id: 2, organizationId: "o1" },
    ];
    expect(splitUpdateMany(user, rows, {}, [], base, { limited: true, inBatch: true })).toHaveLength(1);
  });

  it("precondition: a row whose values move to another context is updated alone, by primary key", () => {
    const schema = buildVaultSchema(
      dataModel(
        model("Note", [
          scalar("organizationId"),
          scalar("label"),
          scalar("text", "String", { documentation: "@encrypted" }),
        ]),
      ),
      { Note: { context: ["organizationId"], fields: { text: {} } } },
      { plaintext: "reject", indexSecret: testIndexSecret },
    );
    const note = modelOf(schema, "Note");
    const stale = [...note.encrypted.values()];
    const rows = [{ organizationId: "o1", text: "env" }];
    const error = thrownVaultError(() =>
      splitUpdateMany(note, rows, { organizationId: "o2" }, stale, {}, free),
    );
    expect(error).toMatchObject({ code: "VAULT_UNSUPPORTED_QUERY", model: "Note" });
    expect(error.message).toContain("without a primary key");
    // Rows without a primary key that keep their context, or move no stored value, are fine.
    expect(splitUpdateMany(note, rows, { organizationId: "o1" }, stale, {}, free)).toHaveLength(1);
    expect(splitUpdateMany(note, rows, { organizationId: "o2" }, [], {}, free)).toHaveLength(1);
  });

  it("does not change the rows, the known context or the base where", () => {
    const rows = [
      { id: 1, organizationId: "o1", ssn: "env-1" },
      { id: 2, organizationId: "o2", ssn: "env-2" },
      { id: 3, organizationId: "o1", ssn: null },
    ];
    const known = { organizationId: "o2" };
    const where: PrismaObject = { name: "n", AND: [{ id: { gt: 0 } }] };
    const before = structuredClone({ rows, known, where });
    splitUpdateMany(user, rows, known, fields("ssn"), where, free);
    splitUpdateMany(user, rows, {}, [], where, free);
    expect({ rows, known, where }).toEqual(before);
  });

  it("property: every row read is in exactly one part; parts that keep their context come first", () => {
    const row = fc.record({
      organizationId: fc.constantFrom("o1", "o2", "o3"),
      ssn: fc.constantFrom("e", null),
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 8 }),
        fc.constantFrom({}, { organizationId: "o2" }),
        fc.boolean(),
        (read, known, withStale) => {
          const rows = read.map((r, i) => ({ id: i, ...r }));
          const parts = splitUpdateMany(user, rows, known, withStale ? fields("ssn") : [], {}, free);
          expect(
            parts.flatMap((part) => part.rows).sort((a, b) => Number(a["id"]) - Number(b["id"])),
          ).toEqual(rows);
          const changes = parts.map((part) => part.changes);
          expect(changes).toEqual([...changes].sort((a, b) => Number(a) - Number(b)));
          for (const part of parts) {
            expect(part.moving === undefined || part.rows.length === 1).toBe(true);
          }
        },
      ),
    );
  });
});
