/**
 * Pure: a request that got no answer, as a message names it: the service's host and port and the
 * system's error code, `127.0.0.1:8787 not reached (ECONNREFUSED)`. A wrong port, a host that does not
 * resolve and a server that is down then read differently, and say where to look. Only the host and
 * port are shown, never a path, query string or credentials of the service's address.
 */

/** How deep a cause chain is searched: the SDK wraps fetch's `TypeError`, which wraps the system error. */
const MAX_DEPTH = 6;

/** A system error code (`ECONNREFUSED`, `ENOTFOUND`, `EAI_AGAIN`, …) or undici's (`UND_ERR_…`). */
const SYSTEM_CODE = /^(E[A-Z0-9_]+|UND_ERR_[A-Z_]+)$/;

/**
 * `host:port not reached (CODE)` for `error`, a request to the service at `baseURL` that reached no
 * server; `undefined` when it did (an HTTP status) or nothing in its cause chain says it did not. The
 * host and port come from `baseURL` (the SDK's `workos.baseURL`) or else from the system error.
 *
 * @example unreached("http://127.0.0.1:8787", sdkError) // "127.0.0.1:8787 not reached (ECONNREFUSED)"
 */
export function unreached(baseURL: unknown, error: unknown): string | undefined {
  if (typeof (error as { status?: unknown } | null)?.status === "number") return undefined;
  const chain = causes(error);
  const system = chain.find((e) => typeof e.code === "string" && SYSTEM_CODE.test(e.code));
  // fetch's own failure, TypeError("fetch failed", { cause }), even without a system code below it.
  const fetchFailed = chain.some((e) => e instanceof TypeError && e.cause !== undefined);
  if (system === undefined && !fetchFailed) return undefined;
  const where = serviceAddress(baseURL) ?? systemAddress(system);
  const code = system === undefined ? "" : ` (${system.code as string})`;
  return where === undefined ? `the service was not reached${code}` : `${where} not reached${code}`;
}

interface Cause {
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly address?: unknown;
  readonly hostname?: unknown;
  readonly port?: unknown;
}

/** `error` and its causes, first to last; an `AggregateError` (one per address tried) by its first. */
function causes(error: unknown): Cause[] {
  const chain: Cause[] = [];
  let current = error;
  while (typeof current === "object" && current !== null && chain.length < MAX_DEPTH) {
    const cause = current as Cause;
    chain.push(cause);
    const errors = (current as { errors?: unknown }).errors;
    if (cause.code === undefined && Array.isArray(errors) && errors.length > 0)
      chain.push(errors[0] as Cause);
    if (cause.cause === current) break;
    current = cause.cause;
  }
  return chain;
}

/** `host:port` of a service address such as `https://api.workos.com` (the scheme's port when none). */
function serviceAddress(baseURL: unknown): string | undefined {
  if (typeof baseURL !== "string") return undefined;
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return undefined;
  }
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  return url.hostname === "" ? undefined : `${url.hostname}:${port}`;
}

/** `address:port` (or the host that did not resolve) as the system error names it. */
function systemAddress(system: Cause | undefined): string | undefined {
  const host = system?.address ?? system?.hostname;
  if (typeof host !== "string") return undefined;
  return typeof system?.port === "number" ? `${host}:${system.port}` : host;
}
