/**
 * The AES-256-GCM backend `vault({ aead })` chooses: `node:crypto`'s, or the native addon's when it
 * loads and passes its self-test. The addon is loaded once per process.
 */
import { VaultConfigError } from "../errors.js";
import type { AeadBackend, AeadChoice } from "./aead.js";
import { selfTest } from "./aead-self-test.js";
import { nativeAead, type NativeBinding } from "./native-aead.js";
import { nodeAead } from "./node-aead.js";
import { otherRuntime } from "./other-runtime.js";

/**
 * The backend for `vault({ aead })`: `"node"` never loads the addon, `"auto"` uses it when it loads,
 * `"native"` throws a `VaultConfigError` saying how to install it when it does not. The addon is loaded
 * once per process; `load` (for tests) stands for requiring `prisma-vault-native`, and is not memoized.
 *
 * @example const aead = resolveAead("native"); // aead.name === "native"
 */
export function resolveAead(choice: AeadChoice, load?: () => unknown): AeadBackend {
  if (choice === "node") return nodeAead;
  const native = load === undefined ? (loaded ??= loadNative(requireNative)) : loadNative(load);
  if ("backend" in native) return native.backend;
  if (choice === "auto") return nodeAead;
  const other = otherRuntime();
  if (other !== undefined) {
    throw new VaultConfigError(
      `options.aead is "native" but prisma-vault-native runs on Node.js only, and this is ${other}: ` +
        'use aead "auto" (the default) or "node", which use the runtime\'s node:crypto',
      { cause: native.error },
    );
  }
  throw new VaultConfigError(
    'options.aead is "native" but the prisma-vault-native package does not load: install it with ' +
      "`npm install prisma-vault-native` (it carries a linux-x64 glibc prebuild); on other platforms build it " +
      'with "npm run build" inside node_modules/prisma-vault-native (a C compiler and Python for node-gyp)',
    { cause: native.error },
  );
}

let loaded: { backend: AeadBackend } | { error: unknown } | undefined;

function requireNative(): unknown {
  const other = otherRuntime();
  // The addon calls the OpenSSL inside Node's binary: elsewhere it could load and then end the process
  // at its first call (Bun: "undefined symbol: EVP_CIPHER_fetch"), so it is not loaded at all.
  if (other !== undefined) throw new Error(`prisma-vault-native runs on Node.js only, not on ${other}`);
  // node:module is looked up here, not imported: the root entry imports no Node built-in but node:crypto.
  const { createRequire } = process.getBuiltinModule("node:module");
  // Resolved from this package's own location, as its dependency (tsup shims import.meta.url in CJS).
  return createRequire(import.meta.url)("prisma-vault-native");
}

function loadNative(load: () => unknown): { backend: AeadBackend } | { error: unknown } {
  try {
    const backend = nativeAead(load() as NativeBinding);
    selfTest(backend);
    return { backend };
  } catch (error) {
    return { error };
  }
}
