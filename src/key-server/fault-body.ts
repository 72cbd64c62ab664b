/**
 * `POST /_faults`: the fault plan's settings over HTTP, checked strictly. Served only with
 * `startKeyServer({ faults: true })`; in-process callers use {@link Faults} directly.
 */
import type { Faults, FaultSettings } from "./faults.js";
import { unprocessable, validationFailed, type FieldError, type Reply } from "./http.js";

/**
 * Applies a `POST /_faults` body to the fault plan: 200 with the latency now planned, or a 422 naming
 * every setting at fault, and then nothing of the body applies.
 *
 * @example applyFaultBody(server.faults, { fail: 2, status: 503 }) // { status: 200, json: { latencyMs: 0 } }
 */
export function applyFaultBody(faults: Faults, body: Record<string, unknown>): Reply {
  // Checked whole before any of it applies, so that a refused body changes nothing.
  const settings = readFaultSettings(body);
  if (!settings.ok) return validationFailed(settings.errors);
  try {
    faults.apply(settings.value);
    return { status: 200, json: { latencyMs: faults.latencyMs } };
  } catch (error) {
    return unprocessable("faults", (error as Error).message);
  }
}

/** How `POST /_faults` checks a setting; `needs` names the setting it qualifies, which must be present. */
type FaultRule =
  | {
      readonly kind: "integer";
      readonly min: number;
      readonly max: number;
      readonly needs?: keyof FaultSettings;
    }
  | { readonly kind: "boolean"; readonly needs?: undefined };

/**
 * Over HTTP every setting is checked here, before the fault plan sees it: the plan's own checks trust
 * in-process callers (it ignores a `status` without `fail`, and bounds no `retryAfter`).
 */
const FAULT_RULES: Readonly<Partial<Record<keyof FaultSettings, FaultRule>>> = {
  fail: { kind: "integer", min: 0, max: 1_000_000 },
  status: { kind: "integer", min: 400, max: 599, needs: "fail" },
  rateLimit: { kind: "integer", min: 0, max: 1_000_000 },
  retryAfter: { kind: "integer", min: 0, max: 3600, needs: "rateLimit" },
  latencyMs: { kind: "integer", min: 0, max: 60_000 },
  drop: { kind: "integer", min: 0, max: 1_000_000 },
  reset: { kind: "boolean" },
};

function readFaultSettings(
  body: Record<string, unknown>,
): { ok: true; value: FaultSettings } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  for (const [field, value] of Object.entries(body)) {
    const rule = Object.hasOwn(FAULT_RULES, field) ? FAULT_RULES[field as keyof FaultSettings] : undefined;
    if (rule === undefined) {
      const known = Object.keys(FAULT_RULES).join(", ");
      errors.push({ field, code: "unknown", message: `${field} is not a fault setting (${known})` });
    } else if (!fits(value, rule)) {
      const allowed = rule.kind === "boolean" ? "true or false" : `a whole number ${rule.min}-${rule.max}`;
      errors.push({ field, code: "invalid", message: `${field} must be ${allowed}` });
    } else if (rule.needs !== undefined && body[rule.needs] === undefined) {
      errors.push({ field, code: "invalid", message: `${field} qualifies ${rule.needs}, which is missing` });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: body };
}

function fits(value: unknown, rule: FaultRule): boolean {
  if (rule.kind === "boolean") return typeof value === "boolean";
  return typeof value === "number" && Number.isInteger(value) && value >= rule.min && value <= rule.max;
}
