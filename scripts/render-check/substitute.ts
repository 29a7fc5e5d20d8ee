import { parseDocument, stringify } from "yaml";
import type { K8sObject } from "./committed";

/** Variable values; `undefined` marks a value Terraform computes at apply and the check cannot know. */
export type Variables = Record<string, string | undefined>;

/** Flux checks every variable name against this before substituting. */
const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const DISABLE_KEY = "kustomize.toolkit.fluxcd.io/substitute";

/**
 * Flux's post-build substitution of one object, with kustomize-controller's semantics
 * (fluxcd/pkg kustomize varsub + envsubst, Flux 2.9):
 * - the object is first serialized back to YAML (go-yaml style: a string is quoted only where
 *   YAML needs it, so `${RANGE}` is written plain and the quotes of the source file are gone),
 *   the text is substituted, and the result is parsed again as YAML 1.1 (`on` is a boolean);
 * - see envsubst below for the expressions; `$${VAR}` is the escape for a literal `${VAR}`;
 * - `substituteFrom` is read in order and inline `substitute` wins; newlines are removed from values;
 * - with no variables at all nothing is substituted (unless `substituteStrategy: Always`);
 * - an undefined variable without a default fails the build (strict substitution, reported on by default in 2.9);
 * - the label or annotation `kustomize.toolkit.fluxcd.io/substitute: disabled` skips the object.
 */
export function substitute(
  object: K8sObject,
  from: Variables,
  inline: Record<string, string>,
  always = false,
): { object?: K8sObject; problems: string[] } {
  const meta = object.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> };
  if (meta.labels?.[DISABLE_KEY] === "disabled" || meta.annotations?.[DISABLE_KEY] === "disabled")
    return { object, problems: [] };
  const problems: string[] = [];
  const vars: Variables = {
    ...from,
    ...Object.fromEntries(Object.entries(inline).map(([k, v]) => [k, v.replace(/\n/g, "")])),
  };
  for (const name of Object.keys(vars)) {
    if (!VARIABLE_NAME.test(name)) problems.push(`variable name '${name}' is invalid: Flux requires ${VARIABLE_NAME}`);
  }
  if (problems.length) return { problems };
  // With no variables at all Flux does not substitute (unless spec.postBuild.substituteStrategy is Always).
  if (Object.keys(vars).length === 0 && !always) {
    const literal = [...new Set(JSON.stringify(object).match(/\$\{[^}]*\}/g) ?? [])];
    return {
      object,
      problems: literal.map(
        (v) =>
          `holds ${v} but postBuild has no variables (its optional sources are absent), so it reaches the cluster ` +
          `literally`,
      ),
    };
  }
  // go-yaml v2 as sigs.k8s.io/yaml drives it: keys sorted, strings quoted only where YAML 1.1
  // needs it, single quotes preferred. Residual gap: where go-yaml picks another style (line
  // folding, a multi-line string's style), a value with quotes may parse differently there.
  const text = stringify(object, { version: "1.1", lineWidth: 0, sortMapEntries: true, singleQuote: true });
  const result = envsubst(text, (name) => (name in vars ? { value: vars[name] } : undefined));
  if (result.problems.length) return { problems: result.problems };
  const doc = parseDocument(result.text, { version: "1.1", uniqueKeys: true });
  if (doc.errors.length) {
    return {
      problems: [
        `after substitution the YAML does not parse: ${doc.errors[0].message.split("\n")[0]}\n${indent(result.text)}`,
      ],
    };
  }
  return { object: doc.toJS() as K8sObject, problems: [] };
}

/**
 * One lookup: undefined when the variable is not set; `value` undefined when it is set to a value only Terraform knows.
 */
type Lookup = (name: string) => { value: string | undefined } | undefined;

/** Operators that give a default; in Flux's envsubst every one of them means "if unset or empty". */
const DEFAULT_OPERATORS = [":=", ":-", ":?", ":+", "="];

/**
 * envsubst as Flux 2.9 runs it on a whole text (fluxcd/pkg envsubst v1.7): `$$` is an escaped `$`,
 * `${NAME}` and `${NAME<op>default}` are expressions (the default may nest `${...}`), `$NAME` is
 * text. `${NAME-x}`, `${NAME+x}` and `${NAME?x}` are parse errors; the string functions
 * (`${NAME^^}`, `${NAME:0:2}`, `${NAME/a/b}`, ...) are reported as not modelled by this check.
 */
export function envsubst(text: string, lookup: Lookup): { text: string; problems: string[] } {
  const problems: string[] = [];
  const parse = (from: number, inside: boolean): { out: string; end: number } => {
    let out = "";
    let i = from;
    while (i < text.length) {
      const c = text[i];
      if (inside && c === "}") return { out, end: i };
      if (c === "$" && text[i + 1] === "$") {
        out += "$";
        i += 2;
      } else if (c === "$" && text[i + 1] === "{") {
        const expression = parseExpression(i + 2);
        out += expression.value;
        i = expression.end + 1;
      } else {
        out += c;
        i += 1;
      }
    }
    if (inside) problems.push("missing closing brace");
    return { out, end: text.length };
  };
  const parseExpression = (start: number): { value: string; end: number } => {
    const name = /^[\p{L}\p{N}_]+/u.exec(text.slice(start))?.[0];
    if (!name) {
      problems.push(`unable to parse variable name at \${${text.slice(start, start + 12)}`);
      return { value: "", end: skipTo(start) };
    }
    let i = start + name.length;
    const operator = DEFAULT_OPERATORS.find((op) => text.startsWith(op, i));
    let fallback: string | undefined;
    if (text[i] === "}") {
      // ${NAME}
    } else if (operator) {
      const inner = parse(i + operator.length, true);
      fallback = inner.out;
      i = inner.end;
    } else if (/^[:,^/#%]/.test(text[i] ?? "")) {
      problems.push(`\${${name}${text.slice(i, skipTo(i))}}: string functions are not modelled by this check`);
      return { value: "", end: skipTo(i) };
    } else {
      problems.push(
        `\${${name}${text[i] ?? ""}...: missing closing brace (Flux's parser accepts -, + and ? only after ':')`,
      );
      return { value: "", end: skipTo(i) };
    }
    const found = lookup(name);
    if (found && found.value === undefined) {
      problems.push(`\${${name}} takes a value Terraform computes at apply, and the check has no stand-in for it`);
      return { value: "", end: i };
    }
    const value = found?.value ?? "";
    if (value === "" && fallback !== undefined) return { value: fallback, end: i };
    if (!found)
      problems.push(
        `variable not set (strict mode): "${name}" has no value and no default, so Flux 2.9 fails the build`,
      );
    return { value, end: i };
  };
  const skipTo = (from: number) => {
    const close = text.indexOf("}", from);
    return close < 0 ? text.length : close;
  };
  const { out } = parse(0, false);
  return { text: out, problems };
}

function indent(text: string): string {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => `      | ${l}`)
    .join("\n");
}
