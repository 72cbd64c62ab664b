/**
 * bench/workers.ts's prisma-vault worker: plain-worker.ts with vault() on its client, the local key ring
 * from the bindings. Each request creates a user (email and ssn sealed, email blind-indexed) and reads
 * the tenant's five newest (ten values opened), on a client kept across requests (`/kept`, made by the
 * first, its data-key cache kept too) or made per request (`/per-request`).
 */
import { PrismaD1 } from "@prisma/adapter-d1";
import { LocalKeyProvider, vault } from "prisma-vault";
import { PrismaClient } from "../../examples/quickstart/generated/client/client.js";
import { vaultSchema } from "../../examples/quickstart/generated/vault/index.js";

interface Env {
  readonly DB: ConstructorParameters<typeof PrismaD1>[0];
  readonly MASTER_KEY: string;
  readonly INDEX_SECRET: string;
}

let kept: ReturnType<typeof connect> | undefined;
let created = 0;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const perRequest = new URL(request.url).pathname === "/per-request";
    const prisma = perRequest ? connect(env) : (kept ??= connect(env));
    const n = created++;
    await prisma.user.create({
      data: { organizationId: "org_bench", name: `u${n}`, email: `u${n}@bench.test`, ssn: "123-45-6789" },
    });
    const users = await prisma.user.findMany({
      where: { organizationId: "org_bench" },
      orderBy: { id: "desc" },
      take: 5,
    });
    return Response.json(users.map((user) => user.email));
  },
};

function connect(env: Env) {
  const keys = new LocalKeyProvider({ keys: [{ id: "ring", key: env.MASTER_KEY }] });
  return new PrismaClient({ adapter: new PrismaD1(env.DB) }).$extends(
    vault({ keys, schema: vaultSchema, indexSecret: env.INDEX_SECRET }),
  );
}
