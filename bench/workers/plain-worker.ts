/**
 * bench/workers.ts's plain worker: Prisma on D1 and nothing else, the baseline of vault-worker.ts,
 * which is this file with vault() added. Each request creates a user and reads the tenant's five newest,
 * on a client kept across requests (`/kept`, made by the first) or made per request (`/per-request`).
 */
import { PrismaD1 } from "@prisma/adapter-d1";
import { PrismaClient } from "../../examples/quickstart/generated/client/client.js";

interface Env {
  readonly DB: ConstructorParameters<typeof PrismaD1>[0];
}

let kept: PrismaClient | undefined;
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

function connect(env: Env): PrismaClient {
  return new PrismaClient({ adapter: new PrismaD1(env.DB) });
}
