/**
 * WorkOS Vault's object API over HTTP, backed by `prisma.$vault.objects`: the paths, JSON field names,
 * statuses and error bodies of WorkOS's API, so `workos.vault.createObject()` and the rest of the
 * SDK's object methods run against the user's own database. A request is a plain value in, a
 * {@link Reply} out; server.ts does the socket.
 *
 *   POST   /vault/v1/kv                { name, value, key_context }  -> metadata
 *   GET    /vault/v1/kv                ?limit&before&after&order     -> { object: "list", data, list_metadata }
 *                                      &search&updated_after
 *   GET    /vault/v1/kv/name/{name}                                  -> object with value
 *   GET    /vault/v1/kv/{id}                                         -> object with value
 *   GET    /vault/v1/kv/{id}/metadata                                -> object without value
 *   GET    /vault/v1/kv/{id}/versions                                -> { data: [version], list_metadata }
 *   PUT    /vault/v1/kv/{id}           { value, version_check? }     -> object without value
 *   DELETE /vault/v1/kv/{id}           ?version_check                -> 204
 *
 * Errors: 400 a required field missing (and a stored value that does not open, which no retry mends),
 * 404 no such live object, 409 a taken name or a stale `version_check`, 422 an invalid field (a path
 * segment that is not valid percent-encoding included), 503 or 500 the key provider failing (503 when
 * trying again may pass: keyProviderFailed).
 */
import { withPlace } from "../error-messages.js";
import { isVaultError, VaultDecryptError, VaultInvalidArgumentError, type VaultError } from "../errors.js";
import type { ObjectMetadata, VaultObject } from "../objects/shapes.js";
import type { VaultObjects } from "../objects/vault-objects.js";
import { keyProviderFailed, unprocessable, type Reply } from "./http.js";

const BASE = "/vault/v1/kv";

/** A request to the object API: what server.ts read off the wire. */
export interface ObjectRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The JSON body, read only by the routes that take one. */
  readonly body: () => Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply }>;
}

/** Whether `path` belongs to the object API (then {@link serveObjects} answers it, 404 included). */
export function isObjectPath(path: string): boolean {
  return path === BASE || path.startsWith(`${BASE}/`);
}

/**
 * The answer to an object request; `objects` undefined (the server started without them) answers a
 * 404 that names the option.
 *
 * @example await serveObjects({ method: "GET", path: "/vault/v1/kv", query, body }, prisma.$vault.objects)
 */
export async function serveObjects(
  request: ObjectRequest,
  objects: VaultObjects | undefined,
): Promise<Reply> {
  if (objects === undefined) return NOT_CONFIGURED;
  const route = routeOf(request.method, request.path);
  if (route === undefined) return { status: 404, json: { message: "Not found", code: "not_found" } };
  try {
    return await route(request, objects);
  } catch (error) {
    return failure(error);
  }
}

type Route = (request: ObjectRequest, objects: VaultObjects) => Promise<Reply>;

/** The route of `path`, its segments still percent-encoded: each route decodes its own argument. */
function routeOf(method: string, path: string): Route | undefined {
  if (path === BASE) return method === "POST" ? create : method === "GET" ? list : undefined;
  const [first, second, extra] = path.slice(BASE.length + 1).split("/");
  if (first === undefined || first === "" || extra !== undefined) return undefined;
  if (first === "name" && second !== undefined) return method === "GET" ? byName(second) : undefined;
  if (second === undefined) {
    if (method === "GET") return read(first);
    if (method === "PUT") return update(first);
    if (method === "DELETE") return remove(first);
    return undefined;
  }
  if (second === "metadata" && method === "GET") return describe(first);
  if (second === "versions" && method === "GET") return versions(first);
  return undefined;
}

const create: Route = async (request, objects) => {
  const body = await request.body();
  if (!body.ok) return body.reply;
  const missing = required(body.value, ["name", "value", "key_context"]);
  if (missing) return missing;
  const { name, value, key_context: context } = body.value;
  const metadata = await objects.createObject({ name, value, context } as never);
  return { status: 201, json: metadataJson(metadata) };
};

const list: Route = async (request, objects) => {
  const { query } = request;
  const limit = query.get("limit");
  // SDK 12 sends `updated_after` with the first page, and then, from autoPagination(), its option as it
  // was given (`updatedAfter`): without the second name its later pages would drop the filter.
  const updatedAfter = query.get("updated_after") ?? query.get("updatedAfter");
  const options = {
    ...(limit !== null && { limit: /^\d{1,4}$/.test(limit) ? Number(limit) : Number.NaN }),
    ...(query.has("before") && { before: query.get("before") }),
    ...(query.has("after") && { after: query.get("after") }),
    ...(query.has("order") && { order: query.get("order") }),
    ...(query.has("search") && { search: query.get("search") }),
    ...(updatedAfter !== null && { updatedAfter }),
  };
  const page = await objects.listObjects(options as never);
  return {
    status: 200,
    json: {
      object: "list",
      data: page.data.map((digest) => ({
        id: digest.id,
        name: digest.name,
        updated_at: digest.updatedAt.toISOString(),
      })),
      list_metadata: {
        ...(page.listMetadata.before !== undefined && { before: page.listMetadata.before }),
        ...(page.listMetadata.after !== undefined && { after: page.listMetadata.after }),
      },
    },
  };
};

const byName =
  (segment: string): Route =>
  async (_request, objects) => {
    const name = decodeSegment(segment, "name");
    return { status: 200, json: objectJson(await objects.readObjectByName(name)) };
  };

const read =
  (segment: string): Route =>
  async (_request, objects) => {
    const id = decodeSegment(segment, "id");
    return { status: 200, json: objectJson(await objects.readObject({ id })) };
  };

const describe =
  (segment: string): Route =>
  async (_request, objects) => {
    const id = decodeSegment(segment, "id");
    return { status: 200, json: objectJson(await objects.describeObject({ id })) };
  };

const versions =
  (segment: string): Route =>
  async (_request, objects) => {
    const all = await objects.listObjectVersions({ id: decodeSegment(segment, "id") });
    const data = all.map((version) => ({
      id: version.id,
      created_at: version.createdAt.toISOString(),
      current_version: version.currentVersion,
      etag: version.etag,
      size: version.size,
    }));
    // Every version in one page; SDK 10+ reads list_metadata (and fails without it).
    return { status: 200, json: { data, list_metadata: { before: null, after: null } } };
  };

const update =
  (segment: string): Route =>
  async (request, objects) => {
    const id = decodeSegment(segment, "id");
    const body = await request.body();
    if (!body.ok) return body.reply;
    const missing = required(body.value, ["value"]);
    if (missing) return missing;
    const check = body.value["version_check"];
    const options = { id, value: body.value["value"], ...(check != null && { versionCheck: check }) };
    return { status: 200, json: objectJson(await objects.updateObject(options as never)) };
  };

const remove =
  (segment: string): Route =>
  async (request, objects) => {
    const id = decodeSegment(segment, "id");
    const check = request.query.get("version_check");
    await objects.deleteObject({ id, ...(check !== null && { versionCheck: check }) });
    return { status: 204, json: undefined };
  };

function metadataJson(metadata: ObjectMetadata): Record<string, unknown> {
  return {
    context: metadata.context,
    environment_id: metadata.environmentId,
    id: metadata.id,
    key_id: metadata.keyId,
    updated_at: metadata.updatedAt.toISOString(),
    updated_by: metadata.updatedBy,
    version_id: metadata.versionId,
  };
}

function objectJson(object: VaultObject): Record<string, unknown> {
  return {
    id: object.id,
    name: object.name,
    ...(object.value !== undefined && { value: object.value }),
    metadata: metadataJson(object.metadata),
  };
}

/** 400 for the first of `fields` the body lacks, as WorkOS answers a missing field. */
function required(body: Readonly<Record<string, unknown>>, fields: readonly string[]): Reply | undefined {
  const missing = fields.find((field) => body[field] === undefined || body[field] === null);
  if (missing === undefined) return undefined;
  return { status: 400, json: { message: `${missing} is required`, code: "invalid_request" } };
}

/** A failure's answer. Messages are prisma-vault's own, which never hold a value, key or envelope. */
function failure(error: unknown): Reply {
  if (!isVaultError(error))
    return { status: 500, json: { message: "Internal error", code: "internal_error" } };
  const message = error.message;
  switch (error.code) {
    case "VAULT_NOT_FOUND":
      return { status: 404, json: { message, code: "not_found" } };
    case "VAULT_CONFLICT":
      return { status: 409, json: { message, code: "conflict" } };
    case "VAULT_INVALID_ARGUMENT":
      return unprocessable(wireField(argumentOf(error)), message);
    case "VAULT_CONTEXT_INVALID":
      return unprocessable("key_context", message);
    case "VAULT_KEY_PROVIDER":
      return keyProviderFailed(error);
    // Not 5xx: the SDK retries those, and no retry opens a value that does not decrypt. A stored value
    // that is no envelope is one more such value, with the same opaque message.
    case "VAULT_DECRYPT_FAILED":
    case "VAULT_ENVELOPE_INVALID":
      return { status: 400, json: { message: opaque(error), code: "decrypt_failed" } };
    case "VAULT_KEY_UNAVAILABLE":
      return { status: 400, json: { message, code: "key_unavailable" } };
    default:
      return { status: 500, json: { message: "Internal error", code: "internal_error" } };
  }
}

/** The message of a value that does not open, wherever it failed: no hint of why. */
function opaque(error: VaultError): string {
  return new VaultDecryptError({ model: error.model, field: error.field, id: error.id }).message;
}

/** The argument an invalid-argument error names: its text, after the place, starts with it. */
function argumentOf(error: VaultError): string {
  const place = withPlace("", { model: error.model, field: error.field, id: error.id });
  const text = error.message.startsWith(place) ? error.message.slice(place.length) : error.message;
  return /^(\w+) /.exec(text)?.[1] ?? "request";
}

/** An argument's name as the wire spells it, for a 422's `field`. */
function wireField(argument: string): string {
  return WIRE_FIELDS[argument] ?? argument;
}

const WIRE_FIELDS: Readonly<Record<string, string>> = {
  versionCheck: "version_check",
  updatedAfter: "updated_after",
};

/** A path segment, percent-decoded; one that is not valid percent-encoding is a 422 naming `argument`. */
function decodeSegment(segment: string, argument: "name" | "id"): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new VaultInvalidArgumentError(`${argument} is not valid percent-encoding (UTF-8) in the path`, {
      model: "VaultObject",
    });
  }
}

const NOT_CONFIGURED: Reply = {
  status: 404,
  json: {
    message:
      "Vault objects are not served: start the key server with objects (startKeyServer({ objects: prisma.$vault.objects }), or prisma-vault key-server --config <file> with a client made with vault({ objects: true }))",
    code: "objects_not_configured",
  },
};
