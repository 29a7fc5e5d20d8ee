import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { loadavg, tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

// `npm run bench`: medians of several runs of what a user and CI wait for, against the targets
// in the README. Peak memory is the largest single process (GNU time's %M), as the CLI runs
// the app in a child process. BENCH_RUNS sets the number of runs (default 5; npm test: 3).

const root = path.resolve(__dirname, "..");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const cdktf = path.join(root, "node_modules", ".bin", "cdktf");

interface Sample {
  seconds: number;
  /** User + system CPU seconds of the command and its children: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  peakMb: number;
}

function measure(command: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Sample {
  const report = path.join(tmpdir(), `bench-${process.pid}.time`);
  const started = process.hrtime.bigint();
  const result = spawnSync("/usr/bin/time", ["-f", "%M %U %S", "-o", report, ...command], {
    cwd,
    env: { ...process.env, CI: "true", CHECKPOINT_DISABLE: "1", ...env },
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed:\n${result.stderr}${result.stdout}`);
  const [peakKb, user, system] = readFileSync(report, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  rmSync(report, { force: true });
  return { seconds, cpuSeconds: user + system, peakMb: peakKb / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function bench(label: string, count: number, command: string[], cwd: string, env?: NodeJS.ProcessEnv) {
  measure(command, cwd, env); // warm the file cache
  return report(
    label,
    Array.from({ length: count }, () => measure(command, cwd, env)),
    0,
  );
}

/** Median time and CPU, largest peak; printed as one row. */
function report(label: string, samples: Sample[], count: number) {
  const result = {
    label,
    count,
    seconds: median(samples.map((s) => s.seconds)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    peakMb: Math.max(...samples.map((s) => s.peakMb)),
  };
  process.stdout.write(
    `  ${label.padEnd(44)} ${result.seconds.toFixed(2).padStart(6)} s  ` +
      `${result.cpuSeconds.toFixed(2).padStart(6)} s CPU  ${result.peakMb.toFixed(0).padStart(5)} MB\n`,
  );
  return result;
}

/** A throwaway CDKTF project with two empty stacks: the CLI's own floor. */
function floorProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-floor-"));
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(
    path.join(dir, "cdktf.json"),
    JSON.stringify({ language: "typescript", app: "node main.js", sendCrashReports: "false" }),
  );
  writeFileSync(
    path.join(dir, "main.js"),
    [
      'const { App, TerraformStack } = require("cdktf");',
      "const app = new App();",
      'new TerraformStack(app, "a");',
      'new TerraformStack(app, "b");',
      "app.synth();",
      "",
    ].join("\n"),
  );
  return dir;
}

/** The app counts the scale rows synthesize. */
const APP_COUNTS = [1, 10, 50, 200];

/**
 * A configuration folder like config/ whose dev environment runs `count` generated apps, in ten
 * namespaces and ten release projects (so namespaces and push roles are shared, as in real use).
 */
function appsConfig(count: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-apps-${count}-`));
  mkdirSync(path.join(dir, "environments"));
  const read = (file: string) => parse(readFileSync(path.join(root, "config", file), "utf8"));
  const defaults = read("defaults.yaml");
  defaults.apps = Object.fromEntries(
    Array.from({ length: count }, (_v, i) => [
      `app-${i + 1}`,
      { namespace: `team-${i % 10}`, project: `my-group/team-${i % 10}`, port: 8080 + (i % 100) },
    ]),
  );
  const dev = read("environments/dev.yaml");
  delete dev.apps;
  writeFileSync(path.join(dir, "defaults.yaml"), stringify(defaults));
  writeFileSync(path.join(dir, "environments", "dev.yaml"), stringify(dev));
  return dir;
}

/**
 * `cdktf synth` of the app with 1, 10, 50 and 200 apps, against the floor; the cost per added app.
 * The runs are interleaved (floor, 1, 10, 50, 200, then again), so a change in the machine's other
 * load falls on every row alike instead of on whichever row ran at that moment.
 */
function scale(floorDir: string, out: string): [string, boolean][] {
  const dirs = APP_COUNTS.map(appsConfig);
  try {
    const rows = [
      { label: "cdktf synth, two empty stacks (CLI floor)", count: 0, cwd: floorDir, env: {} },
      ...APP_COUNTS.map((count, i) => ({
        label: `cdktf synth, ${count} app${count > 1 ? "s" : ""}`,
        count,
        cwd: root,
        env: { GITOPS_CONFIG_DIR: dirs[i], GITOPS_ENV: "dev" },
      })),
    ];
    const command = (count: number) => [cdktf, "synth", "--output", path.join(out, `apps-${count}`)];
    for (const row of rows) measure(command(row.count), row.cwd, row.env); // warm the file cache
    const samples: Sample[][] = rows.map(() => []);
    for (let run = 0; run < runs; run++)
      rows.forEach((row, i) => samples[i].push(measure(command(row.count), row.cwd, row.env)));
    const results = rows.map((row, i) => report(row.label, samples[i], row.count));
    return scaleChecks(results[0], results.slice(1));
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

type Row = Sample & { label: string; count: number };

function scaleChecks(floor: Row, results: Row[]): [string, boolean][] {
  const at = (count: number) => results.find((r) => r.count === count)!;
  // The cost of an app from CPU time, which the machine's other load disturbs far less than wall time.
  const slope = (a: number, b: number) => (at(b).cpuSeconds - at(a).cpuSeconds) / (b - a);
  const [early, late] = [slope(1, 50), slope(50, 200)];
  const ratio = (count: number) => at(count).seconds / floor.seconds;
  const cpuRatio = (count: number) => at(count).cpuSeconds / floor.cpuSeconds;
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  process.stdout.write(
    `  CPU cost per added app: ${ms(slope(1, 200))} (1→50: ${ms(early)}, 50→200: ${ms(late)}); ` +
      `CPU against the floor: 50 apps ${cpuRatio(50).toFixed(2)}x, 200 apps ${cpuRatio(200).toFixed(2)}x; ` +
      `load average ${load}\n`,
  );
  return [
    [`50 apps within 1.25x of the floor (${ratio(50).toFixed(2)}x)`, ratio(50) <= 1.25],
    [`50 apps under 400 MB (${at(50).peakMb.toFixed(0)} MB)`, at(50).peakMb < 400],
    [`200 apps within 1.5x of the floor (${ratio(200).toFixed(2)}x)`, ratio(200) <= 1.5],
    // Linear: an app costs no more among 200 than among 50. An app costs a few ms, about the noise
    // of a median of CPU times, hence 3 ms of slack.
    [`cost per app linear (50→200 ${ms(late)} ≤ 1.5 × 1→50 + 3 ms)`, late <= 1.5 * Math.max(early, 0) + 0.003],
  ];
}

function main(): void {
  const out = mkdtempSync(path.join(tmpdir(), "bench-out-"));
  const floorDir = floorProject();
  try {
    process.stdout.write(
      `Medians of ${runs} runs (npm test: ${Math.min(runs, 3)}), peak RSS of the largest process:\n`,
    );
    if (process.env.BENCH_SCOPE === "apps") {
      const checks = scale(floorDir, out);
      for (const [text, ok] of checks) process.stdout.write(`  ${ok ? "met " : "MISS"}  ${text}\n`);
      process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
      return;
    }
    const floor = bench(
      "cdktf synth, two empty stacks (CLI floor)",
      runs,
      [cdktf, "synth", "--output", path.join(out, "floor")],
      floorDir,
    );
    const full = bench("cdktf synth, this app", runs, [cdktf, "synth", "--output", path.join(out, "app")], root);
    const apps = scale(floorDir, out);
    const own = bench(
      "app synth without the CLI",
      runs,
      [process.execPath, "-r", "./scripts/register.js", "main.ts"],
      root,
      {
        CDKTF_OUTDIR: path.join(out, "own"),
      },
    );
    const render = bench(
      "render check, every environment and scenario",
      runs,
      [process.execPath, "-r", "./scripts/register.js", "scripts/check-gitops.ts"],
      root,
    );
    // Ten apps: the render check of a configuration that runs them, and the test file of the ten-app fixture.
    const tenApps = appsConfig(10);
    const renderTen = bench(
      "render check, dev with 10 apps",
      Math.min(runs, 3),
      [process.execPath, "-r", "./scripts/register.js", "scripts/check-gitops.ts"],
      root,
      { GITOPS_CONFIG_DIR: tenApps },
    );
    rmSync(tenApps, { recursive: true, force: true });
    const appTests = bench(
      "jest __tests__/render-check/apps.test.ts (10-app fixture)",
      Math.min(runs, 3),
      [path.join(root, "node_modules", ".bin", "jest"), "__tests__/render-check/apps.test.ts"],
      root,
    );
    const test = bench("npm test (type-check + jest)", Math.min(runs, 3), ["npm", "test", "--silent"], root);
    const checks: [string, boolean][] = [
      [
        `cdktf synth within 1.3x of the floor (${(full.seconds / floor.seconds).toFixed(2)}x)`,
        full.seconds <= 1.3 * floor.seconds,
      ],
      [`cdktf synth under 400 MB (${full.peakMb.toFixed(0)} MB)`, full.peakMb < 400],
      [`app synth under 1 s (${own.seconds.toFixed(2)} s)`, own.seconds < 1],
      [`render check under 10 s (${render.seconds.toFixed(1)} s)`, render.seconds < 10],
      [`render check with 10 apps under 60 s (${renderTen.seconds.toFixed(1)} s)`, renderTen.seconds < 60],
      [`the 10-app render tests under 60 s (${appTests.seconds.toFixed(1)} s)`, appTests.seconds < 60],
      // The suite runs real Terraform plans (core as JSON and HCL, ci), ~70 kustomize builds of the
      // render check and a GitLab CI emulator: minutes, not seconds, on 2 cores.
      [`npm test under 240 s (${test.seconds.toFixed(1)} s)`, test.seconds < 240],
      ...apps,
    ];
    for (const [text, ok] of checks) process.stdout.write(`  ${ok ? "met " : "MISS"}  ${text}\n`);
    process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(floorDir, { recursive: true, force: true });
  }
}

main();
