import { describe, expect, it } from "vitest";
import { inertModels } from "../../src/schema/relations.js";
import { belongsTo, dataModel, hasMany, model, scalar, testSchema } from "../support/datamodel.js";
import { build } from "../support/zoo.js";

/** A chain A -> B -> C where only C encrypts, an island D, and E that points at D. */
const chain = dataModel(
  model("A", [
    scalar("id", "String", { isId: true }),
    scalar("note"),
    scalar("bId"),
    belongsTo("b", "B", "AB", ["bId"]),
  ]),
  model("B", [scalar("id", "String", { isId: true }), scalar("cId"), belongsTo("c", "C", "BC", ["cId"])]),
  model("C", [scalar("id", "String", { isId: true }), scalar("t"), scalar("secret")]),
  model("D", [scalar("id", "String", { isId: true }), hasMany("es", "E", "DE")]),
  model("E", [scalar("id", "String", { isId: true }), scalar("dId"), belongsTo("d", "D", "DE", ["dId"])]),
);
const encryptC = { C: { context: ["t"], fields: { secret: {} } } };

describe("inertModels", () => {
  it("a model that reaches an encrypted field through any number of relations is not inert; a cycle that reaches none is", () => {
    expect([...inertModels(build(encryptC, chain))].sort()).toEqual(["D", "E"]);
  });

  it("without encrypted fields every model is inert", () => {
    expect([...inertModels(build({}, chain))].sort()).toEqual(["A", "B", "C", "D", "E"]);
  });

  it("the reach follows relations from the model that holds them, not back", () => {
    // C holds no relation: encrypting A does not make C live.
    const models = { A: { context: ["bId"], fields: { note: {} } } };
    expect([...inertModels(build(models, chain))].sort()).toEqual(["B", "C", "D", "E"]);
  });

  it("in the test schema only the models with no path to an encrypted field are inert", () => {
    expect([...inertModels(testSchema())].sort()).toEqual([
      "AuditLog",
      "Ticket",
      "VaultObject",
      "VaultObjectVersion",
    ]);
  });

  it("an empty schema has no inert models, and the schema is left as it was", () => {
    expect(inertModels({ models: new Map(), provider: undefined }).size).toBe(0);
    const schema = build(encryptC, chain);
    const names = [...schema.models.keys()];
    inertModels(schema);
    expect([...schema.models.keys()]).toEqual(names);
  });
});
