import { Construct } from "constructs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { awsPartition, type PolicyStatementProps, policyDocument } from "../../aws/iam-policy";
import { refuseProblems, regionPropProblem } from "../../props/prop-problems";

/**
 * The permissions Session Manager needs on an instance's role, and no more,
 * as AWS's "Create a custom IAM role for Session Manager" lists them: the SSM
 * agent registers and keeps the instance's record (ssm:UpdateInstanceInformation)
 * and opens the control and data channels of a session (ssmmessages). Not
 * AmazonSSMManagedInstanceCore, which also lets the instance read every
 * Parameter Store value and document of the account (ssm:GetParameter(s),
 * ssm:GetDocument on `*`) for Run Command, State Manager and Patch Manager,
 * which these servers do not use; nor ec2messages, Run Command's channel.
 * Session logs to S3 or CloudWatch and KMS-encrypted sessions would need more;
 * the project turns neither on.
 */

/** The agent's actions, in the order AWS's page lists them. */
export const SESSION_MANAGER_ACTIONS = {
  registration: ["ssm:UpdateInstanceInformation"],
  channels: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
} as const;

export interface SessionManagerPolicyProps {
  /** Name of the instances' role (its `name` or `id`). */
  readonly roleName: string;
  /** The account the instances run in (a reference such as `Network.accountId`). */
  readonly accountId: string;
  /** Region of the instances (one of `AWS_REGIONS`). */
  readonly region: string;
}

/**
 * An inline policy on an EC2 role that lets Session Manager reach the
 * instances: no key pair, no port 22, and nothing else of Systems Manager.
 */
export class SessionManagerPolicy extends Construct {
  /** The statements, for documentation and tests. */
  readonly statements: readonly PolicyStatementProps[];

  constructor(scope: Construct, id: string, props: SessionManagerPolicyProps) {
    super(scope, id);
    refuseProblems(this, [regionPropProblem("region", props.region)]);
    // These actions have no resource type in the Service Authorization Reference: their resource can only be `*`.
    // What narrows them is the instance the request comes from: role credentials that EC2 delivered to an
    // instance of this account and region carry its ARN (ec2:SourceInstanceARN), which both services check.
    const fromOurInstances = [
      {
        test: "ArnLike",
        variable: "ec2:SourceInstanceARN",
        values: [`arn:${awsPartition(props.region)}:ec2:${props.region}:${props.accountId}:instance/*`],
      },
    ];
    this.statements = [
      { sid: "SessionManagerRegistersTheInstance", actions: SESSION_MANAGER_ACTIONS.registration, resources: ["*"], conditions: fromOurInstances },
      { sid: "SessionManagerOpensSessionChannels", actions: SESSION_MANAGER_ACTIONS.channels, resources: ["*"], conditions: fromOurInstances },
    ];
    new IamRolePolicy(this, "policy", { name: "session-manager", role: props.roleName, policy: policyDocument(this.statements) });
  }
}
