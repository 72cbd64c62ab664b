/**
 * How test/prisma8 shows a refusal: a rig with a recorder of sent statements beside vaultMiddleware and
 * a seeded tenant, and the assertion that a query is refused with `VAULT_UNSUPPORTED_QUERY` on a model
 * and field before anything is sent (the recorder saw nothing, the tenant's rows are unchanged, the
 * error shows no secret). Also the ORM's where and orderBy proxies, which the untyped fixture contract
 * does not spell out.
 */
import { expect } from "vitest";
import { vaultFailure } from "../../support/errors.js";
import type { Prisma8App } from "./prisma8-app.js";
import { seedTenant, tenantRows, type SeededTenant } from "./seed.js";
import { sentStatements, type SentStatements } from "./sent-statements.js";
import { vaultRig, type VaultRig } from "./vault-rig.js";

/** A rig whose statements are recorded, and a tenant of two users seeded through it. */
export interface RefusalSetup {
  readonly rig: VaultRig;
  readonly sent: SentStatements;
  readonly tenant: SeededTenant;
}

/**
 * A fresh {@link RefusalSetup} on `app`, its recorder cleared after the seeding.
 *
 * @example const { rig, sent, tenant } = await refusalSetup(app());
 */
export async function refusalSetup(app: Prisma8App): Promise<RefusalSetup> {
  const sent = sentStatements();
  const rig = vaultRig(app, { before: [sent.middleware] });
  const tenant = await seedTenant(app, rig, 2);
  sent.clear();
  return { rig, sent, tenant };
}

/**
 * `run()` is refused with VAULT_UNSUPPORTED_QUERY on `model.field`, nothing sent, the tenant's rows
 * unchanged; `because`, when given, matches the message (where two checks would refuse alike, it
 * shows which one did: the code is the contract).
 *
 * @example await refusedBeforeSending({ app: app(), sent, orgId }, () => users.orderBy(…).all().toArray(), "User", "email");
 */
export async function refusedBeforeSending(
  { app, sent, orgId }: { readonly app: Prisma8App; readonly sent: SentStatements; readonly orgId: number },
  run: () => PromiseLike<unknown>,
  model: string,
  field: string,
  because?: RegExp,
): Promise<void> {
  const before = await tenantRows(app, orgId);
  sent.clear();
  const error = await vaultFailure(Promise.resolve().then(run));
  expect({ code: error.code, model: error.model, field: error.field }).toEqual({
    code: "VAULT_UNSUPPORTED_QUERY",
    model,
    field,
  });
  if (because) expect(error.message).toMatch(because);
  expect(sent.sql).toEqual([]);
  expect(await tenantRows(app, orgId)).toEqual(before);
}

/** One field of the ORM's where and orderBy proxies. */
export interface Field {
  eq(value: unknown): never;
  in(values: readonly unknown[]): never;
  like(pattern: string): never;
  ilike(pattern: string): never;
  gt(value: unknown): never;
  lt(value: unknown): never;
  asc(): never;
  desc(): never;
}

/** The fields of a where or orderBy callback, by name. */
export type Fields = Readonly<Record<string, Field>>;

/** A where or orderBy callback over {@link Fields}, as the ORM takes it. */
export const on = (callback: (fields: Fields) => unknown): never => callback as never;
