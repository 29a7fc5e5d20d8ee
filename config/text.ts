import { findSecret } from "./secrets";

/**
 * Text from configuration, made safe to echo in one line of error output. A raw newline could
 * print a line that looks like the tool's own; bidirectional overrides could reorder what the
 * reader sees; a pasted token must never be printed back.
 */

/** C0/C1 controls, DEL, line and paragraph separators, bidi marks and overrides, the BOM. */
export const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const UNSAFE_GLOBAL = new RegExp(UNSAFE_CHARACTERS.source, "g");
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** The longest value echoed whole; longer ones are cut (a message is one readable line). */
export const MAX_SHOWN = 60;

/** Replaces unsafe characters by escapes (`\n`, `\u001b`). */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_GLOBAL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A configuration value for a message: quoted, escaped, cut to MAX_SHOWN characters, secrets withheld. */
export function show(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const secret = findSecret(text);
  if (secret) return `(${secret.name}, not shown)`;
  const chars = [...text];
  const cut = chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN).join("")}…` : text;
  return `"${escapeUnsafe(cut).replace(/"/g, '\\"')}"`;
}

/** A key for a key path: escaped and cut like a value, but unquoted when it is a plain word. */
export function showKey(key: PropertyKey): string {
  const text = String(key);
  return /^[A-Za-z0-9_-]{1,60}$/.test(text) ? text : show(text);
}
