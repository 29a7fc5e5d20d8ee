import { escapeUnsafe } from "./text";

/**
 * Invalid configuration: `problems` holds one line per problem, each naming file and key.
 * Every line is escaped here once more, so no problem can ever span two lines of output.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    const lines = problems.map(escapeUnsafe);
    super(lines.join("\n"));
    this.problems = lines;
    this.name = "ConfigError";
  }
}
