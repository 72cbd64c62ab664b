/** The value a query gives a column: a parameter's or a literal's; a prepared statement's is refused. */
import { VaultUnsupportedQueryError } from "../errors.js";
import type { AstNode } from "./encrypted-refs.js";

/** Where a value goes, for the refusal's place. */
export interface ValuePlace {
  readonly field: { readonly model: string; readonly name: string };
}

/**
 * The value `node` stands for: a `ParamRef`'s or a literal's. A prepared statement's placeholder has
 * no value until it runs, after the middleware could seal it: refused. Anything else (a column, an
 * expression) is `undefined`.
 */
export function valueOf(node: AstNode, place: ValuePlace): unknown {
  if (node.kind === "param-ref" || node.kind === "literal") return node["value"];
  if (node.kind === "prepared-param-ref") {
    throw new VaultUnsupportedQueryError(
      "a prepared statement cannot take an encrypted field's value or key context; run it as a query",
      { model: place.field.model, field: place.field.name },
    );
  }
  return undefined;
}
