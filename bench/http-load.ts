/**
 * A real-world load case (issue 13, item 4): one `node:http` server on PostgreSQL per side, plain
 * Prisma (the plaintext table) and prisma-vault (the encrypted one), each with a pool of 20
 * connections, serving get-one, list-50, create and update routes; `autocannon` drives each route for a
 * bounded time on 127.0.0.1, plain and prisma-vault in turn, and the table gives req/s, p50, p99 and
 * the ratio to plain. The read routes are also served by plain Prisma from the encrypted table, its
 * envelopes and blind indexes read as text ("stored"): what the wider stored rows cost by themselves,
 * apart from decrypting them. The servers run in a child process, so the load generator does not
 * share their event loop (it shares the machine's cores, as a sidecar would).
 *
 *   npx tsx bench/http-load.ts [--seconds 5] [--connections 20] [--aead auto|node|native]
 */
import { fork } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import autocannon from "autocannon";
import { alignedTable } from "../src/cli/summary.js";
import { LocalKeyProvider, vault } from "../src/index.js";
import { ms } from "./measure.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "20" },
    aead: { type: "string", default: "auto" },
    serve: { type: "string" }, // internal: the child process, given the database URL
  },
});
const ROWS = 10_000;
const TENANTS = 10;

if (values.serve !== undefined) await serve(values.serve, values.aead as "auto");
else await drive();

/** The parent: a fresh database, the child's servers, autocannon per route and side. */
async function drive(): Promise<void> {
  const { openDatabase } = await import("../test/support/databases.js");
  const db = await openDatabase("postgres");
  if ("skip" in db) throw new Error(`PostgreSQL is needed: ${db.skip}`);
  const child = fork(fileURLToPath(import.meta.url), ["--serve", db.url, "--aead", values.aead ?? "auto"], {
    execArgv: ["--import", "tsx"],
  });
  try {
    const ports = await new Promise<Record<"plain" | "stored" | "vault", number>>((resolve, reject) => {
      child.once("message", (message) => resolve(message as Record<"plain" | "stored" | "vault", number>));
      child.once("exit", (code) => reject(new Error(`the servers exited (${code})`)));
    });
    const routes: {
      name: string;
      method: "GET" | "POST" | "PATCH";
      path: (i: number) => string;
      body?: (i: number) => string;
      /** Served by plain Prisma from the encrypted table too (reads only: a write would store plaintext). */
      stored?: boolean;
    }[] = [
      { name: "get one", method: "GET", path: (i) => `/accounts/${(i % ROWS) + 1}`, stored: true },
      { name: "list 50", method: "GET", path: (i) => `/accounts?org=org_${i % TENANTS}`, stored: true },
      { name: "create", method: "POST", path: () => "/accounts", body: (i) => JSON.stringify(newAccount(i)) },
      {
        name: "update",
        method: "PATCH",
        path: (i) => `/accounts/${(i % ROWS) + 1}`,
        body: (i) => JSON.stringify({ handle: `u${i}` }),
      },
    ];
    const seconds = Number(values.seconds);
    const connections = Number(values.connections);
    const table = [
      [
        "route",
        "plain req/s",
        "vault req/s",
        "ratio",
        "stored req/s",
        "vault/stored",
        "plain p50",
        "vault p50",
        "plain p99",
        "vault p99",
      ],
    ];
    for (const route of routes) {
      const result: Record<string, autocannon.Result> = {};
      for (const side of route.stored
        ? (["plain", "stored", "vault"] as const)
        : (["plain", "vault"] as const)) {
        let n = 0;
        result[side] = await autocannon({
          url: `http://127.0.0.1:${ports[side]}`,
          connections,
          duration: seconds,
          requests: [
            {
              method: route.method,
              setupRequest: (request) => {
                const i = n++;
                return {
                  ...request,
                  path: route.path(i),
                  ...(route.body && { body: route.body(i), headers: { "content-type": "application/json" } }),
                };
              },
            },
          ],
        });
        if (result[side].non2xx > 0)
          throw new Error(`${route.name} on ${side}: ${result[side].non2xx} non-2xx answers`);
      }
      const [p, v] = [result["plain"] as autocannon.Result, result["vault"] as autocannon.Result];
      const stored = result["stored"];
      table.push([
        route.name,
        Math.round(p.requests.average).toLocaleString("en"),
        Math.round(v.requests.average).toLocaleString("en"),
        `${(v.requests.average / p.requests.average).toFixed(2)}×`,
        stored ? Math.round(stored.requests.average).toLocaleString("en") : "",
        stored ? `${(v.requests.average / stored.requests.average).toFixed(2)}×` : "",
        ms(p.latency.p50),
        ms(v.latency.p50),
        ms(p.latency.p99),
        ms(v.latency.p99),
      ]);
    }
    console.log(
      `HTTP load: node:http on PostgreSQL, ${ROWS} rows over ${TENANTS} tenants, pool 20, autocannon ${connections} connections × ${seconds} s per route and side, aead ${values.aead}`,
    );
    for (const line of alignedTable(table)) console.log(line);
  } finally {
    child.kill();
    await db.close();
  }
}

function newAccount(i: number) {
  return {
    organizationId: `org_${i % TENANTS}`,
    name: `new${i}`,
    email: `new${i}.${Date.now()}@example.com`,
    phone: `+1666${String(i).padStart(7, "0")}`,
    handle: `n${i}`,
  };
}

/** What the routes need of a model's delegate. */
interface Accounts {
  findUnique(args: object): Promise<unknown>;
  findMany(args: object): Promise<unknown>;
  create(args: object): Promise<unknown>;
  update(args: object): Promise<unknown>;
}

/** The child: seeds the database and serves both sides; tells the parent their ports. */
async function serve(url: string, aead: "auto" | "node" | "native"): Promise<void> {
  const { PrismaClient } = await import("../test/generated/postgres/client/client.js");
  const { vaultSchema } = await import("../test/generated/postgres/vault/index.js");
  const client = () => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 20 }) });
  const plain = client();
  const keys = new LocalKeyProvider({ keys: [{ id: "bench", key: LocalKeyProvider.generateKey() }] });
  const sealed = client().$extends(
    vault({ keys, schema: vaultSchema, indexSecret: Buffer.alloc(32, 3), aead }),
  );
  await plain.organization.createMany({
    data: Array.from({ length: TENANTS }, (_, i) => ({ id: `org_${i}`, name: `org ${i}` })),
  });
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    organizationId: `org_${i % TENANTS}`,
    name: `n${i}`,
    email: `user${i}@example.com`,
    phone: `+1555${String(i).padStart(7, "0")}`,
    handle: `h${i}`,
  }));
  await plain.plainAccount.createMany({ data: rows });
  await sealed.account.createMany({ data: rows });
  const sides = {
    plain: plain.plainAccount as unknown as Accounts,
    stored: plain.account as unknown as Accounts,
    vault: sealed.account as unknown as Accounts,
  };
  const ports: Record<string, number> = {};
  for (const [side, accounts] of Object.entries(sides)) {
    const server = createServer((request, response) => {
      route(accounts, request, response).catch((error: unknown) => {
        response.writeHead(500).end(String((error as Error).message).slice(0, 200));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    ports[side] = (server.address() as AddressInfo).port;
  }
  process.send?.(ports);
}

/** The four routes; the tenant of an id-addressed row is known to the app (as from a session), as id % TENANTS. */
async function route(accounts: Accounts, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://x");
  const id = /^\/accounts\/(\d+)$/.exec(url.pathname)?.[1];
  const send = (value: unknown): void => {
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
  };
  const body = async () => {
    let text = "";
    for await (const chunk of request) text += String(chunk);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const tenant = (n: number) => `org_${(n - 1) % TENANTS}`;
  if (request.method === "GET" && id) return send(await accounts.findUnique({ where: { id: Number(id) } }));
  if (request.method === "GET" && url.pathname === "/accounts")
    return send(
      await accounts.findMany({
        where: { organizationId: url.searchParams.get("org") },
        take: 50,
        orderBy: { id: "desc" },
      }),
    );
  if (request.method === "POST" && url.pathname === "/accounts")
    return send(await accounts.create({ data: await body() }));
  if (request.method === "PATCH" && id)
    return send(
      await accounts.update({
        where: { id: Number(id), organizationId: tenant(Number(id)) },
        data: await body(),
      }),
    );
  response.writeHead(404).end();
}
