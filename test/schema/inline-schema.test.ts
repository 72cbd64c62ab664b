/**
 * parseInlineSchema against its oracle, the DMMF the prisma-vault generator wrote for the same schema
 * (test/generated/<target>/vault/vault-schema.json), and on fixtures whose expected values are what
 * Prisma 7.10's DMMF gives for them.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DataModel, DataModelField, GeneratedVaultSchema } from "../../src/schema/datamodel.js";
import { parseInlineSchema } from "../../src/schema/inline-schema.js";
import { offlineClient, prisma6Missing } from "../support/offline-clients.js";

/** The schema text a generated client embeds. */
async function inlineSchemaOf(target: Parameters<typeof offlineClient>[0]): Promise<string> {
  const client = await offlineClient(target);
  await client.$disconnect();
  return (client as unknown as { _engineConfig: { inlineSchema: string } })._engineConfig.inlineSchema;
}

function field(model: DataModel | undefined, name: string, fieldName: string): DataModelField | undefined {
  return model?.models[name]?.fields.find((f) => f.name === fieldName);
}

const HEADER = 'datasource db {\n  provider = "postgresql"\n}\n';

describe("parseInlineSchema on the generated clients", () => {
  it.for(["sqlite", "postgres", "mariadb", "sqlite-prisma6"] as const)(
    "reads the %s client's schema exactly as the generator wrote it from DMMF",
    async (target, context) => {
      if (target === "sqlite-prisma6" && prisma6Missing) {
        console.warn(`skipping sqlite-prisma6: ${prisma6Missing}`);
        context.skip();
      }
      const oracle = (
        JSON.parse(
          readFileSync(`test/generated/${target}/vault/vault-schema.json`, "utf8"),
        ) as GeneratedVaultSchema
      ).datamodel;
      const parsed = parseInlineSchema(await inlineSchemaOf(target));
      expect(parsed?.provider).toBe(oracle.provider);
      expect(Object.keys(parsed?.models ?? {})).toEqual(Object.keys(oracle.models));
      for (const [name, model] of Object.entries(oracle.models)) {
        expect(parsed?.models[name], name).toEqual(model);
      }
    },
  );
});

describe("parseInlineSchema on fixtures", () => {
  const schema = parseInlineSchema(`${HEADER}
/// Members, keyed by both ids.
/// @vault.context(groupId)
model Membership {
  userId  Int
  groupId Int
  user    User @relation(fields: [userId], references: [id]) // trailing comment
  @@id([userId, groupId])
  @@unique([groupId, userId])
}

model User {
  id          Int          @id @default(autoincrement()) /// trailing doc
  /// @encrypted
  email       String       @unique @db.VarChar(191) // not documentation
  motto       String       @default("a)b @x") @db.Text
  url         String       @default("http://example.com/\\"quoted\\"")
  role        Role         @default(MEMBER)
  search      Unsupported("tsvector")?
  memberships Membership[]
  written     Post[]       @relation("Written")
  edited      Post[]       @relation(name: "Edited")
}

model Post {
  id       Int   @id
  authorId Int
  author   User  @relation("Written", fields: [authorId], references: [id], onDelete: Cascade)
  editorId Int?
  editor   User? @relation(name: "Edited", fields: [editorId], references: [id], map: "fk_editor")
  tags     String[]
}

model Node {
  id       Int    @id
  parentId Int?
  parent   Node?  @relation("Tree", fields: [parentId], references: [id])
  children Node[] @relation("Tree")
}

enum Role {
  ADMIN  @map("admin")
  MEMBER // trailing comment
}
`);

  it("reads the datasource's provider", () => {
    expect(schema?.provider).toBe("postgresql");
  });

  it("a compound @@id is the model's primaryKey and marks no field isId", () => {
    expect(schema?.models["Membership"]?.primaryKey).toEqual(["userId", "groupId"]);
    expect(schema?.models["Membership"]?.fields.map((f) => f.isId)).toEqual([false, false, false]);
    expect(schema?.models["User"]?.primaryKey).toBeNull();
    expect(field(schema, "User", "id")).toMatchObject({ isId: true });
    expect(field(schema, "User", "email")).toMatchObject({ isId: false });
  });

  it("the side with fields: holds the relation keys, the other side empty arrays, named as DMMF names them", () => {
    expect(field(schema, "Membership", "user")).toEqual({
      name: "user",
      kind: "object",
      type: "User",
      isList: false,
      isId: false,
      isRequired: true,
      isUnique: false,
      relationName: "MembershipToUser",
      relationFromFields: ["userId"],
      relationToFields: ["id"],
    });
    expect(field(schema, "User", "memberships")).toMatchObject({
      isList: true,
      relationName: "MembershipToUser",
      relationFromFields: [],
      relationToFields: [],
    });
  });

  it("two relations between the same models keep their explicit names, positional or name:", () => {
    expect(field(schema, "Post", "author")).toMatchObject({
      relationName: "Written",
      relationFromFields: ["authorId"],
      relationToFields: ["id"],
    });
    expect(field(schema, "Post", "editor")).toMatchObject({ relationName: "Edited" });
    expect(field(schema, "User", "written")).toMatchObject({
      relationName: "Written",
      relationFromFields: [],
    });
    expect(field(schema, "User", "edited")).toMatchObject({ relationName: "Edited", relationFromFields: [] });
  });

  it("a self-relation's two sides share its name", () => {
    expect(field(schema, "Node", "parent")).toMatchObject({
      type: "Node",
      relationName: "Tree",
      relationFromFields: ["parentId"],
    });
    expect(field(schema, "Node", "children")).toMatchObject({ isList: true, relationName: "Tree" });
  });

  it("a string default with ) and @ in it does not end the attribute list", () => {
    expect(field(schema, "User", "motto")).toEqual({
      name: "motto",
      kind: "scalar",
      type: "String",
      isList: false,
      isId: false,
      isRequired: true,
      isUnique: false,
      nativeType: ["Text", []],
    });
    expect(field(schema, "User", "url")?.kind).toBe("scalar");
  });

  it("@map and @@map, positional or name:, are DMMF's dbName; an enum value's @map is not", () => {
    const mapped = parseInlineSchema(`${HEADER}
model Entry {
  tenantId String @map("tenant_id")
  seq      Int    @map(name: "seq_no")
  plain    Int
  @@id([tenantId, seq])
  @@map(name: "ledger_entries")
}

model Other {
  id Int @id
  @@map("others")
}
`);
    expect(mapped?.models["Entry"]?.dbName).toBe("ledger_entries");
    expect(mapped?.models["Other"]?.dbName).toBe("others");
    expect(field(mapped, "Entry", "tenantId")?.dbName).toBe("tenant_id");
    expect(field(mapped, "Entry", "seq")?.dbName).toBe("seq_no");
    expect(field(mapped, "Entry", "plain")).not.toHaveProperty("dbName");
    expect(schema?.models["User"]).not.toHaveProperty("dbName");
    // `map:` inside @relation names the foreign key, not the column.
    expect(field(schema, "Post", "editor")).not.toHaveProperty("dbName");
  });

  it("@db attributes are DMMF's nativeType, their arguments as strings", () => {
    expect(field(schema, "User", "email")?.nativeType).toEqual(["VarChar", ["191"]]);
    expect(field(schema, "User", "id")).not.toHaveProperty("nativeType");
  });

  it("/// above a field and at the end of its line is its documentation; // comments are not", () => {
    expect(field(schema, "User", "id")?.documentation).toBe("trailing doc");
    expect(field(schema, "User", "email")?.documentation).toBe("@encrypted");
    expect(field(schema, "Membership", "user")).not.toHaveProperty("documentation");
    expect(schema?.models["Membership"]?.documentation).toBe(
      "Members, keyed by both ids.\n@vault.context(groupId)",
    );
    expect(schema?.models["User"]).not.toHaveProperty("documentation");
  });

  it("enum-typed fields are kind enum and scalar lists are lists", () => {
    expect(field(schema, "User", "role")).toMatchObject({ kind: "enum", type: "Role", isList: false });
    expect(field(schema, "Post", "tags")).toMatchObject({ kind: "scalar", type: "String", isList: true });
    expect(schema?.models["Role"]).toBeUndefined();
  });

  it("an Unsupported field is kind unsupported with the database type (DMMF leaves it out)", () => {
    expect(field(schema, "User", "search")).toEqual({
      name: "search",
      kind: "unsupported",
      type: "tsvector",
      isList: false,
      isId: false,
      isRequired: false,
      isUnique: false,
    });
  });

  it("documentation follows DMMF: left-trimmed lines, across blank lines inside a model, not across one above it", () => {
    const parsed = parseInlineSchema(`${HEADER}
/// detached by the blank line

///   Kept   
///
model A {
  /// across a blank line

  id Int @id
  /// across a block attribute
  @@map("a") /// dropped
  b  Int @default(1) ///\tand a trailing one
  /// dropped before the brace
} /// before B
/// also before B
model B {
  id Int @id
}
`);
    expect(parsed?.models["A"]?.documentation).toBe("Kept   \n");
    expect(field(parsed, "A", "id")?.documentation).toBe("across a blank line");
    expect(field(parsed, "A", "b")?.documentation).toBe("across a block attribute\nand a trailing one");
    expect(parsed?.models["B"]?.documentation).toBe("before B\nalso before B");
  });

  it("types declared further down, CRLF line ends, @ignore and @@ignore, a datasource not called db", () => {
    const parsed = parseInlineSchema(
      [
        "model A {",
        "  id    String @id @mydb.Uuid",
        "  kind  Kind",
        "  gone  Int  @ignore",
        "}",
        "model Hidden {",
        "  id Int @id",
        "  @@ignore",
        "}",
        "enum Kind {",
        "  X",
        "}",
        "datasource mydb {",
        '  provider = "postgres"',
        "}",
      ].join("\r\n"),
    );
    expect(parsed?.provider).toBe("postgresql");
    expect(parsed?.models["A"]?.fields.map((f) => [f.name, f.kind, f.nativeType])).toEqual([
      ["id", "scalar", ["Uuid", []]],
      ["kind", "enum", undefined],
    ]);
    expect(Object.keys(parsed?.models ?? {})).toEqual(["A"]);
  });
});

describe("parseInlineSchema refuses what it cannot read confidently", () => {
  it.each([
    ["an unclosed model", `${HEADER}model A {\n  id Int @id\n`],
    ["an extra closing brace", `${HEADER}model A {\n  id Int @id\n}\n}\n`],
    ["a model on one line", `${HEADER}model A { id Int @id }\n`],
    ["an unknown block", `${HEADER}table A {\n  id Int @id\n}\n`],
    ["an undeclared field type", `${HEADER}model A {\n  id Blob @id\n}\n`],
    ["an unterminated string", `${HEADER}model A {\n  id String @id @default("x)\n}\n`],
    ["an unclosed argument list", `${HEADER}model A {\n  id Int @id @default(1\n}\n`],
    ["mismatched brackets", `${HEADER}model A {\n  id Int @id\n  @@index([id)]\n}\n`],
    ["a stray character", `${HEADER}model A {\n  id Int @id #\n}\n`],
    ["a native type of another datasource", `${HEADER}model A {\n  id String @id @other.Text\n}\n`],
    ["a nested block", `${HEADER}enum E {\n  A {\n  }\n}\n`],
    ["two blocks on a line", `${HEADER}model A {\n  id Int @id\n} model B {\n  id Int @id\n}\n`],
    ["prose", "This is not a Prisma schema."],
  ])("%s", (_title, text) => {
    expect(parseInlineSchema(text)).toBeUndefined();
  });
});

describe("parseInlineSchema never throws", () => {
  // prettier-ignore
  const FRAGMENTS = [
    "model", "enum", "datasource", "generator", "type", " A", " B", " {", "}", "\n", "  id", " Int", " String",
    " A[]", "?", " @id", " @@id([", "id", "])", " @relation(", '"R"', ", fields: [", "a", "]", ", references: [",
    ")", " @db.VarChar(191)", " @default(", '"a)b @x"', "///", " doc", "//", '  provider = "sqlite"', " =", ",",
    ":", "Unsupported(", "\r\n", "\\", '"', "(", "[", "@", "@@", ".", "-1.5e3",
  ];
  const loose = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }).map((parts) => parts.join(""));
  // prettier-ignore
  const LINE = [
    "  a", "  b", " Int", " String", " B", " B[]", "?", " @id", " @unique", " @relation(", '"R"', ", fields: [a]",
    ", references: [id]", ")", " @db.Text", " @default(", '"a)b @x"', "now()", " /// doc", " // c", "  @@id([a, b])",
    ' Unsupported("x")', "(", "[", "]", '"', ",", ":",
  ];
  const line = fc
    .array(fc.constantFrom(...LINE), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join(""));
  const inModel = fc
    .array(line, { maxLength: 10 })
    .map((lines) => `${HEADER}model A {\n${lines.join("\n")}\n}\nmodel B {\n  id Int @id\n}\n`);

  it("on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (text) => void parseInlineSchema(text)),
    );
  });

  it("on strings made of schema fragments, and what it returns is a well-formed data model", () => {
    fc.assert(
      fc.property(fc.oneof(loose, inModel), (text) => {
        for (const model of Object.values(parseInlineSchema(text)?.models ?? {})) {
          for (const f of model.fields) {
            expect(["scalar", "object", "enum", "unsupported"]).toContain(f.kind);
            if (f.kind === "object") expect(typeof f.relationName).toBe("string");
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("on a generated schema with one character deleted or inserted", async () => {
    const text = await inlineSchemaOf("postgres");
    fc.assert(
      fc.property(
        fc.nat(text.length),
        fc.constantFrom("", "{", "}", '"', "(", ")", "@", "\n", "["),
        (at, insert) => {
          void parseInlineSchema(text.slice(0, at) + insert + text.slice(at + 1));
        },
      ),
      { numRuns: 500 },
    );
  });
});
