/**
 * The two modules the workerd leg's workers import that the repository's type check cannot see: they
 * are in compat/runtimes (installed apart, and only for the runtime legs) or are workerd's own. Declared
 * as far as the workers use them; esbuild bundles the real ones into the app.
 */
declare module "cloudflare:workers" {
  /** The worker's bindings, importable at module scope. */
  export const env: unknown;
}

declare module "@prisma/adapter-d1" {
  import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";

  /** A D1 binding (`env.DB`); workerd's D1Database. */
  interface D1Database {
    prepare(query: string): unknown;
  }

  /** Prisma's driver adapter for a D1 binding. */
  export class PrismaD1 implements SqlDriverAdapterFactory {
    readonly provider: "sqlite";
    readonly adapterName: string;
    constructor(database: D1Database);
    connect(): Promise<SqlDriverAdapter>;
  }
}
