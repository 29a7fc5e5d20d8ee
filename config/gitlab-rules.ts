import { HOST, lacks, matches, portProblem, Rule, ruled } from "./rules";

/** Applies single-segment rules to every segment of a slash-separated path. */
const everySegment = (rules: Rule[]): Rule[] => rules.map(([ok, message]) => [(t) => t.split("/").every(ok), message]);

/**
 * One segment of a GitLab group or project path (https://docs.gitlab.com/user/reserved_names/
 * and GitLab's path validation): letters, digits, `_`, `-`, `.`; not starting with `-` or `.`,
 * not ending with `.`, `-`, `.git` or `.atom`. `..` is refused too: it reads as a parent folder in URLs.
 */
const SEGMENT: Rule[] = [
  [matches(/^[A-Za-z0-9_.-]+$/), "must use only letters, digits, '_', '-' and '.' in each path segment"],
  [lacks(/^[-.]/), "must not start a path segment with '-' or '.'"],
  [lacks(/\.\./), "must not contain '..'"],
  [lacks(/\.(git|atom)$/), "must not end a path segment with .git or .atom (GitLab reserves them)"],
  [lacks(/[-.]$/), "must not end a path segment with '-' or '.'"],
  [(t) => t.length <= 255, "must keep each path segment to 255 characters"],
];

/** A group path: one to 20 segments (GitLab nests subgroups 20 deep at most). */
export const groupPath = () =>
  ruled(
    [matches(/^[^/]+(\/[^/]+)*$/), "must be a group path such as my-group or parent/child, with no empty segment"],
    [(t) => t.split("/").length <= 20, "must nest at most 20 groups deep"],
    ...everySegment(SEGMENT),
  );

/** A project path inside its group: one segment. */
export const projectPath = () =>
  ruled([lacks(/\//), "must be the project's own path without its group (that is gitlab.group)"], ...SEGMENT);

/** A full project path, group/project, for GitLab-managed state. */
export const fullProjectPath = () =>
  ruled(
    [matches(/^[^/]+(\/[^/]+)+$/), "must be a numeric project id or a group/project path"],
    ...everySegment(SEGMENT),
  );

/**
 * A branch name git accepts (https://git-scm.com/docs/git-check-ref-format), checked rule by
 * rule, then a narrower character set: the name also reaches Terraform, Flux YAML and URLs.
 */
export const branch = () =>
  ruled(
    [(t) => t.length >= 1 && t.length <= 200, "must be 1-200 characters"],
    // eslint-disable-next-line no-control-regex -- control characters are what git refuses here
    [lacks(/[\u0000-\u0020\u007f]/), "must not contain spaces or control characters (git check-ref-format)"],
    [lacks(/^-/), "must not start with '-' (git reads it as an option)"],
    [lacks(/^\/|\/$|\/\//), "must not start or end with '/' or contain '//' (git check-ref-format)"],
    [lacks(/(^|\/)\./), "must not start a component with '.' (git check-ref-format)"],
    [lacks(/\.lock(\/|$)/), "must not end a component with .lock (git check-ref-format: git's lock files)"],
    [lacks(/\.\./), "must not contain '..' (git check-ref-format: it means a range)"],
    [lacks(/\.$/), "must not end with '.' (git check-ref-format)"],
    [lacks(/@\{/), "must not contain '@{' (git check-ref-format: reflog syntax)"],
    [(t) => t !== "@", "must not be '@' (git check-ref-format: it means HEAD)"],
    [(t) => t !== "HEAD", "must not be HEAD (git refuses it as a branch name: it names the checked-out commit)"],
    [lacks(/[~^:?*[\\]/), "must not contain ~ ^ : ? * [ or \\ (git check-ref-format)"],
    [matches(/^[A-Za-z0-9._/+-]+$/), "must use only letters, digits and . _ - + / (a safe subset of what git allows)"],
  );

const LOCAL_HOST = /^(localhost|127(\.\d{1,3}){3})$/;

/**
 * The GitLab instance's root URL: scheme, host and optional port, nothing else. The tool appends
 * `/api/v4` itself; a path (a project URL pasted by mistake), query, user or password is refused.
 */
export const baseUrl = () =>
  ruled(
    [matches(/^https?:\/\//), "must be an http(s) URL such as https://gitlab.com"],
    [lacks(/^https?:\/\/[^/?#]*@/), "must not contain a user name or password (user@): GitLab reads GITLAB_TOKEN"],
    [(t) => hostOf(t) !== undefined, "must have a host name or IPv4 address, e.g. https://gitlab.example.com"],
    [(t) => portProblem(portOf(t)) === undefined, "must have a port of 1-65535, if any"],
    [
      lacks(/^https?:\/\/[^/?#]*\/api(\/|$)/),
      "must not end in /api/v4: the tool adds it (give https://gitlab.example.com)",
    ],
    [lacks(/[?#]/), "must not have a query or fragment"],
    [
      matches(/^https?:\/\/[^/]*\/?$/),
      "must be the instance's root URL with no path (GitLab under a relative URL root is not supported)",
    ],
    [
      (t) => t.startsWith("https://") || LOCAL_HOST.test(hostOf(t) ?? ""),
      "must use https:// (plain http:// only for localhost: the token would cross the network in clear text)",
    ],
  ).transform((u) => u.replace(/\/+$/, ""));

function authority(url: string): string {
  return /^https?:\/\/([^/?#]*)/.exec(url)?.[1] ?? "";
}
function hostOf(url: string): string | undefined {
  const host = /^([^:]*)(:.*)?$/.exec(authority(url))?.[1] ?? "";
  return HOST.test(host) ? host : undefined;
}
function portOf(url: string): string | undefined {
  return /:([^:]*)$/.exec(authority(url))?.[1];
}

/** The SSH host (and port) Flux clones from: `host` or `host:port`, no user, no scheme. */
export const sshHost = () =>
  ruled(
    [lacks(/:\/\//), "must be a host name without a scheme (not ssh://...)"],
    [lacks(/@/), "must not contain a user (Flux always connects as git@)"],
    [(t) => HOST.test(t.split(":")[0]), "must be a host name, optionally with :port, e.g. gitlab.example.com:2222"],
    [
      (t) => t.split(":").length <= 2 && portProblem(t.split(":")[1]) === undefined,
      "must have a port of 1-65535, if any",
    ],
  );

/** GitLab.com and its alternate SSH host share the host keys GitLab publishes. */
export function isGitlabCom(sshHost: string): boolean {
  return /^(altssh\.)?gitlab\.com(:\d+)?$/.test(sshHost);
}

/**
 * One known_hosts line (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): host patterns (names, `[host]:port`,
 * wildcards, comma lists) or a hashed `|1|salt|hash`, a key type and the base64 key. The pattern
 * characters are listed rather than `\S+`: the line reaches Terraform, so no `$`, `%` or `{`.
 */
const KNOWN_HOSTS_LINE = new RegExp(
  [
    String.raw`^(\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+|[A-Za-z0-9.\-[\]:,*?!]+)`, // hashed, or host patterns
    String.raw` (ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))`, // key type
    String.raw` [A-Za-z0-9+/]+={0,3}$`, // base64 key
  ].join(""),
);
export const knownHostsLine = () =>
  ruled([matches(KNOWN_HOSTS_LINE), "must be a known_hosts line: HOST KEYTYPE BASE64KEY (ssh-keyscan prints them)"]);
