/**
 * Makes a string literal for Terraform. In Terraform JSON every string is a template: `${...}`
 * is evaluated (it could read files with `file()` at plan time) and `%{...}` is a directive.
 * Doubling the introducer (`$${`, `%%{`) is Terraform's escape for the literal text
 * (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences).
 * A `$` or `%` not followed by `{` is already literal, and `$${` in the input comes out as
 * `$$${`, which Terraform reads back as the original `$${`.
 *
 * Use it at the last step before a configuration string reaches a construct's props, for values
 * the schema lets through with `$`, `%` and `{` (see the README's Configuration section).
 */
export function terraformLiteral(text: string): string {
  // A replacer function, not a string: in a replacement string `$$` itself means one `$`.
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** `terraformLiteral` for every key and value of a string map (keys are templates too in Terraform JSON). */
export function terraformLiteralMap(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [terraformLiteral(k), terraformLiteral(v)]));
}
