/** Test rig: our key server on 127.0.0.1, the real @workos-inc/node SDK pointed at it. */
import { afterAll, afterEach, beforeAll } from "vitest";
import { randomBytes } from "node:crypto";
import { WorkOS } from "@workos-inc/node";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { WorkOSKeyProvider } from "../../src/keys/workos.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { registerSecrets } from "./secrets.js";

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
  const master = randomBytes(32);
  registerSecrets(master);
  const local = new LocalKeyProvider({ keys: [{ id: "test", key: master }] });
  const server = await startKeyServer({
    provider: recordingKeys(local),
    // Suites drive faults over HTTP as well as in process.
    faults: true,
    // Idle connections are left to the client to close. Closed by the server (after 5 s by default),
    // one could be closed just as the client sent a request on it, which then failed with ECONNRESET:
    // a test that kept the event loop busy longer than that (seeding 10,000 rows) failed so under load.
    keepAliveTimeoutMs: 600_000,
    ...(options.token !== undefined && { token: options.token }),
  });
  const workos = sdkClient(server, options.token ?? TEST_TOKEN);
  return { server, workos, local, provider: new WorkOSKeyProvider({ workos }), close: () => server.close() };
}

/** `provider`, with every data key it hands out registered as a secret no error may show. */
export function recordingKeys(provider: KeyProvider): KeyProvider {
  const seen = <T extends { key: Uint8Array }>(result: T): T => {
    registerSecrets(result.key);
    return result;
  };
  return {
    name: provider.name,
    createDataKey: (context) => provider.createDataKey(context).then(seen),
    decryptDataKey: (blob) => provider.decryptDataKey(blob).then(seen),
    ...(provider.rekey && { rekey: (blob, context) => provider.rekey!(blob, context).then(seen) }),
    ...(provider.recognizes && { recognizes: (blob) => provider.recognizes!(blob) }),
  };
}

/**
 * The major version of the installed `@workos-inc/node` (CI runs the SDK-facing suites on the latest and
 * on the oldest supported): SDK 10+ retries by itself unless told not to, earlier ones retry 408 and 5xx
 * of `/vault/` paths and nothing else.
 */
export const SDK_MAJOR = Number.parseInt(new WorkOS("sk_test_version").version, 10);

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
