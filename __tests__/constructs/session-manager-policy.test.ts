import { Testing } from "cdktf";
import { SessionManagerPolicy } from "../../src/constructs/compute/session-manager-policy";
import { expectRefused, onlyResource } from "../support/stacks";

function synthPolicy(region = "us-west-2") {
  return JSON.parse(
    Testing.synthScope((scope) => {
      new SessionManagerPolicy(scope, "session-manager", { roleName: "Inventory-App-Role", accountId: "111122223333", region });
    }),
  );
}

describe("SessionManagerPolicy", () => {
  const [, policy] = onlyResource(synthPolicy(), "aws_iam_role_policy");
  const statements = JSON.parse(policy.policy).Statement;
  const fromOurInstances = { ArnLike: { "ec2:SourceInstanceARN": "arn:aws:ec2:us-west-2:111122223333:instance/*" } };

  it("gives the role the agent's registration and the session channels, for this account's and region's instances only", () => {
    expect(policy.role).toBe("Inventory-App-Role");
    // The inline policy's name on the role, what the console and `aws iam list-role-policies` show.
    expect(policy.name).toBe("session-manager");
    expect(statements).toEqual([
      { Sid: "SessionManagerRegistersTheInstance", Effect: "Allow", Action: "ssm:UpdateInstanceInformation", Resource: "*", Condition: fromOurInstances },
      {
        Sid: "SessionManagerOpensSessionChannels",
        Effect: "Allow",
        Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: "*",
        Condition: fromOurInstances,
      },
    ]);
  });

  it("allows no Parameter Store, document, Run Command (ec2messages) or S3 action", () => {
    const actions = statements.flatMap((statement: any) => [statement.Action].flat());
    expect(actions.filter((action: string) => /^(ssm:(Get|Put|Describe|List|Send)|ec2messages:|s3:|kms:)/.test(action))).toStrictEqual([]);
  });

  it("follows the region's partition", () => {
    const [, china] = onlyResource(synthPolicy("cn-north-1"), "aws_iam_role_policy");
    expect(JSON.parse(china.policy).Statement[0].Condition.ArnLike["ec2:SourceInstanceARN"]).toBe("arn:aws-cn:ec2:cn-north-1:111122223333:instance/*");
  });

  it("refuses a region it does not know, naming its path and the prop", () => {
    expectRefused(() => synthPolicy("us-west-9"), "SessionManagerPolicy stack/session-manager", 'region: "us-west-9" is not an AWS region this project knows');
  });
});
