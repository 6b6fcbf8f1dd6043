import type { Construct } from "constructs";
import { Token } from "cdktf";
import { isKnownRegion } from "../aws/aws-regions";
import { cidrProblem, ipv6CidrProblem } from "../aws/cidr";

/**
 * How the constructs check their props: each construct module exports the
 * checks of its props as functions that return problems, calls them in its
 * constructor and refuses the first problem; the settings validation calls
 * the same functions and reports each problem against its setting. One rule,
 * one place.
 */

/** What is wrong with one prop, in one line. */
export interface PropProblem {
  /** The prop, dotted below the construct's props: `minSize`, `healthCheck.timeoutSeconds`, `names.loadBalancer`. */
  readonly prop: string;
  readonly message: string;
}

/** Props a construct cannot be built from. The message names the construct, its path and the prop. */
export class InvalidPropsError extends Error {
  override readonly name = "InvalidPropsError";
}

/** Throws an `InvalidPropsError` for the first problem: `AppTier example/app-tier: minSize: 3 is above maxSize 2`. */
export function refuseProblems(construct: Construct, problems: readonly (PropProblem | undefined)[]): void {
  const found = problems.filter((problem): problem is PropProblem => problem !== undefined);
  if (found.length === 0) return;
  const [first] = found;
  const more = found.length > 1 ? ` (and ${found.length - 1} more)` : "";
  throw new InvalidPropsError(`${construct.constructor.name} ${construct.node.path}: ${first.prop}: ${first.message}${more}`);
}

/**
 * The checks below pass a Terraform reference (a cdktf token, resolved only
 * at apply time) as it is: only literal values are checked.
 */

/** A problem when `value` is not a whole number from `min` to `max` (no upper bound by default). */
export function integerProblem(prop: string, value: number, min: number, max = Infinity): PropProblem | undefined {
  if (Token.isUnresolved(value) || (Number.isInteger(value) && value >= min && value <= max)) return undefined;
  return { prop, message: max === Infinity ? `${value} is not a whole number of at least ${min}` : `${value} is not a whole number from ${min} to ${max}` };
}

/** A problem when `value` is not one of `allowed`. */
export function choiceProblem<T>(prop: string, value: T, allowed: readonly T[]): PropProblem | undefined {
  if (Token.isUnresolved(value) || allowed.includes(value)) return undefined;
  return { prop, message: `${JSON.stringify(value)} is not one of ${allowed.map((choice) => JSON.stringify(choice)).join(", ")}` };
}

/** A problem when `value` is longer than `max` or does not match `pattern`, saying what is `allowed`. */
export function nameProblem(prop: string, what: string, value: string, max: number, pattern: RegExp, allowed: string): PropProblem | undefined {
  if (Token.isUnresolved(value)) return undefined;
  if (value === "") return { prop, message: `the ${what} is empty; give one of 1 to ${max} characters` };
  if (value.length > max) return { prop, message: `the ${what} "${value}" is ${value.length} characters; AWS allows ${max}` };
  if (!pattern.test(value)) return { prop, message: `the ${what} "${value}" must use ${allowed}` };
  return undefined;
}

/** A problem when `value` is not an IPv4 network CIDR. */
export function cidrPropProblem(prop: string, value: string): PropProblem | undefined {
  const problem = Token.isUnresolved(value) ? undefined : cidrProblem(value);
  return problem ? { prop, message: problem } : undefined;
}

/** A problem when `value` is not an IPv6 network CIDR. */
export function ipv6CidrPropProblem(prop: string, value: string): PropProblem | undefined {
  const problem = Token.isUnresolved(value) ? undefined : ipv6CidrProblem(value);
  return problem ? { prop, message: problem } : undefined;
}

/** A problem when `region` is not one this project knows (its partition, ELB account and endpoints come from that list). */
export function regionPropProblem(prop: string, region: string): PropProblem | undefined {
  if (Token.isUnresolved(region) || isKnownRegion(region)) return undefined;
  return { prop, message: `"${region}" is not an AWS region this project knows (src/aws/aws-regions.ts)` };
}

/**
 * The one candidate nearest to `value` when it is near enough to be a slip of
 * the keyboard (a letter or two wrong, missing, extra or swapped, case
 * aside), and no other candidate is as near: what a "did you mean" names.
 */
export function closestMatch(value: string, candidates: readonly string[]): string | undefined {
  const allowed = Math.max(1, Math.floor(value.length / 3));
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(value.toLowerCase(), candidate.toLowerCase()) }));
  const best = Math.min(...scored.map((entry) => entry.distance));
  const nearest = scored.filter((entry) => entry.distance === best);
  return best <= allowed && nearest.length === 1 ? nearest[0].candidate : undefined;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
