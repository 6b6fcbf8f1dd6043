import type { Node } from "constructs";
import {
  TerraformBackend,
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformModule,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
} from "cdktf";

/**
 * The base of the project's stacks: Terraform addresses come from the
 * construct path, without cdktf's hash suffix, so
 * `aws_nat_gateway.network_nat_gateway_2` reads better in a plan than
 * `network_nat-gateway-2_5B1B2A3C`. Two paths can map to one address
 * (`main-vpc` and `main_vpc`, `a/b` and `a_b`), where cdktf would silently
 * keep one of the two resources: the second one throws instead, naming both.
 */
export abstract class ProjectStack extends TerraformStack {
  /** Path of the construct each Terraform address was given to. */
  private readonly addressOwners = new Map<string, string>();

  protected override allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof TerraformElement ? element.node : element;
    const logicalId = node.scopes
      .slice(2)
      .map((scope) => scope.node.id)
      .join("_")
      .replace(/[^A-Za-z0-9_]/g, "_");
    if (element instanceof TerraformElement) {
      const address = `${addressKind(element)}.${logicalId}`;
      const owner = this.addressOwners.get(address);
      if (owner !== undefined && owner !== node.path) {
        throw new Error(
          `${node.path} and ${owner} both map to the Terraform address ${address}; ` +
            "give one of them a construct id that differs in more than its punctuation",
        );
      }
      this.addressOwners.set(address, node.path);
    }
    return logicalId;
  }
}

/** What a name is unique among in Terraform: resources of one type, data sources of one type, outputs, ... */
function addressKind(element: TerraformElement): string {
  if (element instanceof TerraformDataSource) return `data.${element.terraformResourceType}`;
  if (element instanceof TerraformResource) return element.terraformResourceType;
  if (element instanceof TerraformProvider) return `provider.${element.terraformResourceType}`;
  if (element instanceof TerraformOutput) return "output";
  if (element instanceof TerraformLocal) return "local";
  if (element instanceof TerraformVariable) return "var";
  if (element instanceof TerraformModule) return "module";
  if (element instanceof TerraformBackend) return "backend";
  return "element";
}
