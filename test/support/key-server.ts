/** Test rig: our key server on 127.0.0.1, the real @workos-inc/node SDK pointed at it. */
import { afterAll, afterEach, beforeAll } from "vitest";
import { randomBytes } from "node:crypto";
import { WorkOS } from "@workos-inc/node";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { WorkOSKeyProvider } from "../../src/keys/workos.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";

export interface KeyServerRig {
  readonly server: KeyServer;
  readonly workos: WorkOS;
  readonly provider: WorkOSKeyProvider;
  readonly local: LocalKeyProvider;
  close(): Promise<void>;
}

export const TEST_TOKEN = "sk_test_prisma_vault";

/** A key server with a fresh random master key, and an SDK client for it. */
export async function startRig(options: { token?: string } = {}): Promise<KeyServerRig> {
  const local = new LocalKeyProvider({ keys: [{ id: "test", key: randomBytes(32) }] });
  const server = await startKeyServer({
    provider: local,
    ...(options.token !== undefined && { token: options.token }),
  });
  const workos = sdkClient(server, options.token ?? TEST_TOKEN);
  return { server, workos, local, provider: new WorkOSKeyProvider({ workos }), close: () => server.close() };
}

export function sdkClient(server: KeyServer, apiKey: string): WorkOS {
  return new WorkOS(apiKey, { apiHostname: "127.0.0.1", port: server.port, https: false });
}

/**
 * Starts one rig for the enclosing `describe`, resets its faults and counters after each test and
 * closes it at the end.
 */
export function useKeyServerRig(): KeyServerRig {
  let current: KeyServerRig | undefined;
  beforeAll(async () => {
    current = await startRig();
  });
  afterEach(() => {
    current?.server.faults.reset();
    current?.server.resetStats();
  });
  afterAll(() => current?.close());
  const rig = (): KeyServerRig => {
    if (current === undefined) throw new Error("the key server rig starts in beforeAll");
    return current;
  };
  return {
    get server() {
      return rig().server;
    },
    get workos() {
      return rig().workos;
    },
    get provider() {
      return rig().provider;
    },
    get local() {
      return rig().local;
    },
    close: () => rig().close(),
  };
}
