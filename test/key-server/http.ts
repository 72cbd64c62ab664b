/** Plain HTTP calls to a key server, as any client would make them (node's fetch, no SDK). */
import type { KeyServer } from "../../src/key-server/server.js";
import { TEST_TOKEN } from "../support/key-server.js";

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** `POST path` with a JSON body and, unless `token` is null, `Authorization: Bearer token`. */
export function post(server: KeyServer, path: string, body: string, token: string | null = TEST_TOKEN) {
  return call(server, "POST", path, body, token);
}

/** `GET path`, authorized like {@link post}. */
export function get(server: KeyServer, path: string, token: string | null = TEST_TOKEN) {
  return call(server, "GET", path, undefined, token);
}

/** Any request with extra headers (e.g. `Idempotency-Key`), authorized like {@link post}. */
export function exchange(
  server: KeyServer,
  method: string,
  path: string,
  options: { body?: string; token?: string | null; headers?: Record<string, string> } = {},
) {
  return call(
    server,
    method,
    path,
    options.body,
    options.token === undefined ? TEST_TOKEN : options.token,
    options.headers,
  );
}

async function call(
  server: KeyServer,
  method: string,
  path: string,
  body: string | undefined,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { "Content-Type": "application/json" }),
      ...(token !== null && { Authorization: `Bearer ${token}` }),
      ...headers,
    },
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    // A 204 has no body.
    json: (text === "" ? {} : JSON.parse(text)) as Answer["json"],
  };
}
