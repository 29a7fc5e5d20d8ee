import { parseAllDocuments } from "yaml";
import { yamlText } from "../../../constructs/bootstrap/yaml-text";

// What YAML 1.1 (as Flux and kustomize read it) would misread if written plain: each must come back as written.
const TRICKY = [
  "yes",
  "On",
  "NULL",
  "1.2",
  "0x1F",
  "1e3",
  "0.0.x",
  ">=1.0.0 <2.0.0",
  "a: b",
  "a #b",
  "#x",
  "-x",
  "*",
  "&a",
  "!t",
  "",
  " lead",
  "${ECR_REGISTRY}/dev/web",
  "claims.project_path in ['g/a']",
  "line\nbreak",
  "ünï",
  "../../base/web",
];

describe("yamlText", () => {
  test("minimal: block mappings and lists, documents separated, the comment on top", () => {
    expect(yamlText([{ a: 1, b: ["x", { c: true }] }, { d: {} }], "head\nmore")).toBe(
      "# head\n# more\na: 1\nb:\n- x\n- c: true\n---\nd: {}\n",
    );
  });

  test("every string, key and nesting reads back as written (YAML 1.1 and 1.2)", () => {
    const doc = {
      plain: "web",
      tricky: TRICKY,
      map: Object.fromEntries(TRICKY.filter((t) => t).map((t, i) => [t, i])),
      nested: [{ list: [[], {}, { deep: [1, 2.5, false, null] }] }],
    };
    for (const version of ["1.1", "1.2"] as const) {
      const [back] = parseAllDocuments(yamlText([doc]), { version }).map((d) => d.toJS());
      expect(back).toEqual(doc);
    }
  });

  test("a number YAML cannot hold is refused", () => {
    expect(() => yamlText([{ a: Number.NaN }])).toThrow(/not a number YAML holds/);
  });
});
