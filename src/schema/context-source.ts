/**
 * Where a model's key context comes from: its `context` and `staticContext` options, validated into the
 * row fields they read and a function from a row to its key context.
 */
import { MAX_CONTEXT_PAIRS, validateContext, type KeyContext } from "../context/key-context.js";
import { contextInvalid, contextMissing } from "../error-messages.js";
import { VaultConfigError, VaultContextInvalidError, VaultContextMissingError } from "../errors.js";
import type { DataModelField } from "./datamodel.js";
import type { ContextOption, ModelOptions, Row } from "./options.js";

/** A model's key context: the row fields it reads and how a row becomes a context. */
export interface ContextSource {
  readonly fields: readonly string[];
  readonly of: (row: Row, id?: unknown) => KeyContext;
}

/** Validates a model's `context` and `staticContext`; `required` when the model has encrypted fields. */
export function contextSource(
  model: string,
  byName: ReadonlyMap<string, DataModelField>,
  options: ModelOptions | undefined,
  required: boolean,
): ContextSource {
  const option = options?.context;
  const fixed = options?.staticContext ?? {};
  let pairs: [key: string, field: string][] = [];
  let derive: ((row: Row) => KeyContext) | undefined;
  if (option === undefined || option === null) {
    if (required)
      throw new VaultConfigError(
        'a model with encrypted fields needs a key context, e.g. context: ["organizationId"]',
        { model },
      );
  } else if (Array.isArray(option)) {
    pairs = (option as readonly unknown[]).map((field) => [String(field), String(field)]);
    for (const field of option as readonly unknown[]) {
      if (typeof field !== "string")
        throw new VaultConfigError("context lists field names (strings)", { model });
    }
  } else if (isDerived(option)) {
    pairs = option.fields.map((field) => [field, field]);
    derive = option.derive;
  } else if (typeof option === "object") {
    pairs = Object.entries(option as Record<string, unknown>).map(([key, field]) => {
      // Precondition: no prototype key (see validateContext); JSON.parse makes own "__proto__" keys.
      if (key === "__proto__")
        throw new VaultConfigError('"__proto__" is not allowed as a key context key', { model });
      if (typeof field !== "string")
        throw new VaultConfigError(`context key "${key}" must name a field`, { model });
      return [key, field];
    });
  } else {
    throw new VaultConfigError("context must be a list of fields, a key-to-field map or { fields, derive }", {
      model,
    });
  }
  for (const [, field] of pairs) {
    const info = byName.get(field);
    if (!info) throw new VaultConfigError("the context names a field that does not exist", { model, field });
    if (info.kind === "object" || info.isList === true) {
      throw new VaultConfigError("a context field must be a scalar column", { model, field });
    }
  }
  const size = (derive ? 0 : pairs.length) + Object.keys(fixed).length;
  if (required && !derive && (size < 1 || size > MAX_CONTEXT_PAIRS)) {
    throw new VaultConfigError(`a key context has 1 to ${MAX_CONTEXT_PAIRS} pairs, this one has ${size}`, {
      model,
    });
  }
  if (Object.keys(fixed).length) {
    try {
      validateContext(fixed);
    } catch (error) {
      throw new VaultConfigError("staticContext must be non-empty string pairs", { model, cause: error });
    }
  }
  for (const [key] of pairs) {
    if (!derive && Object.hasOwn(fixed, key)) {
      throw new VaultConfigError(`staticContext key "${key}" would replace the value of a context field`, {
        model,
      });
    }
  }
  const fields = [...new Set(pairs.map(([, field]) => field))];
  // Rows of a result share few tenants: a context read from fields alone is made (and validated,
  // and its canonical form computed) once per distinct set of values, not once per row. Contexts
  // are frozen, so one can be handed out again; the memo is bounded, and starts over when full.
  const memo = new Map<string, KeyContext>();
  const text = (row: Row, field: string, id: unknown): string => {
    const value = row[field];
    if (value === undefined || value === null) {
      throw new VaultContextMissingError(contextMissing.fieldNotKnown, { model, field, id });
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
      throw new VaultContextInvalidError(contextInvalid.fieldNotScalar, { model, field, id });
    }
    return String(value);
  };
  const make = (context: Record<string, string>, id: unknown): KeyContext => {
    try {
      return validateContext(context);
    } catch (error) {
      throw new VaultContextInvalidError((error as Error).message, { model, id, cause: error });
    }
  };
  return {
    fields,
    of(row, id) {
      if (derive) {
        for (const [, field] of pairs) text(row, field, id);
        return make({ ...derived(derive(pick(row, fields)), model, id), ...fixed }, id);
      }
      // The memo's key: the values, each behind its length, so that no two sets of values share one.
      let key = "";
      for (const [, field] of pairs) {
        const value = text(row, field, id);
        key = pairs.length === 1 ? value : `${key}${value.length}:${value}`;
      }
      let context = memo.get(key);
      if (context === undefined) {
        const values: Record<string, string> = {};
        for (const [name, field] of pairs) values[name] = text(row, field, id);
        context = make({ ...values, ...fixed }, id);
        if (memo.size >= CONTEXT_MEMO_SIZE) memo.clear();
        memo.set(key, context);
      }
      return context;
    },
  };
}

/** Distinct contexts a model remembers (tenants in one result, mostly) before it starts over. */
const CONTEXT_MEMO_SIZE = 4096;

function isDerived(option: ContextOption): option is Extract<ContextOption, { derive: unknown }> {
  const candidate = option as { derive?: unknown; fields?: unknown };
  return typeof candidate.derive === "function" && Array.isArray(candidate.fields);
}

/** derive()'s answer must be a context object itself, not something that spreads into one. */
function derived(context: unknown, model: string, id: unknown): KeyContext {
  try {
    return validateContext(context);
  } catch (error) {
    throw new VaultContextInvalidError(contextInvalid.derived((error as Error).message), {
      model,
      id,
      cause: error,
    });
  }
}

function pick(row: Row, fields: readonly string[]): Row {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = row[field];
  return out;
}
