import { Testing } from "cdktf";
import type { Construct } from "constructs";
import { Json, resources } from "../../helpers";

/** The JSON a construct synthesizes on its own, in a throwaway stack. */
export function synthConstruct(build: (scope: Construct) => void): Json {
  return JSON.parse(Testing.synthScope(build));
}

/** The single resource of `type`, or a failure naming how many there were. */
export function only(json: Json, type: string): Json {
  const found = resources(json, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

export { resources };
