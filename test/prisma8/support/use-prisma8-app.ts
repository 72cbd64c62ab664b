/**
 * The vitest hooks of a test/prisma8 file: one {@link prisma8App} made before its tests and dropped after
 * them, and every test skipped with the reason when Prisma 8 cannot run here (mirrors
 * test/support/databases.ts's useTestDatabase).
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { prisma8App, type Prisma8App } from "./prisma8-app.js";
import { Prisma8Skip } from "./prisma8-skip.js";

/**
 * Registers the hooks and returns the app's getter (only called by tests, which are skipped when there
 * is no app). `name` goes into the database's name: the test file's, so a leftover database says whose it is.
 *
 * @example
 * const app = usePrisma8App("harness");
 * it("…", async () => { const db = app().client(); … });
 */
export function usePrisma8App(name: string): () => Prisma8App {
  let app: Prisma8App | undefined;
  let skip: string | undefined;
  beforeAll(async () => {
    try {
      app = await prisma8App(name);
    } catch (error) {
      if (!(error instanceof Prisma8Skip)) throw error;
      skip = error.message;
    }
  }, 60_000);
  afterAll(() => app?.drop());
  beforeEach((context) => {
    if (skip === undefined) return;
    console.warn(`skipping prisma8: ${skip}`);
    context.skip(skip);
  });
  return () => app as Prisma8App;
}
