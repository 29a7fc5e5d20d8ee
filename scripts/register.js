"use strict";
// `node -r ./scripts/register.js main.ts`: how every entry point of this project runs TypeScript.
//
// sucrase strips the types (no type check here: `npm test` runs tsc). Two caches keep a synth from
// paying for work an earlier run already did, both under node_modules/.cache/gitops-bootstrapper/
// and safe to delete at any time:
// - ts/: sucrase's output, keyed by a hash of the source, the file name, sucrase's version and the
//   options, so an edited file (or a new sucrase) is transpiled again and nothing stale is run;
// - v8/: Node's compile cache (Node >= 22.1), V8's code for every module, dependencies included.
// No source maps: sucrase keeps every line where it was, so stack traces point at the right line.
// Measured in README "Performance".

const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const cacheRoot = path.join(__dirname, "..", "node_modules", ".cache", "gitops-bootstrapper");
const transformCache = path.join(cacheRoot, "ts");
const options = { transforms: ["imports", "typescript"] };
const cacheSalt = `${require("sucrase/package.json").version}\0${JSON.stringify(options)}`;

if (typeof Module.enableCompileCache === "function") Module.enableCompileCache(path.join(cacheRoot, "v8"));

let sucrase; // loaded on the first cache miss only
function transpile(source, filename) {
  const key = crypto.createHash("sha256").update(cacheSalt).update("\0").update(filename).update("\0").update(source);
  const cached = path.join(transformCache, `${key.digest("hex")}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not cached yet
  }
  sucrase ??= require("sucrase");
  const { code } = sucrase.transform(source, { ...options, filePath: filename });
  try {
    // Written under a private name and renamed, so a concurrent run never reads half a file.
    fs.mkdirSync(transformCache, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // A read-only node_modules only costs the next run the transpile.
  }
  return code;
}

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
