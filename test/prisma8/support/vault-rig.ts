/**
 * The middleware under test on the fixture contract: keys (a local ring, its calls counted), the
 * `models` map the tests share, and a client of the app with `vaultMiddleware` between the middleware
 * a test puts before and after it (none by default: it is then the only one).
 */
import { randomBytes } from "node:crypto";
import { LocalKeyProvider } from "../../../src/keys/local.js";
import type { KeyProvider } from "../../../src/keys/provider.js";
import type { ModelsOption } from "../../../src/schema/options.js";
import { vaultMiddleware, type VaultMiddlewareOptions } from "../../../src/prisma8.js";
import { countingProvider, type CountingProvider } from "../../support/counting-provider.js";
import { registerSecrets } from "../../support/secrets.js";
import type { Prisma8App, Prisma8Db, Prisma8Middleware } from "./prisma8-app.js";

/** The encrypted fields of the fixture: User's email (indexed) and ssn, Post's body; tenant: organizationId. */
export const MODELS: ModelsOption = {
  User: {
    context: ["organizationId"],
    fields: { email: { index: "emailIndex", normalize: "email" }, ssn: {} },
  },
  Post: { context: ["organizationId"], fields: { body: {} } },
};

/** One client with the middleware, and what a test checks it with. */
export interface VaultRig {
  readonly db: Prisma8Db;
  readonly keys: CountingProvider;
  readonly middleware: ReturnType<typeof vaultMiddleware>;
  readonly local: LocalKeyProvider;
  readonly indexSecret: Uint8Array;
  /** The master key of the app's ring, for `registerSecrets`: no error may show it. */
  readonly masterKey: Uint8Array;
}

/** The key material of one app. */
interface Material {
  readonly local: LocalKeyProvider;
  readonly indexSecret: Uint8Array;
  readonly masterKey: Uint8Array;
}

/** The key ring and index secret of each app: every rig on one database shares them, as an application's clients do. */
const material = new WeakMap<Prisma8App, Material>();

/**
 * The key ring and index secret every rig on `app` uses (made on first use), for a client of the same
 * database that is not a rig (e.g. Prisma 7 with `vault()`, support/prisma7-on-prisma8.ts).
 */
export function materialOf(app: Prisma8App): Material {
  let found = material.get(app);
  if (found === undefined) {
    const masterKey = randomBytes(32);
    // The ring keeps its own copy, so the rig's stays readable for registerSecrets.
    const local = new LocalKeyProvider({ keys: [{ id: "k1", key: Uint8Array.from(masterKey) }] });
    found = { local, indexSecret: randomBytes(32), masterKey };
    material.set(app, found);
  }
  return found;
}

/**
 * A client of `app` with `vaultMiddleware` (after `before`, before `after`), on the app's keys unless
 * `options` gives others; its own cache, so a rig starts cold and counts its own key calls.
 */
export function vaultRig(
  app: Prisma8App,
  options: Partial<VaultMiddlewareOptions> & {
    readonly before?: readonly Prisma8Middleware[];
    readonly after?: readonly Prisma8Middleware[];
  } = {},
): VaultRig {
  const { local, indexSecret: shared, masterKey } = materialOf(app);
  const keys = countingProvider(declaringDataKeys(options.keys ?? local));
  const indexSecret = (options.indexSecret as Uint8Array | undefined) ?? shared;
  const { before = [], after = [], ...rest } = options;
  const middleware = vaultMiddleware({
    models: MODELS,
    contract: app.contractJson,
    aead: "node",
    ...rest,
    keys,
    indexSecret,
  });
  const db = app.client([...before, middleware, ...after]);
  return { db, keys, middleware, local, indexSecret, masterKey };
}

/** `provider` with each data key it gives declared secret (registerSecrets): no error may show one. */
function declaringDataKeys(provider: KeyProvider): KeyProvider {
  const declared = <K extends { readonly key: Uint8Array }>(dataKey: K): K => {
    registerSecrets(dataKey.key);
    return dataKey;
  };
  return {
    name: provider.name,
    createDataKey: (context) => provider.createDataKey(context).then(declared),
    decryptDataKey: (blob) => provider.decryptDataKey(blob).then(declared),
    ...(provider.rekey && { rekey: (blob, context) => provider.rekey!(blob, context).then(declared) }),
    ...(provider.recognizes && { recognizes: (blob) => provider.recognizes!(blob) }),
  };
}
