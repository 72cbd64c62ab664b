/**
 * The key server's HTTP edge: the bearer-token check, reading a JSON body, sending an answer.
 * Handlers return a {@link Reply}, a plain value; only {@link send} writes to the socket.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isTransientFailure } from "../transient-failure.js";

/** An answer: HTTP status, JSON body, extra headers. */
export interface Reply {
  readonly status: number;
  readonly json: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One entry of a 422's `errors`, in WorkOS's shape. */
export interface FieldError {
  readonly field: string;
  readonly code: "invalid" | "unknown";
  readonly message: string;
}

/**
 * Whether an `Authorization` header carries the token. With no token set, any `sk_…` token passes,
 * as WorkOS's SDK only sends those.
 *
 * @example authorized(request.headers.authorization, "sk_test") // "Bearer sk_test" -> true
 */
export function authorized(header: string | undefined, token: string | undefined): boolean {
  const presented = bearerToken(header);
  if (presented === undefined) return false;
  if (token === undefined || token === "") return presented.startsWith("sk_") && presented.length > 3;
  // Constant time whatever the lengths: compare digests.
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * The token an `Authorization` header presents, if it is a bearer token.
 *
 * @example bearerToken("Bearer sk_test") // "sk_test"
 */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(header ?? "")?.[1];
}

/** A request's body as a JSON object, or the answer that refuses it. */
export type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply };

/**
 * Reads a request's body, up to 1 MiB, as a JSON object.
 *
 * @example
 * const body = await readJson(request);
 * if (!body.ok) return send(response, body.reply); // 413, 400 or 422
 */
export async function readJson(request: IncomingMessage): Promise<JsonBody> {
  const bytes = await readBytes(request);
  return bytes.ok ? parseJson(bytes.value) : bytes;
}

/**
 * Reads a request's body, up to 1 MiB, as bytes: what an idempotency key's fingerprint is taken
 * over, before {@link parseJson} reads them.
 *
 * @example
 * const bytes = await readBytes(request);
 * if (!bytes.ok) return send(response, bytes.reply); // 413
 */
export async function readBytes(
  request: IncomingMessage,
): Promise<{ ok: true; value: Buffer } | { ok: false; reply: Reply }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return refused(413, "payload_too_large", "Body too large");
    chunks.push(chunk);
  }
  return { ok: true, value: Buffer.concat(chunks) };
}

/**
 * A body's bytes as a JSON object, or the answer that refuses them (400 not JSON, 422 not an object).
 *
 * @example parseJson(Buffer.from('{"context":{"org":"o1"}}')) // { ok: true, value: { context: … } }
 */
export function parseJson(bytes: Uint8Array): JsonBody {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return refused(400, "invalid_json", "The body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refused(422, "invalid_request_parameters", "The body must be a JSON object");
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Sends `reply` as JSON, with a fresh `X-Request-ID` as WorkOS's API sends.
 *
 * @example send(response, { status: 404, json: { message: "Not found", code: "not_found" } })
 */
export function send(response: ServerResponse, reply: Reply): void {
  // A connection the timeouts closed has no one left to answer.
  if (response.headersSent || response.destroyed) return;
  if (reply.status === 204) {
    response.writeHead(204, { ...reply.headers, "X-Request-ID": randomUUID() });
    response.end();
    return;
  }
  const text = JSON.stringify(reply.json);
  response.writeHead(reply.status, {
    ...reply.headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "X-Request-ID": randomUUID(),
  });
  response.end(text);
}

/**
 * A 422 naming the fields at fault, in WorkOS's shape.
 *
 * @example validationFailed([{ field: "fail", code: "invalid", message: "fail must be …" }])
 */
export function validationFailed(errors: readonly FieldError[]): Reply {
  return { status: 422, json: { message: "Validation failed", code: "invalid_request_parameters", errors } };
}

/**
 * A 422 for one invalid field.
 *
 * @example unprocessable("keys", "a non-empty base64 string is required")
 */
export function unprocessable(field: string, message: string): Reply {
  return validationFailed([{ field, code: "invalid", message }]);
}

/**
 * The answer for a key provider's failure (`VAULT_KEY_PROVIDER`), in statuses that mean what a retrying
 * client (WorkOS's SDK 10+ retries 5xx) will do with them: 503 with `Retry-After: 1` when trying again
 * may pass (the provider timed out, was not reached, or was rate-limited), 500 when it will not (it
 * broke its contract or failed otherwise).
 */
export function keyProviderFailed(error: unknown): Reply {
  if (isTransientFailure(error)) {
    return {
      status: 503,
      json: { message: "The key provider is unavailable", code: "key_provider_unavailable" },
      headers: { "Retry-After": "1" },
    };
  }
  return { status: 500, json: { message: "Key provider failed", code: "provider_error" } };
}

const MAX_BODY_BYTES = 1024 * 1024;

function refused(status: number, code: string, message: string): { ok: false; reply: Reply } {
  return { ok: false, reply: { status, json: { message, code } } };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
