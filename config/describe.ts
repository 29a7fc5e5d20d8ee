import type { z } from "zod";
import { environmentSchema } from "./schema";
import { show, showKey } from "./text";

/**
 * Turns a schema issue into message lines: `<file>: <key.path>: <what is allowed>`. Only
 * messages written in the schema and the key names are echoed (escaped, cut, secrets withheld
 * by text.ts); zod's own messages never quote the input.
 */
export function describeIssue(issue: z.core.$ZodIssue, fileOf: (at: PropertyKey[]) => string, raw: unknown): string[] {
  const at = keyPath(issue.path);
  const file = fileOf(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => {
        const full = [...issue.path, k];
        const allowed = allowedKeys(issue.path, raw);
        const allowedHere = allowed.length ? ` (allowed here: ${allowed.join(", ")})` : "";
        return `${fileOf(full)}: ${keyPath(full)}: unknown key${allowedHere}`;
      });
    case "invalid_key":
      // A record key that broke its rule: zod nests the key's own issues.
      return issue.issues.map((inner) => `${file}: ${at}: key ${show(issue.path.at(-1))} ${inner.message}`);
    case "invalid_element":
      return issue.issues.map((inner) => `${file}: ${at}: ${inner.message}`);
    case "invalid_union":
      if (issue.path.at(-1) === "type") return [`${file}: ${at}: must be one of local, s3, gitlab`];
      return [`${file}: ${at}: ${firstUnionMessage(issue)}`];
    case "invalid_type":
      if (valueAt(raw, issue.path) === undefined) return [`${file}: ${at}: is required (${issue.expected})`];
      // A message written in the schema says more than the generic one.
      if (!issue.message.startsWith("Invalid input")) return [`${file}: ${at}: ${issue.message}`];
      return [`${file}: ${at}: must be ${article(issue.expected)} (got ${describeType(valueAt(raw, issue.path))})`];
    case "invalid_value":
      return [`${file}: ${at}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`];
    default:
      return [`${file}: ${at}: ${issue.message}`];
  }
}

function keyPath(path: PropertyKey[]): string {
  return path.length > 0 ? path.map(showKey).join(".") : "(top level)";
}

/** For `number | path` unions (backend.project): the string branch's message says what is allowed. */
function firstUnionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const messages = issue.errors
    .flat()
    .filter((i) => i.code === "custom")
    .map((i) => i.message);
  return messages[0] ?? "must be a numeric project id or a group/project path";
}

function article(expected: string): string {
  const word = expected === "record" || expected === "object" ? "mapping" : expected === "array" ? "list" : expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value === "string" ? `string ${show(value)}` : `${typeof value} ${String(value)}`;
}

/** The keys the schema allows at an object path, for the "unknown key" message. */
function allowedKeys(at: PropertyKey[], raw: unknown): string[] {
  let node: z.ZodType = environmentSchema;
  for (const key of at) {
    // A record (apps) has the same keys under every name: its value schema's.
    const current = unwrap(node) as { shape?: Record<string, z.ZodType>; def?: { valueType?: z.ZodType } };
    node = current.shape?.[key as string] ?? current.def?.valueType ?? node;
  }
  // A union of objects (backend): the branch whose `type` the input names.
  const options = (unwrap(node) as { def?: { options?: z.ZodType[] } }).def?.options ?? [];
  const type = (valueAt(raw, at) as { type?: unknown } | undefined)?.type;
  const branch = options.find((o) =>
    (unwrap(o).shape?.type as { def?: { values?: unknown[] } } | undefined)?.def?.values?.includes(type),
  );
  return Object.keys(unwrap(branch ?? node).shape ?? {});
}

function unwrap(node: z.ZodType): { shape?: Record<string, z.ZodType> } {
  let current = node as z.ZodType & { def: { innerType?: z.ZodType; in?: z.ZodType; schema?: z.ZodType } };
  for (;;) {
    const def = current.def;
    const next = def.innerType ?? def.in ?? def.schema;
    if (!next || "shape" in current) return current as { shape?: Record<string, z.ZodType>; def?: unknown };
    current = next as typeof current;
  }
}

export function valueAt(raw: unknown, at: PropertyKey[]): unknown {
  return at.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], raw);
}
