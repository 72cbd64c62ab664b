import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../../src/keys/local.js";
import { startKeyServer, type KeyServer } from "../../src/key-server/server.js";

describe("the key server's key contexts", () => {
  let server: KeyServer;
  beforeAll(async () => {
    server = await startKeyServer({
      provider: new LocalKeyProvider({ keys: [{ id: "k", key: randomBytes(32) }] }),
      token: "sk_test_context",
    });
  });
  afterAll(() => server.close());

  it("answers 422 to a context with a __proto__ key, instead of a key for the context without it", async () => {
    const answers = [];
    for (const body of [
      '{"context":{"__proto__":"tenant_1","app":"crm"}}',
      '{"context":{"__proto__":"tenant_2","app":"crm"}}',
    ]) {
      const response = await fetch(`${server.url}/vault/v1/keys/data-key`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer sk_test_context" },
        body,
      });
      answers.push({ status: response.status, text: await response.text() });
    }
    for (const answer of answers) {
      expect(answer.status).toBe(422);
      expect(answer.text).not.toContain("data_key");
    }
  });
});
