import { readFileSync, statSync } from "fs";
import { isScalar, parseDocument, visit } from "yaml";
import { ConfigError } from "./errors";
import { findSecret } from "./secrets";
import { escapeUnsafe, showKey, UNSAFE_CHARACTERS } from "./text";

/** One configuration file's text and the name to use for it in messages. */
export interface ConfigText {
  readonly text: string;
  readonly file: string;
}

/** A settings file is a few kilobytes; anything far larger is a mistake (or an attack on the parser). */
const MAX_FILE_BYTES = 256 * 1024;
/** Aliases are rarely useful in settings; a cap stops "billion laughs" expansion (yaml's own default is 100). */
const MAX_ALIASES = 50;
/** Keys that would reach Object.prototype when settings are merged. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Reads a configuration file as strict UTF-8; every failure is a ConfigError naming `file`. */
export function readConfigFile(absolute: string, file: string): ConfigText {
  const fail = (why: string): never => {
    throw new ConfigError([`${file}: ${why}`]);
  };
  let bytes: Buffer;
  try {
    const stat = statSync(absolute);
    if (!stat.isFile()) fail(`must be a file, but it is ${stat.isDirectory() ? "a directory" : "not a regular file"}`);
    if (stat.size > MAX_FILE_BYTES)
      fail(`is ${stat.size} bytes; a settings file must be under ${MAX_FILE_BYTES} bytes`);
    bytes = readFileSync(absolute);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    return fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? "I/O error"})`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    fail("must be UTF-8, but it is UTF-16 (save it as UTF-8)");
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text, file };
  } catch {
    return fail("must be UTF-8, but it holds bytes that are not (save it as UTF-8)");
  }
}

/**
 * Parses one settings file into plain data. Everything YAML allows but settings never need is
 * refused with the file and the line or key: syntax errors, unknown tags, several documents,
 * aliases beyond a small budget, non-scalar keys, prototype keys, control characters, secrets.
 */
export function parseConfigYaml({ text, file }: ConfigText): Record<string, unknown> {
  const at = (offset: number) => position(text, offset);
  const control = UNSAFE_CHARACTERS.exec(text.replace(/[\t\n\r]/g, " "));
  if (control) {
    // YAML forbids most of them raw; the rest (bidi overrides) hide what the text says.
    throw new ConfigError([
      `${file}: ${at(control.index)}: control character ${escapeUnsafe(control[0])} (write it as an escape in a ` +
        `double-quoted string, or remove it)`,
    ]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, schema: "core", merge: false });
  const syntax = [...doc.errors, ...doc.warnings].map(
    // yaml's message ends with its own "at line L, column C:", which the prefix already says.
    (e) =>
      `${file}: ${at(e.pos[0])}: invalid YAML: ` +
      `${escapeUnsafe(e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""))}`,
  );
  let firstAlias: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (key !== null && !isScalar(key)) {
        syntax.push(
          `${file}: ${at((key as { range?: number[] }).range?.[0] ?? 0)}: invalid YAML: a key must be a plain word, ` +
            `not a list or mapping`,
        );
      }
    },
    Alias(_, alias) {
      const offset = alias.range?.[0] ?? 0;
      firstAlias ??= offset;
      if (!alias.resolve(doc))
        syntax.push(
          `${file}: ${at(offset)}: invalid YAML: alias *${escapeUnsafe(alias.source)} refers to no anchor defined ` +
            `before it`,
        );
    },
  });
  if (syntax.length > 0) throw new ConfigError(syntax);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch {
    // Unresolved aliases are reported above, so what yaml refuses here is expansion past the budget.
    throw new ConfigError([
      `${file}: ${at(firstAlias ?? 0)}: invalid YAML: aliases expand to more than ${MAX_ALIASES} nodes (refused as ` +
        `a resource-exhaustion risk)`,
    ]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || !isPlainObject(value)) {
    throw new ConfigError([`${file}: (top level): must be a mapping of settings (key: value), not a list or a scalar`]);
  }
  const problems: string[] = [];
  inspect(value, [], file, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  scanComments(text, file);
  return value as Record<string, unknown>;
}

/** Walks the data for what no setting may hold, reporting each with its key path. */
function inspect(node: unknown, path: string[], file: string, problems: string[]): void {
  const where = () => `${file}: ${path.length ? path.join(".") : "(top level)"}`;
  if (typeof node === "string") {
    const secret = findSecret(node);
    if (secret)
      problems.push(
        `${where()}: looks like ${secret.name}, not shown; secrets are never configuration: ${secret.belongs}`,
      );
    else if (UNSAFE_CHARACTERS.test(node))
      problems.push(`${where()}: must not contain control characters, line breaks or bidirectional marks`);
    return;
  }
  if (node === null || typeof node === "number" || typeof node === "boolean") return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => inspect(item, [...path, String(i)], file, problems));
    return;
  }
  if (!isPlainObject(node)) {
    problems.push(
      `${where()}: must be a string, number, boolean, list or mapping (YAML tags such as !!binary are not settings)`,
    );
    return;
  }
  for (const [key, value] of Object.entries(node as object)) {
    const keyPath = [...path, showKey(key)];
    if (PROTOTYPE_KEYS.has(key)) {
      problems.push(
        `${file}: ${keyPath.join(".")}: key refused (it names the JavaScript object prototype, never a setting)`,
      );
      continue;
    }
    const secret = findSecret(key);
    if (secret) {
      problems.push(
        `${where()}: a key looks like ${secret.name}, not shown; secrets are never configuration: ${secret.belongs}`,
      );
      continue;
    }
    inspect(value, keyPath, file, problems);
  }
}

/** A secret pasted into a comment still lands in Git. */
function scanComments(text: string, file: string): void {
  const problems = text.split("\n").flatMap((line, i) => {
    const secret = findSecret(line);
    return secret
      ? [
          `${file}: line ${i + 1}: looks like ${secret.name}, not shown; secrets are never configuration: ` +
            `${secret.belongs}`,
        ]
      : [];
  });
  if (problems.length > 0) throw new ConfigError(problems);
}

/** `line L, column C` (both from 1) of an offset in `text`. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
