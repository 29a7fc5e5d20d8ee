import { Lazy, Tokenization } from "cdktf";

/**
 * One table per object of the flux provider's schema maps each TypeScript property to its
 * Terraform name and kind. Both syntheses read the same table: `toJson` for `cdktf synth` and
 * `toHcl` for `cdktf synth --hcl`, so an attribute added to the table is written by both (and
 * the table's type makes a property without an entry a compile error).
 *
 * The HCL form follows what cdktf 0.21's generated bindings return from
 * `synthesizeHclAttributes()` (`{ value, isBlock, type, storageClassType }` per attribute,
 * rendered by cdktf/lib/hcl/render.js). The flux provider is built on terraform-plugin-framework
 * and uses nested *attributes*, not blocks, so a nested object is written `name = { ... }`.
 */
export type AttributeKind = "string" | "bool" | "stringList" | "stringMap" | { readonly object: NestedTable };

/** A table of a nested object, its property names no longer tied to a type. */
type NestedTable = { readonly [property: string]: readonly [name: string, kind: AttributeKind] };

/** For every property of `T`: its Terraform name and kind. */
export type AttributeTable<T> = { readonly [K in keyof Required<T>]: readonly [name: string, kind: AttributeKind] };

/** An HCL attribute as cdktf's renderer reads it. */
interface HclAttribute {
  readonly value: unknown;
  readonly isBlock: false;
  readonly type: "simple" | "list" | "map" | "any";
  readonly storageClassType?: string;
}

/** The JSON attributes of `value`: Terraform names, unset properties left out. */
export function toJson<T extends object>(
  table: AttributeTable<T>,
  value: T | undefined,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, [name, kind]] of entries(table)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out[name] = typeof kind === "object" ? toJson(kind.object, v as object) : kind === "stringMap" ? keepKeys(v) : v;
  }
  return out;
}

/** The HCL attributes of `value`, typed for cdktf's renderer; unset properties left out. */
export function toHcl<T extends object>(table: AttributeTable<T>, value: T): Record<string, HclAttribute> {
  const out: Record<string, HclAttribute> = {};
  for (const [key, [name, kind]] of entries(table)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out[name] = hclAttribute(kind, v);
  }
  return out;
}

function hclAttribute(kind: AttributeKind, v: unknown): HclAttribute {
  switch (kind) {
    case "string":
      return { value: hclLiteral(v), isBlock: false, type: "simple", storageClassType: "string" };
    case "bool":
      return { value: v, isBlock: false, type: "simple", storageClassType: "boolean" };
    case "stringList":
      return {
        value: Array.isArray(v) ? v.map(hclLiteral) : v,
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      };
    case "stringMap":
      return { value: keepKeys(v), isBlock: false, type: "map", storageClassType: "stringMap" };
    default:
      // A nested attribute: the renderer writes type "any" as an HCL object expression.
      return { value: nestedHcl(kind.object, v as object), isBlock: false, type: "any" };
  }
}

/** A nested object for the renderer's object expression: Terraform names, literal strings escaped. */
function nestedHcl(table: NestedTable, value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, [name, kind]] of entries(table)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof kind === "object") out[name] = nestedHcl(kind.object, v as object);
    else if (kind === "stringMap") out[name] = keepKeys(v);
    else if (kind === "stringList" && Array.isArray(v)) out[name] = v.map(hclLiteral);
    else out[name] = hclLiteral(v);
  }
  return out;
}

/**
 * cdktf's renderer quotes a string without escaping backslashes, turns a multi-line string into
 * a heredoc with one newline too many, and inside an object expression writes strings starting
 * with `[`, `{` or `"` unquoted. Literal strings are therefore escaped here into one quoted line
 * that keeps their value; strings holding Terraform references are left as they are.
 */
function hclLiteral(v: unknown): unknown {
  if (typeof v !== "string" || Tokenization.isResolvable(v) || Tokenization.reverseString(v).tokens.length > 0)
    return v;
  if (v.includes("${") || v.includes("%{")) return v;
  return v
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/^\[/, "\\u005b")
    .replace(/^\{/, "\\u007b");
}

/**
 * cdktf snake-cases the keys of provider attributes; a lazy value is resolved after that,
 * so map keys (environment variable names) are kept as given.
 */
function keepKeys(v: unknown): unknown {
  return Tokenization.isResolvable(v) ? v : Lazy.anyValue({ produce: () => v });
}

function entries<T>(table: AttributeTable<T>): [string, readonly [string, AttributeKind]][] {
  return Object.entries(table) as [string, readonly [string, AttributeKind]][];
}
