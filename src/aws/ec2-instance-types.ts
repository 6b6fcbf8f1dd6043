import { closestMatch } from "../props/prop-problems";

/**
 * The EC2 instance types the app servers may run on: the current-generation
 * burstable (t2 on), general purpose (m5 on), compute optimized (c5 on) and
 * memory optimized (r5 on) families, each with exactly the sizes EC2's API
 * lists for it (a test holds this table to the AWS SDK's list of instance
 * types). Storage optimized, accelerated and previous-generation families are
 * left out: not what a PHP web tier runs on. A family missing here is added
 * as a line of this table.
 */

/** Sizes, and the families that come in exactly those sizes. */
const SIZES_AND_FAMILIES: readonly (readonly [sizes: string, families: string])[] = [
  ["nano micro small medium large xlarge 2xlarge", "t2 t3 t3a t4g"],
  ["nano micro small medium", "t8i"],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal", "m5 m5d m5dn m5n r5 r5b r5d r5dn r5n"],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", "m5a m5ad r5a r5ad c5a c5ad"],
  ["large xlarge 2xlarge 3xlarge 6xlarge 12xlarge metal", "m5zn"],
  ["large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal", "c5 c5d"],
  ["large xlarge 2xlarge 4xlarge 9xlarge 18xlarge metal", "c5n"],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal", "m6a c6a r6a"],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge metal", "m6i m6id m6idn m6in c6i c6id c6in r6i r6id r6idn r6in"],
  ["medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal", "m6g m6gd m7g m7gd c6g c6gd c7g c7gd c7gn r6g r6gd r7g r7gd"],
  ["medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge", "c6gn"],
  ["medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl", "m7a c7a r7a"],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl", "m7i c7i r7i"],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge", "m7i-flex m8i-flex c7i-flex c8i-flex r8i-flex"],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 32xlarge metal-16xl metal-32xl", "r7iz"],
  [
    "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl",
    "m8a m8g m8gb m8gd m8gn m9g m9gd c8a c8g c8gb c8gd c8gn r8a r8g r8gb r8gd r8gn",
  ],
  [
    "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge 96xlarge metal-48xl metal-96xl",
    "m8i m8ib m8id m8idb m8idn m8in c8i c8ib c8id c8in r8i r8ib r8id r8idb r8idn r8in",
  ],
  ["large xlarge 2xlarge 4xlarge 8xlarge 12xlarge", "m8ine c8ine"],
  ["medium large xlarge 3xlarge 6xlarge 12xlarge 24xlarge metal-12xl metal-24xl", "m8azn"],
  ["medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-48xl", "c9g c9gd r9g r9gd"],
];

/** The sizes of each family the app tier may use, `t3` -> nano to 2xlarge. */
export const EC2_INSTANCE_FAMILIES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  SIZES_AND_FAMILIES.flatMap(([sizes, families]) => families.split(" ").map((family) => [family, sizes.split(" ")] as const)),
);

/** Every instance type of the table, `t3.micro`. */
const INSTANCE_TYPES = Object.entries(EC2_INSTANCE_FAMILIES).flatMap(([family, sizes]) => sizes.map((size) => `${family}.${size}`));

/** EC2 instance types, like `t3.micro`. */
export const EC2_INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

/** The processor architecture of a type: Graviton families carry a `g` after their generation (t4g, m7g, c7gn). */
export function instanceArchitecture(instanceType: string): "arm64" | "x86_64" {
  return /^[a-z]+\d+g/.test(instanceType) ? "arm64" : "x86_64";
}

/** Why the app tier cannot run on `instanceType`, or undefined: a type of a family above, in one of its sizes. */
export function instanceTypeProblem(instanceType: string): string | undefined {
  if (!EC2_INSTANCE_TYPE.test(instanceType)) return `"${instanceType}" is not an EC2 instance type like t3.micro`;
  const [family, size] = instanceType.split(".");
  const sizes = EC2_INSTANCE_FAMILIES[family];
  if (sizes?.includes(size)) return undefined;
  const suggestion = closestMatch(instanceType, INSTANCE_TYPES);
  const didYouMean = suggestion ? `; did you mean ${suggestion}?` : "";
  if (sizes) return `"${instanceType}" is not an EC2 instance type: ${family} comes in ${sizes.join(", ")}${didYouMean}`;
  return (
    `"${instanceType}" is not an instance type the app servers run on: use <family>.<size> of a current-generation ` +
    `${familyRanges()} family (the list is src/aws/ec2-instance-types.ts)${didYouMean}`
  );
}

/** The families by kind, `burstable t2 to t8i, general purpose m5 to m9gd, ...`. */
function familyRanges(): string {
  const kinds = [
    ["t", "burstable"],
    ["m", "general purpose"],
    ["c", "compute optimized"],
    ["r", "memory optimized"],
  ] as const;
  return kinds
    .map(([letter, kind]) => {
      const families = Object.keys(EC2_INSTANCE_FAMILIES).filter((family) => family.startsWith(letter));
      const byGeneration = [...families].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
      return `${kind} (${byGeneration[0]} to ${byGeneration[byGeneration.length - 1]})`;
    })
    .join(", ")
    .replace(/, ([^,]+)$/, " or $1");
}
