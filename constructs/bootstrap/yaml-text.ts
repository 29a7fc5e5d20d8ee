/**
 * A small YAML writer for the manifests built in code (app-files.ts): plain data in, block-style
 * YAML out, every string that is not plainly safe written as a JSON string (a valid YAML
 * double-quoted scalar in YAML 1.1 and 1.2). The yaml library's Document model costs about 5 ms
 * per manifest, which 200 apps' files multiply into seconds of synth; this costs microseconds.
 */

type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value };

// Plain when it cannot be read as anything but this string: no indicator first, no `: ` or ` #`,
// nothing YAML 1.1 reads as a number, boolean or null (yes, on, 1.2, 0x1F, ~).
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const RESERVED = /^(y|n|yes|no|on|off|true|false|null)$/i;

function scalar(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "null";
  if (typeof value !== "string") {
    if (typeof value === "number" && !Number.isFinite(value))
      throw new Error(`yaml-text: ${value} is not a number YAML holds`);
    return String(value);
  }
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

const isCollection = (v: Value): v is Value[] | { [key: string]: Value } => typeof v === "object" && v !== null;
const isEmpty = (v: Value[] | { [key: string]: Value }) =>
  Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;

function lines(value: Value, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !isEmpty(item)) {
        const start = out.length;
        lines(item, `${indent}  `, out);
        out[start] = `${indent}- ${out[start].slice(indent.length + 2)}`;
      } else out.push(`${indent}- ${isCollection(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`);
    }
    return;
  }
  for (const [key, item] of Object.entries(value as { [key: string]: Value })) {
    if (item === undefined) continue;
    const name = scalar(key);
    if (!isCollection(item)) out.push(`${indent}${name}: ${scalar(item)}`);
    else if (isEmpty(item)) out.push(`${indent}${name}: ${Array.isArray(item) ? "[]" : "{}"}`);
    else {
      out.push(`${indent}${name}:`);
      // A list under a key sits at the key's own indentation, as kubectl and kustomize write it.
      lines(item, Array.isArray(item) ? indent : `${indent}  `, out);
    }
  }
}

/** YAML documents (separated by `---`), each mapping in block style; `comment` heads the first. */
export function yamlText(documents: readonly object[], comment?: string): string {
  const head = comment
    ? comment
        .split("\n")
        .map((l) => `#${l ? ` ${l}` : ""}\n`)
        .join("")
    : "";
  return (
    head +
    documents
      .map((doc) => {
        const out: string[] = [];
        lines(doc as Value, "", out);
        return `${out.join("\n")}\n`;
      })
      .join("---\n")
  );
}
