/**
 * Data models for the pure unit tests: small builders, and a literal copy of the models of
 * test/prisma/schema.template.prisma (the same shape the `prisma-vault` generator writes), with the
 * `models` map its annotations stand for.
 */
import { buildVaultSchema } from "../../src/schema/build.js";
import type { ModelSchema, VaultSchema } from "../../src/schema/model-schema.js";
import type { ModelsOption } from "../../src/schema/options.js";
import type { DataModel, DataModelField, DataModelModel } from "../../src/schema/datamodel.js";

/** A scalar column: `scalar("ssn")`, `scalar("id", "Int", { isId: true })`. */
export function scalar(name: string, type = "String", extra: Partial<DataModelField> = {}): DataModelField {
  return { name, kind: "scalar", type, isList: false, ...extra };
}

/** The side of a relation that holds the foreign key: `belongsTo("organization", "Organization", "OrgToUser", ["organizationId"])`. */
export function belongsTo(
  name: string,
  target: string,
  relationName: string,
  fromFields: readonly string[],
  toFields: readonly string[] = ["id"],
): DataModelField {
  return {
    name,
    kind: "object",
    type: target,
    isList: false,
    relationName,
    relationFromFields: fromFields,
    relationToFields: toFields,
  };
}

/** The side of a relation without the foreign key: a list (`hasMany`) or an optional one (`hasOne`). */
export function hasMany(name: string, target: string, relationName: string): DataModelField {
  return {
    name,
    kind: "object",
    type: target,
    isList: true,
    relationName,
    relationFromFields: [],
    relationToFields: [],
  };
}

export function hasOne(name: string, target: string, relationName: string): DataModelField {
  return { ...hasMany(name, target, relationName), isList: false };
}

export function model(
  name: string,
  fields: readonly DataModelField[],
  extra: Partial<DataModelModel> = {},
): DataModelModel {
  return { name, fields, primaryKey: null, ...extra };
}

export function dataModel(...models: readonly DataModelModel[]): DataModel {
  return { models: Object.fromEntries(models.map((m) => [m.name, m])) };
}

const intId = scalar("id", "Int", { isId: true });

/** The models of test/prisma/schema.template.prisma, documentation included. */
export const testDataModel: DataModel = dataModel(
  model("Organization", [
    scalar("id", "String", { isId: true }),
    scalar("name"),
    hasMany("users", "User", "OrganizationToUser"),
    hasMany("posts", "Post", "OrganizationToPost"),
    hasMany("profiles", "Profile", "OrganizationToProfile"),
    hasMany("accounts", "Account", "AccountToOrganization"),
    hasMany("plainAccounts", "PlainAccount", "OrganizationToPlainAccount"),
  ]),
  model(
    "User",
    [
      intId,
      scalar("organizationId"),
      belongsTo("organization", "Organization", "OrganizationToUser", ["organizationId"]),
      scalar("name"),
      scalar("email", "String", { documentation: "@encrypted" }),
      scalar("ssn", "String", { documentation: "@encrypted" }),
      scalar("notes", "String", { documentation: "@encrypted" }),
      hasMany("posts", "Post", "PostToUser"),
      hasOne("profile", "Profile", "ProfileToUser"),
    ],
    {
      documentation:
        "Each user's encrypted fields use their organization's key.\n@vault.context(organizationId)",
    },
  ),
  model(
    "Post",
    [
      intId,
      scalar("organizationId"),
      belongsTo("organization", "Organization", "OrganizationToPost", ["organizationId"]),
      scalar("authorId", "Int"),
      belongsTo("author", "User", "PostToUser", ["authorId"]),
      scalar("title"),
      scalar("body", "String", { documentation: "@encrypted" }),
    ],
    { documentation: "@vault.context(org: organizationId)" },
  ),
  model(
    "Profile",
    [
      intId,
      scalar("organizationId"),
      belongsTo("organization", "Organization", "OrganizationToProfile", ["organizationId"]),
      scalar("userId", "Int"),
      belongsTo("user", "User", "ProfileToUser", ["userId"]),
      scalar("bio", "String", { documentation: "@encrypted" }),
    ],
    { documentation: "@vault.context(organizationId)" },
  ),
  model("AuditLog", [intId, scalar("action"), scalar("subject")]),
  model(
    "Account",
    [
      intId,
      scalar("organizationId"),
      belongsTo("organization", "Organization", "AccountToOrganization", ["organizationId"]),
      scalar("name"),
      scalar("email", "String", { documentation: "@encrypted(index: emailIndex, normalize: email)" }),
      scalar("emailIndex", "String"),
      scalar("phone", "String", {
        documentation: "@encrypted(index: phoneIndex, normalize: phone, scope: tenant)",
      }),
      scalar("phoneIndex"),
      scalar("handle", "String", { documentation: "@encrypted(index: handleIndex)" }),
      scalar("handleIndex"),
      hasMany("sessions", "Session", "AccountToSession"),
    ],
    {
      documentation:
        "Blind indexes: email is global and unique (log-in), phone is per tenant, handle is exact.\n@vault.context(organizationId)",
    },
  ),
  model(
    "PlainAccount",
    [
      intId,
      scalar("organizationId"),
      belongsTo("organization", "Organization", "OrganizationToPlainAccount", ["organizationId"]),
      scalar("name"),
      scalar("email", "String"),
      scalar("phone"),
      scalar("handle"),
      hasMany("sessions", "Session", "PlainAccountToSession"),
    ],
    { documentation: "Account's plaintext twin: the oracle that index queries are compared with." },
  ),
  model("Session", [
    intId,
    scalar("label"),
    scalar("accountId", "Int"),
    belongsTo("account", "Account", "AccountToSession", ["accountId"]),
    scalar("plainAccountId", "Int"),
    belongsTo("plainAccount", "PlainAccount", "PlainAccountToSession", ["plainAccountId"]),
  ]),
  model(
    "Memo",
    [intId, scalar("organizationId"), scalar("text", "String", { documentation: "@encrypted" })],
    {
      documentation:
        "A bounded encrypted column: an envelope that does not fit is refused, never cut.\n@vault.context(organizationId)",
    },
  ),
  model(
    "Ledger",
    [
      scalar("tenantId"),
      scalar("seq", "Int", { dbName: "seq_no" }),
      scalar("note", "String", { documentation: "@encrypted" }),
    ],
    {
      dbName: "ledger_entries",
      primaryKey: ["tenantId", "seq"],
      documentation:
        "A compound primary key on a mapped table and column: raw SQL (a migration's shard pages) must use\n" +
        "the database's names, and a key part may be negative.\n@vault.context(tenantId)",
    },
  ),
  model(
    "Voucher",
    [
      scalar("code", "String", { isId: true, dbName: "voucher_code" }),
      scalar("organizationId"),
      scalar("secret", "String", { documentation: "@encrypted" }),
    ],
    {
      documentation:
        "A String primary key on a mapped column, with an encrypted field.\n@vault.context(organizationId)",
    },
  ),
  model("Ticket", [scalar("id", "BigInt", { isId: true }), scalar("label")], {
    documentation:
      "A BigInt primary key: Prisma reads it as a bigint (on SQLite its column is an INTEGER, as for autoincrement).",
  }),
  // Vault objects (README), which no field annotation touches.
  model("VaultObject", [
    scalar("id", "String", { isId: true }),
    scalar("name"),
    scalar("liveName"),
    scalar("context"),
    scalar("keyId"),
    scalar("versionId"),
    scalar("value"),
    scalar("createdAt", "DateTime"),
    scalar("updatedAt", "DateTime"),
    scalar("deletedAt", "DateTime"),
    hasMany("versions", "VaultObjectVersion", "VaultObjectToVaultObjectVersion"),
  ]),
  model("VaultObjectVersion", [
    scalar("id", "String", { isId: true }),
    scalar("objectId"),
    belongsTo("object", "VaultObject", "VaultObjectToVaultObjectVersion", ["objectId"]),
    scalar("keyId"),
    scalar("value"),
    scalar("createdAt", "DateTime"),
  ]),
);

/** The index secret of the unit tests' blind indexes. */
export const testIndexSecret = new Uint8Array(32).fill(7);

/** What the annotations of {@link testDataModel} say, written as a `models` option. */
export const testModels: ModelsOption = {
  User: { context: { organizationId: "organizationId" }, fields: { email: {}, ssn: {}, notes: {} } },
  Post: { context: { org: "organizationId" }, fields: { body: {} } },
  Profile: { context: { organizationId: "organizationId" }, fields: { bio: {} } },
  Account: {
    context: { organizationId: "organizationId" },
    fields: {
      email: { index: "emailIndex", normalize: "email" },
      phone: { index: "phoneIndex", normalize: "phone", scope: "tenant" },
      handle: { index: "handleIndex" },
    },
  },
  Memo: { context: { organizationId: "organizationId" }, fields: { text: {} } },
  Ledger: { context: { tenantId: "tenantId" }, fields: { note: {} } },
  Voucher: { context: { organizationId: "organizationId" }, fields: { secret: {} } },
};

/** The validated schema of the test models (or of `models` over the same data model). */
export function testSchema(models: ModelsOption = testModels): VaultSchema {
  return buildVaultSchema(testDataModel, models, { plaintext: "reject", indexSecret: testIndexSecret });
}

/** One model of a schema; fails the test when it is not there. */
export function modelOf(schema: VaultSchema, name: string): ModelSchema {
  const found = schema.models.get(name);
  if (!found) throw new Error(`no model ${name} in the schema`);
  return found;
}
