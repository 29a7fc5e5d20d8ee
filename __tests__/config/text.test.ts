import { ConfigError } from "../../config/errors";
import { MAX_SHOWN, show } from "../../config/text";
import { GITLAB_PAT } from "./invalid-cases";

describe("values echoed in messages", () => {
  test("are escaped: no line break or control character survives", () => {
    expect(show("a\nb\u001b[2J\u202e")).toBe('"a\\nb\\u001b[2J\\u202e"');
  });
  test(`are cut after ${MAX_SHOWN} characters`, () => {
    expect(show("x".repeat(500))).toBe(`"${"x".repeat(MAX_SHOWN)}…"`);
  });
  test("never print a secret", () => {
    expect(show(`token ${GITLAB_PAT}`)).toBe("(a GitLab token, not shown)");
  });
});

describe("problem lines", () => {
  test("withhold a secret whichever message quotes it", () => {
    const error = new ConfigError([`f.yaml: line 1, column 9: invalid YAML: Unresolved tag: !${GITLAB_PAT}`]);
    expect(error.problems).toEqual(["f.yaml: line 1, column 9: invalid YAML: Unresolved tag: !(secret not shown)"]);
  });
  test("never span two lines", () => {
    expect(new ConfigError(["a\nb"]).problems).toEqual(["a\\nb"]);
  });
});
