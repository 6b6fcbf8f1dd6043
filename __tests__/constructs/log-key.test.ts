import { Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { encryptedWith, functionLogGroupName, LogKey, logKeyProblems, type LogKeyProps } from "../../src/constructs/monitoring/log-key";
import { onlyResource } from "../support/stacks";

const GROUPS = ["/inventory-ha/vpc-flow-logs", "/aws/lambda/inventory-db-app-user-rotation"];

function synthKey(overrides: Partial<LogKeyProps> = {}) {
  const json = Testing.synthScope((scope) => {
    const key = new LogKey(scope, "log-key", { region: "us-west-2", alias: "inventory-logs", logGroupNames: GROUPS, ...overrides });
    new CloudwatchLogGroup(scope, "group", { name: GROUPS[0], ...encryptedWith(key.encryption) });
  });
  return { json, document: JSON.parse(json) };
}

describe("LogKey", () => {
  const { json, document } = synthKey();
  const [keyName] = onlyResource(document, "aws_kms_key");
  const [policyName, keyPolicy] = onlyResource(document, "aws_kms_key_policy");
  const [localName] = Object.keys(document.locals);
  const ACCOUNT = `\${local.${localName}}`;

  it("is a customer managed key, rotated yearly, under its alias", () => {
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(json).toHaveResourceWithProperties(KmsAlias, { name: "alias/inventory-logs", target_key_id: `\${aws_kms_key.${keyName}.key_id}` });
    // The account comes from the key's own ARN: no data source, so plans stay offline.
    expect(document.locals[localName]).toBe(`\${element(split(":", aws_kms_key.${keyName}.arn), 4)}`);
  });

  it("lets CloudWatch Logs of the region use it for the named log groups of the account only", () => {
    expect(keyPolicy.key_id).toBe(`\${aws_kms_key.${keyName}.key_id}`);
    expect(JSON.parse(keyPolicy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "AdministeredByTheAccount", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
        {
          Sid: "CloudWatchLogsEncryptTheEnvironmentsLogGroups",
          Effect: "Allow",
          Principal: { Service: "logs.us-west-2.amazonaws.com" },
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
          Resource: "*",
          Condition: {
            ArnEquals: {
              "kms:EncryptionContext:aws:logs:arn": [
                `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/inventory-ha/vpc-flow-logs`,
                `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/aws/lambda/inventory-db-app-user-rotation`,
              ],
            },
          },
        },
      ],
    });
  });

  it("encrypts a log group with the key, created after the policy that lets CloudWatch Logs use it", () => {
    const [, group] = onlyResource(document, "aws_cloudwatch_log_group");
    expect(group.kms_key_id).toBe(`\${aws_kms_key.${keyName}.arn}`);
    expect(group.depends_on).toEqual([`aws_kms_key_policy.${policyName}`]);
  });

  it("leaves a log group to CloudWatch Logs' own encryption without one", () => {
    expect(encryptedWith(undefined)).toEqual({});
  });

  it("encrypts with a key that exists already without waiting for anything", () => {
    expect(encryptedWith({ kmsKeyArn: "arn:aws:kms:us-west-2:111122223333:key/logs" })).toStrictEqual({
      kmsKeyId: "arn:aws:kms:us-west-2:111122223333:key/logs",
    });
  });

  it("says what the key is for: the default, or the description given", () => {
    expect(onlyResource(document, "aws_kms_key")[1].description).toBe("Encrypts CloudWatch Logs log groups");
    expect(onlyResource(synthKey({ description: "Encrypts the flow log" }).document, "aws_kms_key")[1].description).toBe("Encrypts the flow log");
  });

  it("lists no problem for props it can build, and one per prop it cannot, for the settings to name", () => {
    const props: LogKeyProps = { region: "us-west-2", alias: "inventory-logs", logGroupNames: GROUPS };
    expect(logKeyProblems(props)).toStrictEqual([]);
    expect(logKeyProblems({ ...props, alias: "inventory logs", logGroupNames: [] }).map((problem) => problem.prop)).toStrictEqual(["alias", "logGroupNames"]);
  });

  it("names a function's log group as Lambda writes to it", () => {
    expect(functionLogGroupName("inventory-db-app-user-rotation")).toBe("/aws/lambda/inventory-db-app-user-rotation");
  });

  it.each([
    [{ logGroupNames: [] }, "LogKey stack/log-key: logGroupNames: is empty: name the log groups the key encrypts"],
    [{ alias: "inventory logs" }, 'LogKey stack/log-key: alias: the key alias "inventory logs" must use letters, digits and /_-'],
    [{ region: "mars-east-1" }, 'LogKey stack/log-key: region: "mars-east-1" is not an AWS region this project knows (src/aws/aws-regions.ts)'],
  ])("refuses %j", (overrides, message) => {
    expect(() => synthKey(overrides)).toThrow(message);
  });
});
