/** Which JavaScript runtime this is, when it is not Node.js: the native addon runs on Node.js only. */

/** The runtime's name when it is not Node.js (Bun, Deno and workerd also answer `process.versions.node`). */
export function otherRuntime(): string | undefined {
  const versions = (globalThis.process?.versions ?? {}) as Record<string, string | undefined>;
  if (versions["bun"] !== undefined) return `Bun ${versions["bun"]}`;
  if (versions["deno"] !== undefined || "Deno" in globalThis) return "Deno";
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return "Cloudflare Workers";
  if (versions["node"] === undefined || typeof globalThis.process.getBuiltinModule !== "function") {
    return "a runtime without Node.js's process";
  }
  return undefined;
}
