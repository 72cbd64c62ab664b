/**
 * KeyRouter: several key providers behind one (DESIGN §6, BYOK). New data keys come from the first
 * route whose `when(context)` holds, else the default; a stored blob goes back to the one provider
 * that owns it. `decryptOnly` providers open their old blobs but never make keys: the way to retire a
 * provider while `migrate rotate` re-seals its values under keys from `createDataKey`.
 */
import type { KeyContext } from "../context/key-context.js";
import { hasPrefix } from "../format/has-prefix.js";
import { KNOWN_BLOB_FORMATS } from "../format/blob-format.js";
import { LOCAL_KEY_BLOB_MAGIC, localMasterKeyId } from "../format/local-blob.js";
import { VaultConfigError, VaultKeyProviderError, VaultKeyUnavailableError } from "../errors.js";
import type { AttemptObserver } from "./audit.js";
import { observedProvider } from "./observed-provider.js";
import type { DataKey, DecryptedDataKey, KeyProvider } from "./provider.js";
import { Member } from "./router-member.js";

/** One routing rule: contexts for which `when` returns true get their data keys from `provider`. */
export interface KeyRoute {
  /** Whether this route makes the data keys of `context`. Called for every new data key: keep it cheap. */
  readonly when: (context: KeyContext) => boolean;
  /** The provider that makes (and later opens) the data keys of the contexts `when` takes. */
  readonly provider: KeyProvider;
}

/**
 * The options of `new KeyRouter()`. The constructor throws `VaultConfigError` when they are malformed,
 * when a provider lacks a required method, or when one provider is both a maker and `decryptOnly`.
 */
export interface KeyRouterOptions {
  /** Makes the data keys of every context no route takes. */
  readonly default: KeyProvider;
  /** Tried in order; the first whose `when` is true makes the data key. */
  readonly routes: readonly KeyRoute[];
  /** Providers that only open the blobs they own (retired providers); they never make data keys. */
  readonly decryptOnly?: readonly KeyProvider[];
}

/** Calls the router passed to one provider (failed ones included). */
export interface KeyRouterCounts {
  /** `createDataKey` calls. */
  readonly createDataKey: number;
  /** `decryptDataKey` calls. */
  readonly decryptDataKey: number;
  /** `rekey` calls. */
  readonly rekey: number;
}

/** Marks every KeyRouter, whichever copy of prisma-vault made it (DESIGN.md §9: no `instanceof`). */
const ROUTER_BRAND = Symbol.for("prisma-vault.KeyRouter");

/** True when `provider` is a {@link KeyRouter} of any copy of prisma-vault. */
export function isKeyRouter(provider: unknown): provider is KeyRouter {
  return (
    typeof provider === "object" &&
    provider !== null &&
    (provider as Record<symbol, unknown>)[ROUTER_BRAND] === true
  );
}

/**
 * A key provider that routes between providers. Every provider must implement `recognizes` (and
 * should implement `owns`, as `LocalKeyProvider` does), because blobs are given back by ownership: a
 * blob no provider owns is `VAULT_KEY_UNAVAILABLE` without any provider being called, and so is one
 * that two providers claim (a configuration fault: the same keys configured twice).
 *
 * @example
 * const keys = new KeyRouter({
 *   default: new WorkOSKeyProvider({ workos }),
 *   routes: [{ when: (context) => context.organizationId === "org_acme", provider: acmeRing }],
 *   decryptOnly: [LocalKeyProvider.fromEnv()], // being moved off with `migrate rotate`
 * });
 */
export class KeyRouter implements KeyProvider {
  /** `"router"`; the providers behind it are reported under their own names. */
  readonly name = "router";
  readonly #routes: readonly { readonly when: KeyRoute["when"]; readonly member: Member }[];
  readonly #default: Member;
  /** Every distinct provider once: the default, the routes' providers, then the decrypt-only ones. */
  readonly #members: readonly Member[];

  constructor(options: KeyRouterOptions) {
    if (typeof options !== "object" || options === null) {
      throw new VaultConfigError("KeyRouter needs options: { default, routes, decryptOnly? }");
    }
    Object.defineProperty(this, ROUTER_BRAND, { value: true });
    const members = new Map<KeyProvider, Member>();
    const join = (provider: KeyProvider, where: string, decryptOnly: boolean): Member => {
      checkProvider(provider, where);
      const known = members.get(provider);
      if (known !== undefined) {
        if (known.decryptOnly !== decryptOnly) {
          throw new VaultConfigError(
            `KeyRouter: ${where} is also ${decryptOnly ? "the default or a route's provider" : "in decryptOnly"}; a decrypt-only provider never makes data keys`,
          );
        }
        return known;
      }
      const member = new Member(provider, label(provider.name, members.values()), decryptOnly);
      members.set(provider, member);
      return member;
    };
    this.#default = join(options.default, "default", false);
    if (!Array.isArray(options.routes)) {
      throw new VaultConfigError(
        "KeyRouter: routes must be an array of { when, provider } (it may be empty)",
      );
    }
    this.#routes = (options.routes as readonly unknown[]).map((route, index) => {
      const r = route as Partial<KeyRoute> | null;
      if (typeof r !== "object" || r === null || typeof r.when !== "function") {
        throw new VaultConfigError(`KeyRouter: routes[${index}] needs a when(context) function`);
      }
      return { when: r.when, member: join(r.provider as KeyProvider, `routes[${index}].provider`, false) };
    });
    const decryptOnly = options.decryptOnly ?? [];
    if (!Array.isArray(decryptOnly)) {
      throw new VaultConfigError("KeyRouter: decryptOnly must be an array of key providers");
    }
    (decryptOnly as readonly KeyProvider[]).forEach((provider, index) =>
      join(provider, `decryptOnly[${index}]`, true),
    );
    this.#members = [...members.values()];
  }

  createDataKey(context: KeyContext): Promise<DataKey> {
    return settle(() => this.#route(context).createDataKey(context));
  }

  decryptDataKey(encryptedKeys: Uint8Array): Promise<DecryptedDataKey> {
    return settle(() => this.#owner(encryptedKeys).decryptDataKey(encryptedKeys));
  }

  /** The owner's `rekey`: the same data key, re-wrapped. A decrypt-only provider's blobs are refused. */
  rekey(encryptedKeys: Uint8Array, context: KeyContext): Promise<DataKey> {
    return settle(() => this.#owner(encryptedKeys).rekey(encryptedKeys, context));
  }

  /**
   * This router with every provider observed (for `vault({ audit })`): each attempt is reported under
   * the routed provider's name (`local`, `local#2`, …); the counts of {@link stats} are shared.
   */
  observed(observer: AttemptObserver): KeyProvider {
    const bound = new Map(
      this.#members.map((m) => [m, m.with(observedProvider(m.provider, observer, m.label))]),
    );
    const to = (member: Member) => bound.get(member) as Member;
    return {
      name: this.name,
      createDataKey: (context) => settle(() => to(this.#route(context)).createDataKey(context)),
      decryptDataKey: (blob) => settle(() => to(this.#owner(blob)).decryptDataKey(blob)),
      rekey: (blob, context) => settle(() => to(this.#owner(blob)).rekey(blob, context)),
      recognizes: (blob) => this.recognizes(blob),
      owns: (blob) => this.owns(blob),
      isCurrent: (blob) => this.isCurrent(blob),
    };
  }

  /** True when some provider owns the blob. */
  recognizes(encryptedKeys: Uint8Array): boolean {
    return this.#claimants(encryptedKeys).length > 0;
  }

  /** The same as {@link recognizes}: ownership is what the router decides by. */
  owns(encryptedKeys: Uint8Array): boolean {
    return this.recognizes(encryptedKeys);
  }

  /** The owner's `isCurrent`; false when no single provider owns the blob or the owner cannot tell. */
  isCurrent(encryptedKeys: Uint8Array): boolean {
    const claimants = this.#claimants(encryptedKeys);
    return claimants.length === 1 && claimants[0]!.provider.isCurrent?.(encryptedKeys) === true;
  }

  /**
   * The calls passed to each provider, by name; a name used twice is told apart as `local#2`, ….
   *
   * @example router.stats() // { workos: { createDataKey: 12, decryptDataKey: 40, rekey: 0 }, local: { … } }
   */
  stats(): Readonly<Record<string, KeyRouterCounts>> {
    return Object.fromEntries(this.#members.map((m) => [m.label, { ...m.counts }]));
  }

  #route(context: KeyContext): Member {
    for (const [index, route] of this.#routes.entries()) {
      let taken: unknown;
      try {
        taken = route.when(context);
      } catch (error) {
        // The route's own error may quote the context; only its index goes into the message.
        throw new VaultKeyProviderError(`key router: routes[${index}].when() threw`, { cause: error });
      }
      if (typeof taken !== "boolean") {
        throw new VaultKeyProviderError(`key router: routes[${index}].when() returned a non-boolean`);
      }
      if (taken) return route.member;
    }
    return this.#default;
  }

  /** Precondition: exactly one provider owns the blob; otherwise no provider is called. */
  #owner(encryptedKeys: Uint8Array): Member {
    const claimants = this.#claimants(encryptedKeys);
    if (claimants.length === 1) return claimants[0]!;
    if (claimants.length > 1) {
      const names = claimants.map((m) => `"${m.label}"`).join(" and ");
      throw new VaultKeyUnavailableError(
        `the key blob is claimed by ${claimants.length} providers (${names}) of the key router: a configuration fault (the same keys configured twice)`,
      );
    }
    const format = KNOWN_BLOB_FORMATS.find(({ magic }) => hasPrefix(encryptedKeys, magic));
    const keyId = hasPrefix(encryptedKeys, LOCAL_KEY_BLOB_MAGIC)
      ? localMasterKeyId(encryptedKeys)
      : undefined;
    const key = keyId === undefined ? "the key that wrapped it" : `master key "${keyId}"`;
    throw new VaultKeyUnavailableError(
      `${key} is not configured: no provider of the key router owns this key blob (${format?.name ?? "of an unknown format"})`,
      keyId === undefined ? {} : { keyId },
    );
  }

  #claimants(encryptedKeys: Uint8Array): Member[] {
    return this.#members.filter((member) => member.claims(encryptedKeys));
  }
}

function checkProvider(provider: unknown, where: string): void {
  const p = provider as Partial<KeyProvider> | null;
  if (typeof p !== "object" || p === null)
    throw new VaultConfigError(`KeyRouter: ${where} is not a key provider`);
  if (typeof p.name !== "string" || p.name === "") {
    throw new VaultConfigError(`KeyRouter: ${where} needs a non-empty name`);
  }
  // Precondition: every provider says which blobs are its own, or blobs could not be routed back.
  for (const method of ["createDataKey", "decryptDataKey", "recognizes"] as const) {
    if (typeof p[method] !== "function") {
      throw new VaultConfigError(`KeyRouter: ${where} ("${p.name}") has no ${method}()`);
    }
  }
  for (const method of ["rekey", "owns", "isCurrent"] as const) {
    if (p[method] !== undefined && typeof p[method] !== "function") {
      throw new VaultConfigError(`KeyRouter: ${where} ("${p.name}"): ${method} must be a function`);
    }
  }
}

/** `name`, or `name#2`, `name#3`, … when members already use it. */
function label(name: string, members: Iterable<Member>): string {
  const taken = new Set([...members].map((m) => m.label));
  if (!taken.has(name)) return name;
  let n = 2;
  while (taken.has(`${name}#${n}`)) n++;
  return `${name}#${n}`;
}

/** Runs work so that its synchronous errors reject the promise rather than throw. */
function settle<T>(work: () => T | Promise<T>): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
