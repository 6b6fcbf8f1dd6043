import type { Node } from "constructs";
import { TerraformElement, TerraformStack } from "cdktf";

/**
 * The base of the project's stacks: Terraform addresses come from the
 * construct path, without cdktf's hash suffix, so
 * `aws_nat_gateway.network_nat_gateway_2` reads better in a plan than
 * `network_nat-gateway-2_5B1B2A3C`. Paths are unique, so are these.
 */
export abstract class ProjectStack extends TerraformStack {
  protected override allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof TerraformElement ? element.node : element;
    return node.scopes
      .slice(2)
      .map((scope) => scope.node.id)
      .join("_")
      .replace(/[^A-Za-z0-9_]/g, "_");
  }
}
