import type { IConstruct } from "constructs";
import { Aspects, type IAspect } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";

/**
 * Every IAM role under `scope` gets `policyArn` as its permissions boundary,
 * as AWS CDK's `PermissionsBoundary.of(scope).apply()` does: a role added to
 * any construct later carries it without being told. A CI role may create and
 * change a role only with this boundary (src/ci-access/environment-permissions.ts),
 * so a role without it would stop the deploy.
 */
export function applyPermissionsBoundary(scope: IConstruct, policyArn: string): void {
  Aspects.of(scope).add(new PermissionsBoundaryAspect(policyArn));
}

class PermissionsBoundaryAspect implements IAspect {
  constructor(private readonly policyArn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole) node.permissionsBoundary = this.policyArn;
  }
}
