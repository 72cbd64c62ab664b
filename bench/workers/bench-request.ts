/**
 * The request both bench workers (plain-worker.ts, vault-worker.ts) serve, so that they differ only in
 * the client `connect` makes: create a user, then read the tenant's five newest, on a client kept across
 * requests (`/kept`, made by the first) or made per request (`/per-request`).
 */

/** What the request uses of a Prisma client generated from the quickstart's models, extended or not. */
export interface BenchClient {
  readonly user: {
    create(args: {
      data: { organizationId: string; name: string; email: string; ssn: string };
    }): PromiseLike<unknown>;
    findMany(args: {
      where: { organizationId: string };
      orderBy: { id: "desc" };
      take: number;
    }): PromiseLike<readonly { email: string }[]>;
  };
}

/** A worker whose every request runs the bench's request on a client from `connect`. */
export function benchWorker<Env>(connect: (env: Env) => BenchClient) {
  let kept: BenchClient | undefined;
  let created = 0;
  return {
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
}
