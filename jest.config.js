/** Jest runs the TypeScript tests through ts-jest without type-checking: `npm test` runs `tsc --noEmit` first. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  reporters: ["default", "<rootDir>/scripts/summary-reporter.js"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
