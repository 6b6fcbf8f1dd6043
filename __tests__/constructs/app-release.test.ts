import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { AppRelease, type AppReleaseProps, appReleaseProblems, imageParameterArn } from "../../src/constructs/compute/app-release";
import { inProjectElsewhere, sdkRequires } from "../support/project-elsewhere";
import { expectRefused, onlyResource, PROJECT_ROOT } from "../support/stacks";

// The release function on its own, given a group and template by reference
// (the app tier's suite holds it as the tier wires it): its permissions
// statement by statement, its function and log group, and the alarms it
// takes. The group and template are stand-ins with fixed references.

const GROUP = { name: "${aws_autoscaling_group.app.name}", arn: "${aws_autoscaling_group.app.arn}", fqn: "aws_autoscaling_group.app" };
const TEMPLATE = { id: "${aws_launch_template.app.id}", arn: "${aws_launch_template.app.arn}", latestVersion: "${aws_launch_template.app.latest_version}" };
const ACCOUNT = "111122223333";

function props(overrides: Partial<AppReleaseProps> = {}): AppReleaseProps {
  return {
    autoScalingGroup: { ...GROUP, launchTemplate: TEMPLATE },
    imageId: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    instanceRoleArn: `arn:aws:iam::${ACCOUNT}:role/Inventory-App-Role`,
    refresh: { minHealthyPercent: 100, maxHealthyPercent: 200, instanceWarmupSeconds: 300 },
    region: "us-west-2",
    accountId: ACCOUNT,
    functionName: "Inventory-App-Release",
    codeRoot: PROJECT_ROOT,
    ...overrides,
  };
}

/** The release built in a test stack, then `then` on it (alarms given after it is made), synthesized. */
function synthRelease(overrides: Partial<AppReleaseProps> = {}, then: (release: AppRelease) => void = () => undefined): any {
  return JSON.parse(
    Testing.synthScope((scope) => {
      then(new AppRelease(scope, "release", props(overrides)));
    }),
  );
}

const alarms = (count: number, from = 1) =>
  Array.from({ length: count }, (_, index) => ({ name: `alarm-${from + index}`, arn: `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:alarm-${from + index}` }));

describe("AppRelease", () => {
  const document = synthRelease({ appName: "Inventory" });
  const [logGroupName] = onlyResource(document, "aws_cloudwatch_log_group");

  it("lets its role read the group and template, roll the group, pin and launch from the template only, pass the servers' role, read the image and log", () => {
    const [, policy] = onlyResource(document, "aws_iam_role_policy");
    expect(policy.name).toBe("release-app");
    const launched = (type: string) => `arn:aws:ec2:us-west-2:${ACCOUNT}:${type}/*`;
    expect(JSON.parse(policy.policy).Statement).toStrictEqual([
      {
        Sid: "ReadTheGroupAndTemplate",
        Effect: "Allow",
        Action: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes", "ec2:DescribeLaunchTemplateVersions"],
        Resource: "*",
      },
      { Sid: "RollTheGroup", Effect: "Allow", Action: ["autoscaling:StartInstanceRefresh", "autoscaling:UpdateAutoScalingGroup"], Resource: GROUP.arn },
      { Sid: "PinTheImage", Effect: "Allow", Action: "ec2:CreateLaunchTemplateVersion", Resource: TEMPLATE.arn },
      { Sid: "LaunchFromTheTemplate", Effect: "Allow", Action: "ec2:RunInstances", Resource: TEMPLATE.arn },
      {
        Sid: "LaunchOnlyThroughTheTemplate",
        Effect: "Allow",
        Action: ["ec2:RunInstances", "ec2:CreateTags"],
        Resource: expect.arrayContaining([launched("instance"), launched("volume"), launched("network-interface")]),
        Condition: { ArnLike: { "ec2:LaunchTemplate": TEMPLATE.arn } },
      },
      {
        Sid: "PassTheServersRole",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${ACCOUNT}:role/Inventory-App-Role`,
        Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
      },
      {
        Sid: "ResolveTheImage",
        Effect: "Allow",
        Action: "ssm:GetParameters",
        Resource: "arn:aws:ssm:us-west-2::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      },
      {
        Sid: "WriteItsLog",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `\${aws_cloudwatch_log_group.${logGroupName}.arn}:*`,
      },
    ]);
  });

  it("names the app in its role's description, and its group in its function's", () => {
    const [, role] = onlyResource(document, "aws_iam_role");
    expect(role.description).toBe("The Inventory app's release function: instance refreshes of its Auto Scaling group, pinned versions of its launch template");
    expect(onlyResource(document, "aws_lambda_function")[1].description).toBe(
      `Releases each new launch template version to ${GROUP.name}: an instance refresh AWS rolls back when it fails`,
    );
  });

  it("runs as a tagged function that waits for its log group, kept a year by default", () => {
    const [, releaseFunction] = onlyResource(document, "aws_lambda_function");
    expect([releaseFunction.tags, releaseFunction.depends_on]).toStrictEqual([{ Name: "Inventory-App-Release" }, [`aws_cloudwatch_log_group.${logGroupName}`]]);
    expect(onlyResource(document, "aws_cloudwatch_log_group")[1]).toStrictEqual({ name: "/aws/lambda/Inventory-App-Release", retention_in_days: 365 });
    expect(onlyResource(synthRelease({ logRetentionDays: 30 }), "aws_cloudwatch_log_group")[1].retention_in_days).toBe(30);
  });

  it("ships its handler bundled alone, the AWS SDK left to the runtime, kept in the project's cache as app-release.zip", () => {
    inProjectElsewhere((elsewhere) => {
      const [, releaseFunction] = onlyResource(synthRelease({ codeRoot: elsewhere }), "aws_lambda_function");
      const cache = path.join(elsewhere, ".cache", "functions");
      expect(fs.readdirSync(cache).sort()).toStrictEqual(["app-release.inputs.json", "app-release.zip"]);
      const zip = fs.readFileSync(path.join(cache, "app-release.zip"));
      expect(crypto.createHash("sha256").update(zip).digest("base64")).toBe(releaseFunction.source_code_hash);
      // The two clients it uses, loaded from the runtime's SDK, not bundled into the zip.
      expect(sdkRequires(zip)).toStrictEqual(['require("@aws-sdk/client-auto-scaling")', 'require("@aws-sdk/client-ec2")']);
      expect(zip.length).toBeLessThan(50_000);
    });
  });

  it("reads no parameter for an image given by AMI id", () => {
    const statements = JSON.parse(onlyResource(synthRelease({ imageId: "ami-0123456789abcdef0" }), "aws_iam_role_policy")[1].policy).Statement;
    expect(statements.map((statement: any) => statement.Sid)).not.toContain("ResolveTheImage");
    expect(statements).toHaveLength(7);
  });

  it("takes up to ten alarms, over several calls, and refuses the eleventh with the count", () => {
    const input = JSON.parse(
      onlyResource(
        synthRelease({}, (release) => [alarms(6), alarms(4, 7)].forEach((given) => release.failOnAlarms(given))),
        "aws_lambda_invocation",
      )[1].input,
    );
    expect(input.alarmNames).toStrictEqual(alarms(10).map((alarm) => alarm.name));
    expectRefused(
      () => synthRelease({}, (release) => [alarms(6), alarms(5, 7)].forEach((given) => release.failOnAlarms(given))),
      "AppRelease stack/release",
      "failOnAlarms: 11 alarms; an instance refresh takes at most 10",
    );
  });

  it("refuses a region it does not know, naming the prop", () => {
    expectRefused(() => synthRelease({ region: "us-nowhere-1" }), "AppRelease stack/release", 'region: "us-nowhere-1" is not an AWS region this project knows');
  });
});

describe("appReleaseProblems", () => {
  it("has nothing to say of a valid name and retention", () => {
    expect(appReleaseProblems({ functionName: "Inventory_App-Release", logRetentionDays: 365 })).toStrictEqual([]);
  });

  it("names the function name's problem and the retention's, each with what AWS allows", () => {
    expect(appReleaseProblems({ functionName: "Inventory App", logRetentionDays: 366 })).toStrictEqual([
      { prop: "functionName", message: 'the function name "Inventory App" must use letters, digits, - and _' },
      { prop: "logRetentionDays", message: expect.stringMatching(/^366 is not one of 1, 3, 5, 7, 14, 30, /) },
    ]);
    expect(appReleaseProblems({ functionName: "a".repeat(65), logRetentionDays: 30 })).toStrictEqual([
      { prop: "functionName", message: `the function name "${"a".repeat(65)}" is 65 characters; AWS allows 64` },
    ]);
  });
});

describe("imageParameterArn", () => {
  it.each([
    [
      "AWS's public parameter, of no account",
      "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      "arn:aws:ssm:us-west-2::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    ],
    ["a parameter of the account", "resolve:ssm:/inventory/ami", `arn:aws:ssm:us-west-2:${ACCOUNT}:parameter/inventory/ami`],
    ["a parameter's version of several digits", "resolve:ssm:/inventory/ami:12", `arn:aws:ssm:us-west-2:${ACCOUNT}:parameter/inventory/ami`],
  ])("names %s", (_what, imageId, arn) => {
    expect(imageParameterArn(imageId, "us-west-2", ACCOUNT)).toBe(arn);
  });

  it.each(["ami-0123456789abcdef0", "see resolve:ssm:/inventory/ami", "resolve:ssm:/inventory/ami:latest", "resolve:ssm:/inventory/ami:1 "])(
    "names no parameter for %s",
    (imageId) => {
      expect(imageParameterArn(imageId, "us-west-2", ACCOUNT)).toBeUndefined();
    },
  );
});
