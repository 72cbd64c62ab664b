import { describe, expect, it } from "vitest";
import { expectNoSecrets, registerSecrets } from "./secrets.js";

describe("expectNoSecrets, the shared assertion", () => {
  registerSecrets("hunter2-secret", new Uint8Array(32).fill(9));
  const key = Buffer.from(new Uint8Array(32).fill(9)).toString("base64");

  it("finds a secret in the message, a property at any depth, or the cause chain", () => {
    expect(() => expectNoSecrets(new Error("oops hunter2-secret"))).toThrow(/shows a secret/);
    const deep = Object.assign(new Error("fine"), { meta: { a: { b: { c: ["hunter2-secret"] } } } });
    expect(() => expectNoSecrets(deep)).toThrow(/shows a secret/);
    const caused = new Error("outer", { cause: new Error("inner", { cause: { detail: key } }) });
    expect(() => expectNoSecrets(caused)).toThrow(/shows a secret/);
  });

  it("passes errors without secrets, and Prisma's code frame quoting the caller's own source", () => {
    expect(() => expectNoSecrets(new Error("User.ssn (id 1): decryption failed"))).not.toThrow();
    const framed = new Error('Invalid call\n  100   await create({ ssn: "hunter2-secret" });\n→ 101   x');
    expect(() => expectNoSecrets(framed)).not.toThrow();
  });
});
