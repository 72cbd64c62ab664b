/**
 * annotationProblems: what vault({ schema }) would refuse in the annotations, found without a client or
 * a key (the generator runs it at `prisma generate`).
 */
import { describe, expect, it } from "vitest";
import { annotationProblems } from "../../src/schema/annotation-problems.js";
import { dataModel, model, scalar, testDataModel } from "../support/datamodel.js";

const id = scalar("id", "Int", { isId: true });
const tenant = scalar("tenantId");

describe("annotationProblems", () => {
  it("finds none in the test schema's annotations, nor in models without any", () => {
    expect(annotationProblems(testDataModel)).toEqual([]);
    expect(annotationProblems(dataModel(model("Plain", [id, scalar("name")])))).toEqual([]);
  });

  it("checks a blind index's options and column without the application's index secret", () => {
    const note = (options: string, ...extra: ReturnType<typeof scalar>[]) =>
      annotationProblems(
        dataModel(
          model(
            "Note",
            [id, tenant, scalar("body", "String", { documentation: `@encrypted(${options})` }), ...extra],
            {
              documentation: "@vault.context(tenantId)",
            },
          ),
        ),
      ).map((e) => e.message);
    expect(note("index: bodyIndex, scope: team", scalar("bodyIndex"))).toEqual([
      'Note.body: scope must be "global" or "tenant"',
    ]);
    expect(note("index: bodyIndex", scalar("bodyIndex", "Int"))).toEqual([
      'Note.body: the index column "bodyIndex" must be a String column, not Int',
    ]);
    expect(note("index: bodyIndex, scope: tenant, indexBytes: 16", scalar("bodyIndex"))).toEqual([]);
  });

  it("gives each model's first problem, in schema order, as the VaultConfigError vault() throws", () => {
    const problems = annotationProblems(
      dataModel(
        model("A", [id, tenant, scalar("n", "Int", { documentation: "@encrypted" })], {
          documentation: "@vault.context(tenantId)",
        }),
        model("Fine", [id, tenant, scalar("body", "String", { documentation: "@encrypted" })], {
          documentation: "@vault.context(tenantId)",
        }),
        model("B", [id, scalar("body", "String", { documentation: "@encrypted(add: none, x: y)" })], {
          documentation: "@vault.context(orgId)",
        }),
      ),
    );
    expect(problems.map((e) => [e.code, e.model, e.field])).toEqual([
      ["VAULT_CONFIG", "A", "n"],
      ["VAULT_CONFIG", "B", "body"],
    ]);
    expect(problems[1]?.message).toMatch(/^B\.body: unknown @encrypted option "add"/);
  });
});
