/**
 * A provider observed for the audit hook: each attempt it makes reported to an {@link AttemptObserver}.
 */
import type { KeyContext } from "../context/key-context.js";
import { blobContext, outcomeOf, type Attempt, type AttemptObserver } from "./audit.js";
import type { KeyProvider } from "./provider.js";

/**
 * `provider`, reporting each attempt to `observer` under `name` (default its own): the provider's own
 * `observed` where it has one (it knows its attempts: retries, routing), else one attempt per call.
 */
export function observedProvider(
  provider: KeyProvider,
  observer: AttemptObserver,
  name = provider.name,
): KeyProvider {
  if (typeof provider.observed === "function") return provider.observed(observer, name);
  const report = <T>(type: Attempt["type"], context: KeyContext | undefined, run: () => Promise<T>) =>
    new Promise<T>((resolve) => resolve(run())).then(
      (result) => {
        observer.attempt({ type, provider: name, ...(context && { context }), outcome: "ok" });
        return result;
      },
      (error: unknown) => {
        observer.attempt({ type, provider: name, ...(context && { context }), outcome: outcomeOf(error) });
        throw error;
      },
    );
  return {
    name: provider.name,
    createDataKey: (context) => report("createDataKey", context, () => provider.createDataKey(context)),
    decryptDataKey: (blob) =>
      report("decryptDataKey", blobContext(blob), () => provider.decryptDataKey(blob)),
    ...(provider.rekey && {
      rekey: (blob: Uint8Array, context: KeyContext) =>
        report("rekey", context, () => provider.rekey!(blob, context)),
    }),
    ...(provider.recognizes && { recognizes: (blob: Uint8Array) => provider.recognizes!(blob) }),
    ...(provider.owns && { owns: (blob: Uint8Array) => provider.owns!(blob) }),
    ...(provider.isCurrent && { isCurrent: (blob: Uint8Array) => provider.isCurrent!(blob) }),
  };
}
