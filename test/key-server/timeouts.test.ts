import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";
import { TEST_TOKEN } from "../support/key-server.js";

const HEADERS_MS = 300;
const REQUEST_MS = 600;
const KEEP_ALIVE_MS = 200;
/**
 * How soon a connection must be closed: long after the options above (and Node's extra second on an
 * idle keep-alive socket) on a loaded machine, and still short of the defaults, which would close it
 * at 10 s (headers), 30 s (request) or 6 s (keep-alive, 5 s + 1 s). Closed within it, a connection was
 * closed by the option under test, not by a default.
 */
const CLOSED_WITHIN_MS = 4_000;

/** Opens a raw connection, writes `text`, and resolves when the server closes it. */
function hangUp(server: KeyServer, text: string): Promise<{ received: string; afterMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1");
    const started = performance.now();
    let received = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => text !== "" && socket.write(text));
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve({ received, afterMs: performance.now() - started }));
    // Never hang the test itself: the server should have closed long before this.
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server left the connection open (received ${JSON.stringify(received)})`));
    }, 10_000).unref();
  });
}

/** Closed by the server, with nothing or a bare 408, never a key-server answer. */
function expectTimedOut(result: { received: string }): void {
  if (result.received !== "") expect(result.received).toMatch(/^HTTP\/1\.1 408 /);
}

describe("the key server's connection timeouts", () => {
  let server: KeyServer;
  beforeAll(async () => {
    server = await startKeyServer({
      provider: new LocalKeyProvider({ keys: [{ id: "t", key: randomBytes(32) }] }),
      headersTimeoutMs: HEADERS_MS,
      requestTimeoutMs: REQUEST_MS,
      keepAliveTimeoutMs: KEEP_ALIVE_MS,
    });
  });
  afterAll(() => server.close());

  it("closes a connection that never sends a byte (headersTimeoutMs)", async () => {
    const result = await hangUp(server, "");
    expectTimedOut(result);
    expect(result.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it("closes a connection that stops in the middle of the request line (headersTimeoutMs)", async () => {
    const result = await hangUp(server, "POST /vault/v1/ke");
    expectTimedOut(result);
    expect(result.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it("closes a connection that never finishes its headers (headersTimeoutMs)", async () => {
    const result = await hangUp(
      server,
      `POST /vault/v1/keys/data-key HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n`,
    );
    expectTimedOut(result);
    expect(result.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it("closes a connection whose body never arrives in full (requestTimeoutMs)", async () => {
    const result = await hangUp(
      server,
      "POST /vault/v1/keys/data-key HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        `Authorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"con`,
    );
    expectTimedOut(result);
    expect(result.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it("closes a connection refused for its token at once, even with its body half-sent", async () => {
    // On a server of its own whose timeouts outlast hangUp's 10 s: nothing but the 401 closes it.
    const patient = await startKeyServer({
      provider: new LocalKeyProvider({ keys: [{ id: "t", key: randomBytes(32) }] }),
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 60_000,
    });
    try {
      const result = await hangUp(
        patient,
        'POST /vault/v1/keys/data-key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"con',
      );
      expect(result.received).toMatch(/^HTTP\/1\.1 401 /);
      expect(result.received).not.toContain(" 408 ");
    } finally {
      await patient.close();
    }
  });

  it("closes an idle keep-alive connection after an answer (keepAliveTimeoutMs)", async () => {
    const body = JSON.stringify({ context: { organizationId: "org_1" } });
    const result = await hangUp(
      server,
      "POST /vault/v1/keys/data-key HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n" +
        `Authorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expect(result.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(result.afterMs).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it("a complete request is still answered", async () => {
    const response = await fetch(`${server.url}/_stats`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(response.status).toBe(200);
  });
});

describe("the timeout options", () => {
  const provider = new LocalKeyProvider({ keys: [{ id: "t", key: randomBytes(32) }] });

  it.each([
    ["headersTimeoutMs", { headersTimeoutMs: 0 }],
    ["headersTimeoutMs", { headersTimeoutMs: 1.5 }],
    ["requestTimeoutMs", { requestTimeoutMs: -1 }],
    ["keepAliveTimeoutMs", { keepAliveTimeoutMs: Number.NaN }],
    ["headersTimeoutMs", { headersTimeoutMs: 2000, requestTimeoutMs: 1000 }],
  ])("a bad %s is VAULT_CONFIG at start-up, naming the option", async (name, options) => {
    await expect(startKeyServer({ provider, ...options })).rejects.toMatchObject({
      code: "VAULT_CONFIG",
      message: expect.stringContaining(name) as unknown,
    });
  });
});
