/**
 * One test per Prisma internal that prisma-vault relies on (src/client/internals.ts), on a real
 * SQLite client (and, for what a client holds before it connects, on unconnected clients of every
 * target, Prisma 6.19's included). When a Prisma upgrade moves one, the test that names it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dataPathOf,
  globalOmit,
  inlineSchemaDataModel,
  interactiveTransactions,
  itxClient,
  runtimeDataModel,
  transactionOf,
} from "../../src/client/internals.js";
import { openDatabase, type TestDatabase } from "../support/databases.js";
import { offlineClient, prisma6Missing } from "../support/offline-clients.js";

let db: TestDatabase;
beforeAll(async () => {
  db = (await openDatabase("sqlite")) as TestDatabase;
  await db.plain.organization.create({ data: { id: "org_1", name: "one" } });
});
afterAll(() => db.close());

/** The hook parameters Prisma passes for each query run through `run`. */
async function hookParams(
  run: (client: ReturnType<typeof spy>["client"]) => Promise<unknown>,
): Promise<unknown[]> {
  const { client, seen } = spy();
  await run(client);
  return seen;
}

function spy() {
  const seen: unknown[] = [];
  const client = db.plain.$extends({
    query: {
      $allModels: {
        $allOperations(params) {
          seen.push(params);
          return params.query(params.args);
        },
      },
    },
  });
  return { client, seen };
}

describe("Prisma internals", () => {
  it("_runtimeDataModel lists models, scalar and relation fields with their targets", () => {
    const model = runtimeDataModel(db.plain)?.models["User"];
    expect(model?.fields.find((f) => f.name === "email")).toMatchObject({ kind: "scalar", type: "String" });
    expect(model?.fields.find((f) => f.name === "posts")).toMatchObject({ kind: "object", type: "Post" });
    expect(runtimeDataModel({})).toBeUndefined();
  });

  it("_runtimeDataModel holds @@map and @map names as dbName, and nothing where a name is not mapped", () => {
    const models = runtimeDataModel(db.plain)?.models;
    expect(models?.["Ledger"]?.dbName).toBe("ledger_entries");
    expect(models?.["Ledger"]?.fields.find((f) => f.name === "seq")?.dbName).toBe("seq_no");
    expect(models?.["Ledger"]?.fields.find((f) => f.name === "tenantId")).not.toHaveProperty("dbName");
    expect(models?.["Voucher"]?.fields.find((f) => f.name === "code")?.dbName).toBe("voucher_code");
    expect(models?.["User"]).not.toHaveProperty("dbName");
  });

  it("_engineConfig.inlineSchema and activeProvider give relation keys, documentation and the provider", () => {
    const model = inlineSchemaDataModel(db.plain);
    expect(model?.provider).toBe("sqlite");
    expect(model?.models["User"]?.fields.find((f) => f.name === "organization")).toMatchObject({
      kind: "object",
      relationName: "OrganizationToUser",
      relationFromFields: ["organizationId"],
      relationToFields: ["id"],
    });
    expect(model?.models["User"]?.fields.find((f) => f.name === "email")?.documentation).toBe("@encrypted");
    expect(inlineSchemaDataModel({})).toBeUndefined();
    expect(inlineSchemaDataModel(null)).toBeUndefined();
    expect(inlineSchemaDataModel({ _engineConfig: { inlineSchema: "model User {" } })).toBeUndefined();
  });

  it.each([
    ["postgres", "postgresql"],
    ["mariadb", "mysql"],
  ] as const)("_engineConfig gives native types on an unconnected %s client", async (target, provider) => {
    const client = await offlineClient(target);
    const model = inlineSchemaDataModel(client);
    await client.$disconnect();
    expect(model?.provider).toBe(provider);
    expect(model?.models["User"]?.fields.find((f) => f.name === "email")?.nativeType).toEqual(["Text", []]);
  });

  it("_engineConfig holds the same on a Prisma 6.19 client", async (context) => {
    if (prisma6Missing) {
      console.warn(`skipping the Prisma 6.19 client: ${prisma6Missing}`);
      context.skip();
    }
    const client = await offlineClient("sqlite-prisma6");
    const model = inlineSchemaDataModel(client);
    await client.$disconnect();
    expect(model?.provider).toBe("sqlite");
    expect(model?.models["Post"]?.fields.find((f) => f.name === "author")).toMatchObject({
      relationFromFields: ["authorId"],
      relationToFields: ["id"],
    });
    // The runtime data model names mapped tables and columns as 7.10 does.
    const runtime = runtimeDataModel(client)?.models["Ledger"];
    expect(runtime?.dbName).toBe("ledger_entries");
    expect(runtime?.fields.find((f) => f.name === "seq")?.dbName).toBe("seq_no");
  });

  it("_globalOmit holds the client-wide omit option", () => {
    const client = db.client({ omit: { user: { organizationId: true } } });
    expect(globalOmit(client)).toEqual({ user: { organizationId: true } });
    expect(globalOmit(db.plain)).toEqual({});
    expect(globalOmit(null)).toEqual({});
  });

  it("__internalParams.transaction tells interactive, batch and no transaction apart", async () => {
    const outside = await hookParams((c) => c.user.findMany());
    const batch = await hookParams((c) => c.$transaction([c.user.findMany(), c.user.count()]));
    const itx = await hookParams((c) => c.$transaction((tx) => tx.user.findMany()));
    expect(transactionOf(outside[0])).toBeUndefined();
    expect(transactionOf(batch[0])?.kind).toBe("batch");
    expect(transactionOf(itx[0])?.kind).toBe("itx");
    expect(transactionOf({ args: {} })).toBeUndefined();
  });

  it("__internalParams.dataPath shows the fluent API's relation", async () => {
    const seen = await hookParams((c) => c.user.findFirst().posts());
    expect(dataPathOf(seen[0])).toEqual(["select", "posts"]);
    expect(dataPathOf((await hookParams((c) => c.user.findMany()))[0])).toEqual([]);
    expect(dataPathOf({})).toEqual([]);
  });

  it("_createItxClient binds a client to the caller's interactive transaction and sees its uncommitted rows", async () => {
    const { client, seen } = spy();
    const found = await client.$transaction(async (tx) => {
      await tx.user.create({ data: { organizationId: "org_1", email: "uncommitted" } });
      const bound = itxClient(db.plain, transactionOf(seen.at(-1))) as typeof db.plain | undefined;
      return bound?.user.count();
    });
    expect(found).toBe(1);
    expect(itxClient(db.plain, undefined)).toBeUndefined();
    expect(itxClient({}, { kind: "itx", raw: { id: "x" } })).toBeUndefined();
    await db.reset();
    await db.plain.organization.create({ data: { id: "org_1", name: "one" } });
  });
});

describe("interactiveTransactions", () => {
  it("is true for a real client on an adapter that has them, false where Prisma refuses them (D1)", () => {
    expect(interactiveTransactions(db.plain)).toBe(true);
    // Where Prisma looks, and what it compares, before it refuses $transaction(fn) on D1.
    const adapterName = (db.plain as unknown as { _engineConfig: { adapter: { adapterName: string } } })
      ._engineConfig.adapter.adapterName;
    expect(adapterName).toBe("@prisma/adapter-better-sqlite3");
    expect(
      interactiveTransactions({ _engineConfig: { adapter: { adapterName: "@prisma/adapter-d1" } } }),
    ).toBe(false);
  });
});
