// ESLint flat config: typescript-eslint's recommended rules on every TypeScript file; layout is
// Prettier's job (eslint-config-prettier turns off the rules that would disagree with it).
// https://typescript-eslint.io/getting-started
import eslint from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", ".ci/node/", "coverage/", ".gen/", ".gitlab-ci-local/", "plans/"] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
    },
    rules: {
      // `_name` marks a value destructured only to leave it out.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Tests and the render check read synthesized JSON and YAML, which have no static type.
    files: ["__tests__/**/*.ts", "scripts/render-check/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Plain CommonJS that runs before any TypeScript can (the loader itself).
    files: ["scripts/register.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  prettier,
);
