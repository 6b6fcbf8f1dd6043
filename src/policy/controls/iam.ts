import { type Finding, type Control } from "../control";
import { identityPolicies, managedPolicyAttachments } from "../../terraform/document";

/**
 * IAM controls: no `*` action or resource, no AdministratorAccess, AWS managed policies only from a reviewed list.
 */

/**
 * AWS managed policies the project attaches, reviewed by hand: their text
 * is AWS's and not in the synthesized JSON, so the `*` checks cannot read it.
 * Any other AWS managed policy fails CKV_AWS_274 until it is reviewed here.
 */
export const REVIEWED_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  AmazonSSMManagedInstanceCore:
    "Session Manager instead of SSH (no key pair, no port 22). AWS's minimal policy for the SSM agent; " +
    "its few `Resource: *` statements are for ssm, ssmmessages and ec2messages actions that have no resource-level permissions.",
  "service-role/AmazonRDSEnhancedMonitoringRole": "Lets RDS publish Enhanced Monitoring metrics: CloudWatch Logs actions on the RDSOSMetrics log group only.",
};

const MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

const wildcardAction = (action: string) => action === "*" || /^[a-z0-9-]+:\*$/i.test(action);

export const iamControls: Control[] = [
  {
    id: "CKV_AWS_62",
    aliases: ["CKV_AWS_63", "CKV_AWS_355", "CKV_AWS_290"],
    title: "IAM policies allow no `*` action and no `*` resource",
    scopes: ["inventory", "state"],
    check: ({ document }) =>
      identityPolicies(document).flatMap(({ address, description, reading }): Finding[] => {
        if ("problem" in reading) return [{ address, problem: `${description}: ${reading.problem}` }];
        return reading.statements
          .filter((statement) => statement.effect === "Allow")
          .flatMap((statement) => [
            ...statement.actions.filter(wildcardAction).map((action) => `allows action ${action}`),
            ...(statement.notActions.length > 0 ? ["allows NotAction, every action but a few"] : []),
            ...statement.resources.filter((resource) => resource === "*").map(() => `allows ${statement.actions.join(", ")} on resource *`),
            ...(statement.notResources.length > 0 ? ["allows NotResource, every resource but a few"] : []),
          ])
          .map((problem) => ({ address, problem: `${description} ${problem}` }));
      }),
  },
  {
    id: "CKV_AWS_274",
    aliases: [],
    title: "No AdministratorAccess, and AWS managed policies only from the reviewed list",
    scopes: ["inventory", "state"],
    check: ({ document }) =>
      managedPolicyAttachments(document).flatMap(({ address, policyArn, attachedTo }): Finding[] => {
        const managed = MANAGED_POLICY.exec(policyArn)?.[1];
        if (managed === undefined) return [];
        if (managed === "AdministratorAccess") return [{ address, problem: `attaches AdministratorAccess to ${attachedTo}` }];
        return REVIEWED_MANAGED_POLICIES[managed]
          ? []
          : [{ address, problem: `attaches AWS managed policy ${managed} to ${attachedTo}, which is not on the reviewed list` }];
      }),
  },
];
