/**
 * The set-up the object suites share: a test database, a client extended with `vault({ objects })`
 * over a local key ring, the key server serving its objects, and the real SDK pointed at it.
 */
import { randomBytes } from "node:crypto";
import type { WorkOS } from "@workos-inc/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import type { ObjectsOptions } from "../../src/objects/vault-objects.js";
import { vault } from "../../src/prisma/extension.js";
import { useTestDatabase, type Target, type TestDatabase } from "../support/databases.js";
import { sdkClient, TEST_TOKEN } from "../support/key-server.js";
import { registerSecrets } from "../support/secrets.js";

export interface ObjectsRig {
  readonly database: () => TestDatabase;
  /** Whether the database opened (without one, useTestDatabase skips the tests). */
  readonly opened: () => boolean;
  /** The client with `vault({ objects })`, or another with other objects options. */
  readonly prisma: (options?: ObjectsOptions) => ReturnType<typeof extend>;
  readonly keys: LocalKeyProvider;
  /** The key server; its faults and counters are reset after each test. */
  readonly server: KeyServer;
  /** The official SDK, pointed at the key server. */
  readonly workos: WorkOS;
  /** A fresh secret value, registered so no error may show it. */
  readonly secret: (label: string) => string;
}

function extend(database: TestDatabase, keys: LocalKeyProvider, options: ObjectsOptions | true) {
  return database.client().$extends(vault({ keys, models: {}, objects: options }));
}

export function useObjectsRig(target: Target): ObjectsRig {
  const { database, opened } = useTestDatabase(target);
  const master = randomBytes(32);
  registerSecrets(master);
  const keys = new LocalKeyProvider({ keys: [{ id: "k1", key: master }] });
  let prisma: ReturnType<typeof extend> | undefined;
  let server: KeyServer | undefined;
  let workos: WorkOS | undefined;
  beforeAll(async () => {
    // database() opens in useTestDatabase's beforeAll, which runs first; its tests skip without one.
    if (!opened()) return;
    prisma = extend(database(), keys, true);
    server = await startKeyServer({
      provider: keys,
      objects: prisma.$vault.objects,
      token: TEST_TOKEN,
      // Idle connections are left to the client to close, as in test/support/key-server.ts.
      keepAliveTimeoutMs: 600_000,
    });
    workos = sdkClient(server, TEST_TOKEN);
  });
  afterEach(() => {
    server?.faults.reset();
    server?.resetStats();
  });
  afterAll(() => server?.close());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the objects rig starts in beforeAll");
    return value;
  };
  return {
    database,
    opened,
    prisma: (options) => (options === undefined ? started(prisma) : extend(database(), keys, options)),
    keys,
    get server() {
      return started(server);
    },
    get workos() {
      return started(workos);
    },
    secret: (label) => {
      const value = `${label}-${randomBytes(9).toString("base64url")}`;
      registerSecrets(value);
      return value;
    },
  };
}
