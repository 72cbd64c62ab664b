import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sealEnvelope } from "../../src/crypto/seal-envelope.js";
import { conditionalUpdate } from "../../src/migrate/conditional-update.js";
import { indexPlan, indexUpdate, indexedFields, missingIndexes } from "../../src/migrate/index-plan.js";
import { modelOf, testSchema } from "../support/datamodel.js";

const account = modelOf(testSchema(), "Account");
const plan = indexPlan(account);
const field = (name: string) => indexedFields(account).find((f) => f.name === name)!;
const envelope = () => sealEnvelope(randomBytes(32), randomBytes(40), "secret", "");

describe("the blind-index backfill plan", () => {
  it("reads the rows where a field holds a value and its index column is empty", () => {
    expect(plan.fields.map((f) => f.name)).toEqual(["email", "phone", "handle"]);
    expect(plan.where).toEqual({
      OR: [
        { email: { not: "" }, emailIndex: null },
        { phone: { not: "" }, phoneIndex: null },
        { handle: { not: "" }, handleIndex: null },
      ],
    });
  });

  it("selects the context fields, the indexed fields and their index columns", () => {
    expect(Object.keys(plan.select).sort()).toEqual(
      ["organizationId", "email", "emailIndex", "phone", "phoneIndex", "handle", "handleIndex"].sort(),
    );
  });

  it("a model without blind indexes has no indexed fields", () => {
    expect(indexedFields(modelOf(testSchema(), "User"))).toEqual([]);
  });

  it("sorts a row's values without an index into envelopes and plaintext", () => {
    const sealed = envelope();
    const row = {
      id: 1,
      organizationId: "org_a",
      email: sealed,
      emailIndex: null,
      phone: "+1 555 0100",
      phoneIndex: null,
      handle: envelope(),
      handleIndex: "already",
    };
    const missing = missingIndexes(plan, row);
    expect(missing.sealed).toEqual([{ field: field("email"), envelope: sealed }]);
    expect(missing.plaintext).toEqual([field("phone")]);
  });

  it("null and empty values need no index", () => {
    const row = { id: 1, organizationId: "o", email: "", emailIndex: null, phone: null, phoneIndex: null };
    expect(missingIndexes(plan, row)).toEqual({ sealed: [], plaintext: [] });
  });

  it("the update names the row by primary key and repeats the envelopes it read with empty index columns", () => {
    const email = envelope();
    const phone = envelope();
    const update = indexUpdate(account, { id: 9, organizationId: "org_a", email, phone }, [
      { field: field("email"), envelope: email, index: "e-index" },
      { field: field("phone"), envelope: phone, index: "p-index" },
    ]);
    expect(update).toEqual({
      where: { id: 9, email, emailIndex: null, phone, phoneIndex: null },
      data: { emailIndex: "e-index", phoneIndex: "p-index" },
    });
  });

  it("the row holds its whole primary key, or the update could match other rows", () => {
    expect(() => conditionalUpdate(account, { organizationId: "org_a" }, {}, { name: "x" })).toThrow(
      /primary key/,
    );
  });
});
