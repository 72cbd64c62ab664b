import { describe, expect, it } from "vitest";
import { conditionalUpdate } from "../../src/migrate/conditional-update.js";
import { buildVaultSchema } from "../../src/schema/build.js";
import { dataModel, model, modelOf, scalar, testSchema } from "../support/datamodel.js";

const account = modelOf(testSchema(), "Account");

/** A model keyed by (tenant, code), and one without any key. */
const shapes = buildVaultSchema(
  dataModel(
    model("Compound", [scalar("tenant"), scalar("code", "Int"), scalar("v")], {
      primaryKey: ["tenant", "code"],
    }),
    model("Keyless", [scalar("v")]),
  ),
  {},
  { plaintext: "reject" },
);

describe("conditionalUpdate", () => {
  it("names the row by primary key and repeats what was read, null included; data is set as given", () => {
    const update = conditionalUpdate(
      account,
      { id: 7, organizationId: "org_a", email: "<envelope>", name: "ignored" },
      { email: "<envelope>", emailIndex: null },
      { emailIndex: "q0V" },
    );
    expect(update).toEqual({
      where: { id: 7, email: "<envelope>", emailIndex: null },
      data: { emailIndex: "q0V" },
    });
  });

  it("a compound primary key is matched field by field", () => {
    const update = conditionalUpdate(
      modelOf(shapes, "Compound"),
      { tenant: "t", code: 3, v: "x" },
      { v: "x" },
      {
        v: "y",
      },
    );
    expect(update.where).toEqual({ tenant: "t", code: 3, v: "x" });
  });

  it("0 and the empty string are key values, not missing ones", () => {
    expect(conditionalUpdate(account, { id: 0 }, {}, {}).where).toEqual({ id: 0 });
    expect(conditionalUpdate(modelOf(shapes, "Compound"), { tenant: "", code: 0 }, {}, {}).where).toEqual({
      tenant: "",
      code: 0,
    });
  });

  it.each([
    ["missing", {}],
    ["undefined", { id: undefined }],
    ["null", { id: null }],
  ])("a row whose primary key is %s is refused, naming the model", (_what, row) => {
    expect(() => conditionalUpdate(account, row, { email: "e" }, { emailIndex: "i" })).toThrow(
      new RangeError("a conditional update needs the row's primary key (Account)"),
    );
  });

  it("one missing part of a compound key is enough to refuse", () => {
    expect(() => conditionalUpdate(modelOf(shapes, "Compound"), { tenant: "t" }, {}, {})).toThrow(/Compound/);
  });

  it("a model without a primary key is refused: the update could match any row", () => {
    expect(() => conditionalUpdate(modelOf(shapes, "Keyless"), { v: "x" }, { v: "x" }, { v: "y" })).toThrow(
      /primary key \(Keyless\)/,
    );
  });

  it("the error names no value of the row", () => {
    let message = "";
    try {
      conditionalUpdate(account, { email: "alice@example.com" }, { email: "alice@example.com" }, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/primary key/);
    expect(message).not.toContain("alice@example.com");
  });

  it("an expected field named __proto__ (as JSON.parse makes it) stays a field of where", () => {
    const expected = JSON.parse('{"__proto__": null}') as Record<string, unknown>;
    const { where } = conditionalUpdate(account, { id: 1 }, expected, {});
    expect(Object.getPrototypeOf(where)).toBe(Object.prototype);
    expect(Object.keys(where)).toEqual(["id", "__proto__"]);
  });

  it("leaves its arguments as they were, and hands back data as given", () => {
    const row = Object.freeze({ id: 1, email: "e" });
    const expected = Object.freeze({ email: "e", emailIndex: null });
    const data = Object.freeze({ emailIndex: "i" });
    const update = conditionalUpdate(account, row, expected, data);
    expect(update.data).toBe(data);
    expect(update.where).not.toBe(expected);
    expect(expected).toEqual({ email: "e", emailIndex: null });
  });
});
