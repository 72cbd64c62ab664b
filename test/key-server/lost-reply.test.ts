/**
 * A key request's reply lost after the work was done (faults.dropNext), with the real SDK: the client
 * sees a network error and retries. SDK 11+ sends one `Idempotency-Key` on every try of a POST, so the
 * retry gets the lost answer and the provider works once. SDK 8 and 10 retry a network error on
 * `/vault/` paths too, but with no key: the retry runs again (a second data key). CI runs SDK 12 and 8.
 */
import { randomBytes } from "node:crypto";
import type { WorkOS } from "@workos-inc/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { wrapBlob } from "../../src/key-server/blobs.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import { recordingKeys, SDK_MAJOR, sdkClient, TEST_TOKEN } from "../support/key-server.js";
import { expectNoSecrets, registerSecrets } from "../support/secrets.js";
import { exchange } from "./http.js";

/** Whether the installed SDK sends an Idempotency-Key with each POST (11.0 onwards; 8 and 10 do not). */
const SENDS_KEYS = SDK_MAJOR >= 11;

const ctx = { organizationId: "org_1" };
const master = randomBytes(32);
registerSecrets(master);
const local = new LocalKeyProvider({ keys: [{ id: "k1", key: master }] });

/** What the provider handed out, base64, in order: what each execution of a key route made. */
const made = { dataKeys: [] as string[], opened: [] as string[], rekeyed: [] as string[] };
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const inner = recordingKeys(local);
const provider: KeyProvider = {
  name: "watched local",
  createDataKey: async (context) => {
    const key = await inner.createDataKey(context);
    made.dataKeys.push(base64(key.key));
    return key;
  },
  decryptDataKey: async (blob) => {
    const key = await inner.decryptDataKey(blob);
    made.opened.push(base64(key.key));
    return key;
  },
  rekey: async (blob, context) => {
    const key = await inner.rekey!(blob, context);
    // As the SDK sees it: in WorkOS's wrapping (blobs.ts).
    made.rekeyed.push(base64(wrapBlob(key.encryptedKeys)));
    return key;
  },
};

/** SDK 10+'s `vault.createRekey`, which SDK 8 lacks (and whose types it does not have). */
interface Rekeying {
  createRekey?(options: { context: Record<string, string>; encryptedKeys: string }): Promise<{
    context: Record<string, string>;
    dataKey: string;
    encryptedKeys: string;
    id: string;
  }>;
}
const createRekey = (workos: WorkOS) => {
  const vault = workos.vault as unknown as Rekeying;
  return vault.createRekey === undefined ? undefined : vault.createRekey.bind(vault);
};
const NO_REKEY = `SDK ${SDK_MAJOR} has no vault.createRekey (SDK 10 added it)`;

describe("a key request's reply lost after commit (faults.dropNext), with the real SDK", () => {
  let server: KeyServer;
  let workos: WorkOS;
  beforeAll(async () => {
    // Idle connections left to the client to close, as in the rig (test/support/key-server.ts).
    server = await startKeyServer({ provider, token: TEST_TOKEN, keepAliveTimeoutMs: 600_000 });
    workos = sdkClient(server, TEST_TOKEN);
  });
  afterEach(() => {
    server.faults.reset();
    server.resetStats();
    made.dataKeys.length = made.opened.length = made.rekeyed.length = 0;
  });
  afterAll(() => server?.close());

  it("createDataKey: the SDK's retry gets the data key the lost request made, and the provider made one (SDK 11+)", async () => {
    server.faults.dropNext(1);
    const created = await workos.vault.createDataKey({ context: ctx });
    expect(server.stats()).toMatchObject({ dataKey: 2, dropped: 1 });
    if (SENDS_KEYS) {
      expect(made.dataKeys).toEqual([created.dataKey.key]);
      expect(server.stats().replayed).toBe(1);
    } else {
      // SDK 8 and 10 retry the network error with no key: the retry runs again and makes a second data
      // key; the first, made and lost, is never used.
      expect(made.dataKeys).toHaveLength(2);
      expect(created.dataKey.key).toBe(made.dataKeys[1]);
      expect(server.stats().replayed).toBe(0);
    }
  });

  it("decryptDataKey: the SDK's retry gets the key the lost request opened, and the provider opened it once (SDK 11+)", async () => {
    const created = await workos.vault.createDataKey({ context: ctx });
    server.faults.dropNext(1);
    const opened = await workos.vault.decryptDataKey({ keys: created.encryptedKeys });
    expect(opened.key).toBe(created.dataKey.key);
    // Without a key (SDK 8, 10) the retry opens the blob again: the same key, asked for twice.
    expect(made.opened).toEqual(SENDS_KEYS ? [opened.key] : [opened.key, opened.key]);
    expect(server.stats()).toMatchObject({ decrypt: 2, dropped: 1, replayed: SENDS_KEYS ? 1 : 0 });
  });

  it("createRekey: the SDK's retry gets the blob the lost request made, and the provider rekeyed once (SDK 11+)", async (context) => {
    const rekey = createRekey(workos);
    context.skip(rekey === undefined, NO_REKEY);
    const created = await workos.vault.createDataKey({ context: ctx });
    server.faults.dropNext(1);
    const moved = { organizationId: "org_2" };
    const rekeyed = await rekey!({ context: moved, encryptedKeys: created.encryptedKeys });
    expect(rekeyed.dataKey).toBe(created.dataKey.key);
    if (SENDS_KEYS) expect(made.rekeyed).toEqual([rekeyed.encryptedKeys]);
    else expect(made.rekeyed[1]).toBe(rekeyed.encryptedKeys);
    expect(made.rekeyed).toHaveLength(SENDS_KEYS ? 1 : 2);
  });

  it("SDK 10+'s createRekey works against the key server: the same data key under the new context, in a blob that opens", async (context) => {
    const rekey = createRekey(workos);
    context.skip(rekey === undefined, NO_REKEY);
    const created = await workos.vault.createDataKey({ context: ctx });
    const moved = { organizationId: "org_2" };
    const rekeyed = await rekey!({ context: moved, encryptedKeys: created.encryptedKeys });
    expect(rekeyed).toEqual({
      context: moved,
      dataKey: created.dataKey.key,
      encryptedKeys: expect.any(String) as string,
      id: created.dataKey.id,
    });
    expect(rekeyed.encryptedKeys).not.toBe(created.encryptedKeys);
    expect((await workos.vault.decryptDataKey({ keys: rekeyed.encryptedKeys })).key).toBe(
      created.dataKey.key,
    );
    const refused = await rekey!({ context: {}, encryptedKeys: created.encryptedKeys }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ status: 422 });
    expectNoSecrets(refused);
  });

  it("with plain fetch: a dropped request's retry with its Idempotency-Key is answered from the store, not run again", async () => {
    const body = JSON.stringify({ context: ctx });
    const headers = { "Idempotency-Key": "retry-plain-fetch" };
    server.faults.dropNext(1);
    await expect(
      exchange(server, "POST", "/vault/v1/keys/data-key", { body, headers }),
    ).rejects.toBeInstanceOf(TypeError);
    const retried = await exchange(server, "POST", "/vault/v1/keys/data-key", { body, headers });
    expect(retried.status).toBe(200);
    expect(made.dataKeys).toEqual([retried.json["data_key"]]);
    expect(server.stats()).toMatchObject({ dataKey: 2, dropped: 1, replayed: 1 });
  });
});
