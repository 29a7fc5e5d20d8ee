import { SECRET_KINDS } from "./secrets";
import { escapeUnsafe } from "./text";

/** Each secret pattern, matching anywhere in a line. */
const SECRETS_ANYWHERE = SECRET_KINDS.map((kind) => new RegExp(kind.pattern.source, `${kind.pattern.flags}g`));

/**
 * Invalid configuration: `problems` holds one line per problem, each naming file and key.
 * Every line passes through here, so this is the last guard for what reaches the terminal:
 * unsafe characters are escaped (no problem spans two lines or forges one) and anything
 * shaped like a secret is withheld, whichever message quoted it (a YAML error, a key name).
 */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    const lines = problems.map((line) =>
      SECRETS_ANYWHERE.reduce((text, secret) => text.replace(secret, "(secret not shown)"), escapeUnsafe(line)),
    );
    super(lines.join("\n"));
    this.problems = lines;
    this.name = "ConfigError";
  }
}
