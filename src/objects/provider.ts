/**
 * Which database the object store's client talks to, as Prisma names it (`"postgresql"`, `"mysql"`,
 * `"sqlite"`), for what `listObjects`' search must say to each (pages.ts). Read once per client from
 * the schema text the generated client embeds (client/internals.ts).
 */
import { inlineSchemaDataModel } from "../client/internals.js";

const PROVIDERS = new WeakMap<object, string | undefined>();

/**
 * `client`'s provider; `undefined` when the client does not say (the search then takes the text as it
 * is, see pages.ts).
 *
 * @example databaseProvider(prisma) // "postgresql"
 */
export function databaseProvider(client: object): string | undefined {
  if (!PROVIDERS.has(client)) PROVIDERS.set(client, inlineSchemaDataModel(client)?.provider);
  return PROVIDERS.get(client);
}
