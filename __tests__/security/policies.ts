import { readFileSync } from "fs";
import * as path from "path";
import { Json } from "../helpers";

/**
 * The statements of a policy as synthesized: plain JSON, or a `${jsonencode({...})}` expression
 * (documents holding references), read with each reference (`aws_x.y.arn`,
 * `element(split(...))`) kept as its expression text in a string.
 */
export function statementsOf(text: string): Json[] {
  const wrapped = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(text);
  return JSON.parse(wrapped ? hclToJson(wrapped[1]) : text).Statement;
}

function hclToJson(src: string): string {
  let out = "";
  let i = 0;
  // The end of the string literal opening at `start`, past any `${...}` inside it (which may quote).
  const stringEnd = (start: number) => {
    let j = start + 1;
    let depth = 0;
    for (; depth > 0 || src[j] !== '"'; j++) {
      if (src[j] === "\\") j++;
      else if (src.startsWith("${", j)) {
        depth++;
        j++;
      } else if (depth > 0 && src[j] === '"') j = stringEnd(j) - 1;
      else if (depth > 0 && src[j] === "}") depth--;
    }
    return j + 1;
  };
  while (i < src.length) {
    if (src[i] === '"') {
      const end = stringEnd(i);
      out += JSON.stringify(src.slice(i + 1, end - 1));
      i = end;
    } else if (src.startsWith(" = ", i)) {
      out += ": ";
      i += 3;
    } else if (/[A-Za-z_]/.test(src[i])) {
      let j = i;
      let depth = 0;
      while (j < src.length && !(depth === 0 && /[,}\]]/.test(src[j]))) {
        if (src[j] === '"') {
          j = stringEnd(j);
          continue;
        }
        depth += src[j] === "(" ? 1 : src[j] === ")" ? -1 : 0;
        j++;
      }
      out += JSON.stringify(src.slice(i, j));
      i = j;
    } else {
      out += src[i++];
    }
  }
  return out;
}

/** Whether an IAM action changes something (anything but Describe, Get, List reads). */
export const isWrite = (action: string) => !/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/.test(action);

/**
 * The load balancer controller's published statements that allow writes on `*` without a
 * condition (listeners, rules, WAF and Shield associations, security group ingress): kept as
 * published, since their resources carry no tag the controller could be held to. By action list.
 */
export const PUBLISHED_UNCONDITIONED = new Set(
  (
    JSON.parse(
      readFileSync(path.join(__dirname, "../../constructs/core/addons/load-balancer-controller-policy.json"), "utf8"),
    ).Statement as Json[]
  )
    .filter((s) => s.Resource === "*" && !s.Condition)
    .map((s) => JSON.stringify([s.Action].flat())),
);
