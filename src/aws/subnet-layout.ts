import { Token } from "cdktf";
import { allocate, cidrProblem, contains, format, overlaps, parseCidr, size } from "./cidr";
import type { PropProblem } from "../props/prop-problems";

/**
 * Where a Network's subnets go: the CIDRs it is given, or blocks laid out
 * from its VPC's CIDR, checked the way AWS checks them. The settings
 * validation reports the same problems against its settings.
 */

/** The lab's VPC CIDR, the Network's default. */
export const DEFAULT_VPC_CIDR = "10.0.0.0/20";

/** The CIDRs a Network is given (its props of the same names). */
export interface SubnetCidrs {
  /** @default DEFAULT_VPC_CIDR */
  readonly vpcCidr?: string;
  /** @default laid out from the VPC's CIDR */
  readonly publicSubnetCidrs?: readonly string[];
  /** @default laid out from the VPC's CIDR */
  readonly privateSubnetCidrs?: readonly string[];
}

/** The subnet CIDRs of a VPC: as given, or laid out from the VPC's CIDR, and what is wrong with them. */
export interface SubnetLayout {
  readonly publicSubnetCidrs: string[];
  readonly privateSubnetCidrs: string[];
  readonly problems: PropProblem[];
}

/**
 * The subnets' CIDRs: the given ones, and the missing ones carved from the
 * VPC CIDR (public blocks first, then private, each aligned to its size, after
 * the highest given block), with every problem: a VPC or subnet AWS refuses,
 * a subnet outside the VPC, two that overlap, a count that is not one per
 * zone, private subnets given where the computed public ones belong.
 */
export function subnetLayout(props: SubnetCidrs, zoneCount: number): SubnetLayout {
  const vpcCidr = props.vpcCidr ?? DEFAULT_VPC_CIDR;
  const result = { publicSubnetCidrs: [] as string[], privateSubnetCidrs: [] as string[], problems: [] as PropProblem[] };
  const refuse = (prop: string, message: string) => {
    result.problems.push({ prop, message });
    return result;
  };
  const concrete = (value: string) =>
    Token.isUnresolved(value) ? "must be a literal CIDR, not a Terraform reference: the subnets are laid out from it" : cidrProblem(value);
  const vpcProblem = concrete(vpcCidr);
  if (vpcProblem) return refuse("vpcCidr", vpcProblem);
  const vpc = parseCidr(vpcCidr);
  if (vpc.prefixLength < 16 || vpc.prefixLength > 28) return refuse("vpcCidr", `${vpcCidr} is a /${vpc.prefixLength}; AWS VPCs are /16 to /28`);
  const givenPublic = props.publicSubnetCidrs;
  const givenPrivate = props.privateSubnetCidrs;
  for (const [prop, given] of [
    ["publicSubnetCidrs", givenPublic],
    ["privateSubnetCidrs", givenPrivate],
  ] as const) {
    if (given && given.length !== zoneCount) return refuse(prop, `has ${given.length} CIDRs for ${zoneCount} availability zones; give one per zone`);
    const malformed = given?.findIndex((block) => concrete(block) !== undefined) ?? -1;
    if (malformed >= 0) return refuse(`${prop}.${malformed}`, concrete(given![malformed])!);
  }

  const computedLengths = [
    ...(givenPublic ? [] : Array<number>(zoneCount).fill(vpc.prefixLength + 4)),
    ...(givenPrivate ? [] : Array<number>(zoneCount).fill(vpc.prefixLength + 3)),
  ];
  let computed: string[] = [];
  if (computedLengths.some((length) => length > 28)) {
    return refuse(
      "vpcCidr",
      `${vpcCidr} is too small to compute subnets from (they would be /${Math.max(...computedLengths)}, AWS subnets are /16 to /28); ` +
        "give publicSubnetCidrs and privateSubnetCidrs",
    );
  }
  if (givenPrivate && !givenPublic && zoneCount <= 16) {
    // The public subnets' documented place is the start of the VPC; private blocks given over it would push them elsewhere unasked.
    const defaultPublic = allocate(vpc, Array<number>(zoneCount).fill(vpc.prefixLength + 4));
    givenPrivate.forEach((block, index) => {
      const covered = defaultPublic.filter((publicBlock) => overlaps(publicBlock, parseCidr(block))).map(format);
      if (covered.length > 0)
        refuse(
          `privateSubnetCidrs.${index}`,
          `${block} overlaps the default public subnet${covered.length > 1 ? "s" : ""} ${covered.join(" and ")}; ` +
            `give publicSubnetCidrs as well, or a private CIDR outside ${defaultPublic.map(format).join(" and ")}`,
        );
    });
    if (result.problems.length > 0) return result;
  }
  if (computedLengths.length > 0) {
    // Computed blocks start after the highest given one so they never collide with it.
    const givenInside = [...(givenPublic ?? []), ...(givenPrivate ?? [])].map(parseCidr).filter((block) => contains(vpc, block));
    const startAt = givenInside.reduce((end, block) => Math.max(end, block.base + size(block)), vpc.base);
    try {
      computed = allocate(vpc, computedLengths, startAt).map(format);
    } catch (error) {
      return refuse("vpcCidr", `${vpcCidr} has no room for the computed subnets (${(error as Error).message}); give publicSubnetCidrs and privateSubnetCidrs`);
    }
  }
  result.publicSubnetCidrs = givenPublic ? [...givenPublic] : computed.splice(0, zoneCount);
  result.privateSubnetCidrs = givenPrivate ? [...givenPrivate] : computed.splice(0, zoneCount);

  const all = [
    ...result.publicSubnetCidrs.map((block, index) => ({ block, prop: `publicSubnetCidrs.${index}` })),
    ...result.privateSubnetCidrs.map((block, index) => ({ block, prop: `privateSubnetCidrs.${index}` })),
  ];
  all.forEach((subnet, index) => {
    const block = parseCidr(subnet.block);
    if (block.prefixLength < 16 || block.prefixLength > 28) {
      result.problems.push({ prop: subnet.prop, message: `${subnet.block} is a /${block.prefixLength}; AWS subnets are /16 to /28` });
    } else if (!contains(vpc, block)) {
      result.problems.push({ prop: subnet.prop, message: `${subnet.block} is not inside the VPC CIDR ${vpcCidr}` });
    } else {
      const clash = all.slice(0, index).find((other) => overlaps(parseCidr(other.block), block));
      if (clash) result.problems.push({ prop: subnet.prop, message: `${subnet.block} overlaps ${clash.block} (${clash.prop})` });
    }
  });
  return result;
}
