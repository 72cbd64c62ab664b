/**
 * Whether test/prisma8 can run here, and what happens when it cannot. The Prisma 8 release candidate
 * needs Node >= 22.18 and the CLI of compat/prisma8 (`npm run setup:prisma8`, about 1.1 GB, so not part of
 * the root install); its tests need PostgreSQL. Without one of them a test skips with the reason, unless
 * PRISMA_VAULT_REQUIRE_PRISMA8=1 (CI's Prisma 8 stage), which turns the reason into a failure. A
 * PostgreSQL that does not answer fails under PRISMA_VAULT_REQUIRE_DATABASES=1 too, as everywhere else.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** compat/prisma8: its own package.json, lock file and node_modules (the CLI and its toolchain). */
export const COMPAT_PRISMA8 = fileURLToPath(new URL("../../../compat/prisma8", import.meta.url));

/** The oldest Node the release candidate runs on (`engines` of `prisma@8.0.0-rc.19`). */
const MIN_NODE = [22, 18] as const;

/** A reason to skip test/prisma8; test/prisma8/support/use-prisma8-app.ts turns it into a skipped test. */
export class Prisma8Skip extends Error {
  override readonly name = "Prisma8Skip";
}

/**
 * Throws when Prisma 8 cannot run here: a {@link Prisma8Skip} with the reason, or an `Error` with the
 * same reason under PRISMA_VAULT_REQUIRE_PRISMA8=1.
 *
 * @example assertPrisma8Runs(); // before anything loads @prisma/orm-postgres/runtime
 */
export function assertPrisma8Runs(): void {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    skipOrFail(`Prisma 8 needs Node >= ${MIN_NODE.join(".")}; this is Node ${process.versions.node}`);
  }
  if (!existsSync(join(COMPAT_PRISMA8, "node_modules", "prisma", "package.json"))) {
    skipOrFail("compat/prisma8 is not installed: npm run setup:prisma8");
  }
}

/**
 * Skips with `reason` ({@link Prisma8Skip}), or fails with it when a `require` variable is `1`:
 * PRISMA_VAULT_REQUIRE_PRISMA8 always, plus any named in `alsoRequiredBy`.
 *
 * @example skipOrFail("PostgreSQL is not reachable", ["PRISMA_VAULT_REQUIRE_DATABASES"]);
 */
export function skipOrFail(reason: string, alsoRequiredBy: readonly string[] = []): never {
  const required = ["PRISMA_VAULT_REQUIRE_PRISMA8", ...alsoRequiredBy].find(
    (name) => process.env[name] === "1",
  );
  if (required) throw new Error(`${required}=1 but ${reason}`);
  throw new Prisma8Skip(reason);
}
