import { Construct } from "constructs";
import { TerraformOutput, Testing } from "cdktf";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { ProjectStack } from "../../src/stacks/project-stack";

class ExampleStack extends ProjectStack {}

const newStack = () => new ExampleStack(Testing.app(), "example");

describe("ProjectStack's readable Terraform addresses", () => {
  it("flattens the construct path below the stack into the resource name", () => {
    const stack = newStack();
    new Vpc(new Construct(stack, "network"), "main-vpc", { cidrBlock: "10.0.0.0/16" });
    expect(Object.keys(JSON.parse(Testing.synth(stack)).resource.aws_vpc)).toEqual(["network_main_vpc"]);
  });

  it("refuses a second construct whose id maps to an address already used (main-vpc and main_vpc), naming both paths", () => {
    const stack = newStack();
    new Vpc(stack, "main-vpc", { cidrBlock: "10.0.0.0/16" });
    new Vpc(stack, "main_vpc", { cidrBlock: "10.1.0.0/16" });
    expect(() => Testing.synth(stack)).toThrow(
      "example/main_vpc and example/main-vpc both map to the Terraform address aws_vpc.main_vpc; " +
        "give one of them a construct id that differs in more than its punctuation",
    );
  });

  it("refuses a path that flattens onto another one (a/b and a_b)", () => {
    const stack = newStack();
    new Vpc(new Construct(stack, "a"), "b", { cidrBlock: "10.0.0.0/16" });
    new Vpc(stack, "a_b", { cidrBlock: "10.1.0.0/16" });
    expect(() => Testing.synth(stack)).toThrow(/^example\/a_b and example\/a\/b both map to the Terraform address aws_vpc\.a_b;/);
  });

  it("refuses two outputs that map to one name", () => {
    const stack = newStack();
    new TerraformOutput(stack, "vpc-id", { value: "a" });
    new TerraformOutput(stack, "vpc_id", { value: "b" });
    expect(() => Testing.synth(stack)).toThrow(/both map to the Terraform address output\.vpc_id;/);
  });

  it("lets resources of different types share a name, as Terraform does", () => {
    const stack = newStack();
    const vpc = new Vpc(stack, "main-vpc", { cidrBlock: "10.0.0.0/16" });
    new Subnet(stack, "main_vpc", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" });
    const document = JSON.parse(Testing.synth(stack));
    expect(Object.keys(document.resource.aws_vpc)).toEqual(["main_vpc"]);
    expect(document.resource.aws_subnet.main_vpc.vpc_id).toBe("${aws_vpc.main_vpc.id}");
  });
});
