import { Construct } from "constructs";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { PermissionSet } from "./environment-permissions";
import { policyDocument } from "../aws/iam-policy";
import { nameProblem, refuseProblems } from "../props/prop-problems";

export interface CiRoleProps {
  /** IAM role name (at most 64 characters; each policy is named `<name>-<set>`). */
  readonly name: string;
  readonly description: string;
  /** The trust policy (JSON text, from `webIdentityTrust`). */
  readonly trustPolicy: string;
  /** What the role may do: one customer managed policy per set. */
  readonly permissions: readonly PermissionSet[];
  /** Longest session a run gets, in seconds. @default 3600 */
  readonly maxSessionSeconds?: number;
}

/**
 * A role a CI run assumes with its OIDC token: the trust policy decides which
 * runs, the permission sets what they may do. Each set is a customer managed
 * policy of its own (IAM caps one at 6,144 characters; a role's inline
 * policies share one 10,240-character budget).
 */
export class CiRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: CiRoleProps) {
    super(scope, id);
    refuseProblems(this, [
      nameProblem("name", "role name", props.name, 64, /^[\w+=,.@-]+$/, "letters, digits and +=,.@_-"),
      props.permissions.length > 0 ? undefined : { prop: "permissions", message: "a CI role needs at least one permission set" },
    ]);
    const role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: props.trustPolicy,
      maxSessionDuration: props.maxSessionSeconds ?? 3600,
      tags: { Name: props.name },
    });
    for (const set of props.permissions) {
      const policy = new IamPolicy(this, `${set.name}-policy`, {
        name: `${props.name}-${set.name}`,
        description: `${set.name} permissions of ${props.name}`,
        policy: policyDocument(set.statements),
        tags: { Name: `${props.name}-${set.name}` },
      });
      new IamRolePolicyAttachment(this, `${set.name}-attachment`, { role: role.name, policyArn: policy.arn });
    }
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
