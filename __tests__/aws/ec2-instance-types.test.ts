import { _InstanceType } from "@aws-sdk/client-ec2";
import { EC2_INSTANCE_FAMILIES, instanceArchitecture, instanceTypeProblem } from "../../src/aws/ec2-instance-types";
import { instanceClassProblem } from "../../src/aws/database-instance-classes";
import { PRICE_TABLE } from "../../src/terraform/cost-prices";

/** EC2's own list (the AWS SDK's enum of the API's instance types), family -> sizes. */
const AWS_SIZES = new Map<string, string[]>();
for (const type of Object.values(_InstanceType)) {
  const [family, size] = type.split(".");
  AWS_SIZES.set(family, [...(AWS_SIZES.get(family) ?? []), size]);
}

describe("the instance types the app servers may run on", () => {
  const families = Object.keys(EC2_INSTANCE_FAMILIES);

  it("are the current-generation burstable, general purpose, compute and memory optimized families EC2 lists", () => {
    const current = [...AWS_SIZES.keys()].filter((family) => /^t[2-9]|^[mcr][5-9]/.test(family));
    expect(families).toHaveLength(104);
    expect([...families].sort()).toEqual(current.sort());
    for (const family of ["t2", "t3", "t3a", "t4g", "m7i-flex", "c7g", "r8g"]) expect(families).toContain(family);
  });

  it("come in exactly the sizes EC2 lists for each family", () => {
    expect(Object.entries(EC2_INSTANCE_FAMILIES)).toHaveLength(104);
    for (const [family, sizes] of Object.entries(EC2_INSTANCE_FAMILIES)) {
      expect({ family, sizes: [...sizes].sort() }).toEqual({ family, sizes: [...AWS_SIZES.get(family)!].sort() });
    }
  });

  it("take every type the cost review prices, and the database every class it prices", () => {
    const { ec2InstanceHour, rdsMysqlInstanceHour } = PRICE_TABLE.regions["us-west-2"];
    expect(Object.keys(ec2InstanceHour)).toHaveLength(5);
    for (const type of Object.keys(ec2InstanceHour)) expect({ type, problem: instanceTypeProblem(type) }).toEqual({ type, problem: undefined });
    expect(Object.keys(rdsMysqlInstanceHour)).toHaveLength(4);
    for (const type of Object.keys(rdsMysqlInstanceHour)) expect({ type, problem: instanceClassProblem(type) }).toEqual({ type, problem: undefined });
  });

  it.each([
    ["t3.micro", "x86_64"],
    ["t3a.small", "x86_64"],
    ["m7i-flex.large", "x86_64"],
    ["c6gn.medium", "arm64"],
    ["t4g.micro", "arm64"],
    ["r8gd.large", "arm64"],
  ])("knows %s runs on %s", (type, architecture) => {
    expect(instanceArchitecture(type)).toBe(architecture);
  });

  it.each([
    [
      "a misspelt size",
      "t3.mirco",
      '"t3.mirco" is not an EC2 instance type: t3 comes in nano, micro, small, medium, large, xlarge, 2xlarge; did you mean t3.micro?',
    ],
    [
      "a size its family lacks",
      "c5.8xlarge",
      '"c5.8xlarge" is not an EC2 instance type: c5 comes in large, xlarge, 2xlarge, 4xlarge, 9xlarge, 12xlarge, 18xlarge, 24xlarge, metal',
    ],
    [
      "a previous-generation family",
      "m4.large",
      '"m4.large" is not an instance type the app servers run on: use <family>.<size> of a current-generation burstable (t2 to t8i), ' +
        "general purpose (m5 to m9gd), compute optimized (c5 to c9gd) or memory optimized (r5 to r9gd) family " +
        "(the list is src/aws/ec2-instance-types.ts); did you mean m5.large?",
    ],
    [
      "a family that does not exist, as near to two real ones",
      "t5.micro",
      '"t5.micro" is not an instance type the app servers run on: use <family>.<size> of a current-generation burstable (t2 to t8i), ' +
        "general purpose (m5 to m9gd), compute optimized (c5 to c9gd) or memory optimized (r5 to r9gd) family " +
        "(the list is src/aws/ec2-instance-types.ts)",
    ],
    ["no size at all", "t3", '"t3" is not an EC2 instance type like t3.micro'],
  ])("refuses %s: %s", (_, type, message) => {
    expect(instanceTypeProblem(type)).toBe(message);
  });
});
