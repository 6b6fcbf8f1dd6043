import { TerraformOutput, Testing, Token } from "cdktf";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import {
  APP_TIER_DEFAULTS,
  AppTier,
  appTierNameProblems,
  type AppTierProps,
  base64UserData,
  capacityProblems,
  IMAGE_ID,
  instanceRefreshProblems,
  instanceTypeProblems,
  LAB_APP_TIER_NAMES,
} from "../../src/constructs/compute/app-tier";
import { expectRefused, onlyResource, resourcesOf } from "../support/stacks";
import { expectPatternSplits } from "../support/patterns";
import { appTierProps, ARTIFACT_OBJECTS, ARTIFACT_SHA256, SECRET_ARN } from "../support/app-tier-props";

/** The release function's event, as Terraform will send it. */
function releaseEvent(synthesized: any) {
  return JSON.parse(onlyResource(synthesized, "aws_lambda_invocation")[1].input);
}

/** The release function role's policy statements. */
function releasePermissions(synthesized: any) {
  const [, policy] = resourcesOf(synthesized, "aws_iam_role_policy").find(([, candidate]) => candidate.name === "release-app")!;
  return JSON.parse(policy.policy).Statement;
}

function synthAppTier(overrides: Partial<AppTierProps> = {}) {
  const json = Testing.synthScope((scope) => new AppTier(scope, "app-tier", appTierProps(overrides)));
  return { json, document: JSON.parse(json) };
}

describe("AppTier", () => {
  const { json, document } = synthAppTier();
  const [, template] = onlyResource(document, "aws_launch_template");
  const [, group] = onlyResource(document, "aws_autoscaling_group");
  const [, role] = resourcesOf(document, "aws_iam_role").find(([, candidate]) => candidate.name === "Inventory-App-Role")!;
  const inlinePolicy = (name: string) => resourcesOf(document, "aws_iam_role_policy").find(([, policy]) => policy.name === name)?.[1];

  it("creates role and instance profile Inventory-App-Role, assumable by EC2 only", () => {
    expect(json).toHaveResourceWithProperties(IamRole, { name: "Inventory-App-Role" });
    expect(json).toHaveResourceWithProperties(IamInstanceProfile, { name: "Inventory-App-Role" });
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      expect.objectContaining({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }),
    ]);
  });

  it("grants the role the one database secret it is given and the app archive's versions, no managed policy (Session Manager: SessionManagerPolicy)", () => {
    expect(resourcesOf(document, "aws_iam_role_policy_attachment")).toStrictEqual([]);
    expect(
      resourcesOf(document, "aws_iam_role_policy")
        .filter(([, policy]) => policy.role === `\${aws_iam_role.${resourcesOf(document, "aws_iam_role").find(([, candidate]) => candidate === role)![0]}.id}`)
        .map(([, policy]) => policy.name)
        .sort(),
    ).toEqual(["read-app-artifact", "read-database-secret"]);
    expect(JSON.parse(inlinePolicy("read-database-secret").policy).Statement).toEqual([
      expect.objectContaining({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET_ARN }),
    ]);
  });

  it("lets the servers read the app archive's prefix only: its objects and their versions, no listing, no other key", () => {
    expect(JSON.parse(inlinePolicy("read-app-artifact").policy).Statement).toEqual([
      { Sid: "ReadAppArchiveVersions", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: ARTIFACT_OBJECTS },
    ]);
    // The servers download the app as they boot: the group waits for the permission.
    expect(group.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\.\S*read-app-artifact/)]);
  });

  it("launches Amazon Linux 2023 t3.micro in the App group with the instance profile", () => {
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      name_prefix: "Lab-template-",
      image_id: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      instance_type: "t3.micro",
      vpc_security_group_ids: ["sg-app"],
      iam_instance_profile: { arn: expect.stringContaining("aws_iam_instance_profile.") },
    });
  });

  it("has no key pair, no subnet and no network interface in the template (as in the lab)", () => {
    expect(template.key_name).toBeUndefined();
    expect(template.network_interfaces).toBeUndefined();
    expect(template.subnet_id).toBeUndefined();
  });

  it("requires IMDSv2 with a hop limit of 1 and encrypts the gp3 root volume", () => {
    expect(template.metadata_options).toMatchObject({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
    expect(template.block_device_mappings).toEqual([
      { device_name: "/dev/xvda", ebs: expect.objectContaining({ encrypted: "true", volume_type: "gp3", volume_size: 8 }) },
    ]);
  });

  it("boots with the rendered script, base64-encoded, holding the secret's ARN but no secret, and the archive's version and hash", () => {
    expect(template.user_data).toMatch(/^\$\{base64encode\(".*"\)\}$/s);
    expect(template.user_data).toContain(SECRET_ARN);
    expect(template.user_data).not.toMatch(/password\s*=/i);
    expect(template.user_data).toContain(`APP_VERSION_ID='v1-abc'`);
    expect(template.user_data).toContain(`APP_SHA256='${ARTIFACT_SHA256}'`);
  });

  it("runs Inventory-ASG in the private subnets behind the target group, 2 / 2 / 2", () => {
    expect(json).toHaveResourceWithProperties(AutoscalingGroup, {
      name: "Inventory-ASG",
      vpc_zone_identifier: ["subnet-private1", "subnet-private2"],
      target_group_arns: ["arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/Inventory-App/0123456789abcdef"],
      min_size: 2,
      desired_capacity: 2,
      max_size: 2,
    });
  });

  it("replaces servers the load balancer finds unhealthy, after a grace period", () => {
    expect(group).toMatchObject({ health_check_type: "ELB", health_check_grace_period: 300 });
  });

  it("replaces an unhealthy server by launching first: never below desired capacity, and none when turned off", () => {
    expect(group.instance_maintenance_policy).toEqual({ min_healthy_percentage: 100, max_healthy_percentage: 200 });
    const [, terminatingFirst] = onlyResource(synthAppTier({ launchBeforeTerminate: false }).document, "aws_autoscaling_group");
    expect(terminatingFirst.instance_maintenance_policy).toBeUndefined();
  });

  it("starts on the template's latest version, then leaves the version to releases", () => {
    expect(group.launch_template).toEqual({
      id: expect.stringMatching(/^\$\{aws_launch_template\.[^}]+\.id\}$/),
      version: expect.stringMatching(/^\$\{aws_launch_template\.[^}]+\.latest_version\}$/),
    });
    expect(group.lifecycle).toEqual({ ignore_changes: ["launch_template"] });
    // The provider's own refresh would set the new version on the group before AWS could roll back to the old one.
    expect(group.instance_refresh).toBeUndefined();
  });

  it("releases each new template version by invoking the release function with it, never fewer servers than desired, 5 minutes per new one", () => {
    const [, invocation] = onlyResource(document, "aws_lambda_invocation");
    expect(invocation.function_name).toMatch(/^\$\{aws_lambda_function\.[^}]+\.function_name\}$/);
    expect(releaseEvent(document)).toEqual({
      autoScalingGroupName: expect.stringMatching(/^\$\{aws_autoscaling_group\.[^}]+\.name\}$/),
      launchTemplateId: expect.stringMatching(/^\$\{aws_launch_template\.[^}]+\.id\}$/),
      launchTemplateVersion: expect.stringMatching(/^\$\{aws_launch_template\.[^}]+\.latest_version\}$/),
      minHealthyPercentage: 100,
      maxHealthyPercentage: 200,
      instanceWarmupSeconds: 300,
      alarmNames: [],
    });
    expect(invocation.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_autoscaling_group\./), expect.stringMatching(/^aws_iam_role_policy\./)]),
    );
    const tuned = synthAppTier({ instanceRefresh: { minHealthyPercent: 50, maxHealthyPercent: 100, instanceWarmupSeconds: 60 } });
    expect(releaseEvent(tuned.document)).toMatchObject({ minHealthyPercentage: 50, maxHealthyPercentage: 100, instanceWarmupSeconds: 60 });
  });

  it("fails a release, and so has AWS roll it back, as soon as one of the alarms it is given is in ALARM", () => {
    const alarm = (id: string) => ({ name: `\${aws_cloudwatch_metric_alarm.${id}.alarm_name}`, arn: `\${aws_cloudwatch_metric_alarm.${id}.arn}` });
    const json = Testing.synthScope((scope) => {
      const tier = new AppTier(scope, "app-tier", appTierProps());
      tier.failRefreshOnAlarms([alarm("a"), alarm("b")]);
    });
    expect(releaseEvent(JSON.parse(json))).toMatchObject({
      alarmNames: ["${aws_cloudwatch_metric_alarm.a.alarm_name}", "${aws_cloudwatch_metric_alarm.b.alarm_name}"],
      minHealthyPercentage: 100,
    });
    expect(() =>
      Testing.synthScope((scope) => new AppTier(scope, "app-tier", appTierProps()).failRefreshOnAlarms(Array.from({ length: 11 }, (_, n) => alarm(`a${n}`)))),
    ).toThrow("AppTier stack/app-tier: failRefreshOnAlarms: 11 alarms; a release takes at least 1 (the release function refuses none) and at most 10");
    expect(() => Testing.synthScope((scope) => new AppTier(scope, "app-tier", appTierProps()).failRefreshOnAlarms([]))).toThrow(
      "AppTier stack/app-tier: failRefreshOnAlarms: 0 alarms; a release takes at least 1",
    );
    for (const count of [1, 10]) {
      const alarms = Array.from({ length: count }, (_, n) => alarm(`a${n}`));
      const document = JSON.parse(Testing.synthScope((scope) => new AppTier(scope, "app-tier", appTierProps()).failRefreshOnAlarms(alarms)));
      expect(releaseEvent(document).alarmNames).toHaveLength(count);
    }
  });

  it("runs the release function from the project's bundle, logging to a group kept a year", () => {
    const [, releaseFunction] = onlyResource(document, "aws_lambda_function");
    expect(releaseFunction).toMatchObject({
      function_name: "Inventory-App-Release",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      source_code_hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      timeout: 60,
    });
    // Outside the VPC: it calls only AWS's public APIs.
    expect(releaseFunction.vpc_config).toBeUndefined();
    expect(onlyResource(document, "aws_cloudwatch_log_group")[1]).toMatchObject({ name: "/aws/lambda/Inventory-App-Release", retention_in_days: 365 });
    const trust = JSON.parse(resourcesOf(document, "aws_iam_role").find(([, role]) => role.name === "Inventory-App-Release")![1].assume_role_policy);
    expect(trust.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: "lambda.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
    ]);
  });

  it("lets the release function roll this group, pin this template's image and pass the servers' role, nothing more", () => {
    const statements = releasePermissions(document);
    const byId = Object.fromEntries(statements.map((statement: any) => [statement.Sid, statement]));
    // Only the Describe calls, which have no resource type, are on every resource.
    expect(statements.filter((statement: any) => statement.Resource === "*").flatMap((statement: any) => statement.Action)).toEqual([
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeInstanceRefreshes",
      "ec2:DescribeLaunchTemplateVersions",
    ]);
    expect(byId.RollTheGroup).toMatchObject({
      Action: ["autoscaling:StartInstanceRefresh", "autoscaling:UpdateAutoScalingGroup"],
      Resource: expect.stringMatching(/^\$\{aws_autoscaling_group\.[^}]+\.arn\}$/),
    });
    expect(byId.PinTheImage).toMatchObject({
      Action: "ec2:CreateLaunchTemplateVersion",
      Resource: expect.stringMatching(/^\$\{aws_launch_template\.[^}]+\.arn\}$/),
    });
    expect(byId.LaunchOnlyThroughTheTemplate.Condition).toEqual({ ArnLike: { "ec2:LaunchTemplate": byId.PinTheImage.Resource } });
    expect(byId.PassTheServersRole).toMatchObject({
      Action: "iam:PassRole",
      Resource: expect.stringMatching(/^\$\{aws_iam_role\.[^}]+\.arn\}$/),
      Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
    });
    // AWS's public parameter of the default image belongs to no account.
    expect(byId.ResolveTheImage).toMatchObject({
      Action: "ssm:GetParameters",
      Resource: "arn:aws:ssm:us-west-2::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    });
    const pinned = synthAppTier({ imageId: "ami-0123456789abcdef0" });
    expect(releasePermissions(pinned.document).map((statement: any) => statement.Sid)).not.toContain("ResolveTheImage");
    const own = synthAppTier({ imageId: "resolve:ssm:/inventory/app-ami" });
    expect(releasePermissions(own.document).find((statement: any) => statement.Sid === "ResolveTheImage").Resource).toBe(
      "arn:aws:ssm:us-west-2:123456789012:parameter/inventory/app-ami",
    );
  });

  it("tags new instances Name = Inventory-App, with the project's tags", () => {
    expect(group.tag).toEqual(
      expect.arrayContaining([
        { key: "Name", value: "Inventory-App", propagate_at_launch: true },
        { key: "Project", value: "inventory-ha", propagate_at_launch: true },
      ]),
    );
    expect(template.tag_specifications).toEqual(
      expect.arrayContaining([{ resource_type: "instance", tags: expect.objectContaining({ Name: "Inventory-App" }) }]),
    );
  });

  it("runs as many servers as its minimum unless told otherwise, and at most the larger of that and 2", () => {
    const sized = (overrides: Partial<AppTierProps>) => onlyResource(synthAppTier(overrides).document, "aws_autoscaling_group")[1];
    expect(sized({ minSize: 3 })).toMatchObject({ min_size: 3, desired_capacity: 3, max_size: 3 });
    expect(sized({ minSize: 1 })).toMatchObject({ min_size: 1, desired_capacity: 1, max_size: 2 });
  });

  it("writes the launch template whole but its boot script: described, made the default version, IMDSv2, tagging what it launches", () => {
    const [, template] = onlyResource(document, "aws_launch_template");
    const { user_data: _bootScript, ...rest } = template;
    const instanceTags = { Environment: "default", ManagedBy: "cdktf", Name: "Inventory-App", Project: "inventory-ha" };
    expect(rest).toEqual({
      name_prefix: "Lab-template-",
      description: "App server: Amazon Linux 2023, httpd + PHP, the app",
      image_id: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
      instance_type: "t3.micro",
      iam_instance_profile: { arn: expect.stringMatching(/^\$\{aws_iam_instance_profile\.app-tier_instance-profile_[0-9A-F]{8}\.arn\}$/) },
      vpc_security_group_ids: ["sg-app"],
      // A new version is what a release rolls out: it becomes the default at once.
      update_default_version: true,
      metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "disabled" },
      block_device_mappings: [{ device_name: "/dev/xvda", ebs: { volume_type: "gp3", volume_size: 8, encrypted: "true", delete_on_termination: "true" } }],
      tag_specifications: [
        { resource_type: "instance", tags: instanceTags },
        { resource_type: "volume", tags: instanceTags },
      ],
      tags: { Name: "Lab-template-" },
    });
  });

  it("collects the group metrics the availability alarms read, and describes the servers' role", () => {
    // GroupDesiredCapacity and GroupInServiceInstances feed the healthy-hosts and in-service alarms (AvailabilityAlarms).
    expect(onlyResource(document, "aws_autoscaling_group")[1].enabled_metrics).toEqual([
      "GroupDesiredCapacity",
      "GroupInServiceInstances",
      "GroupPendingInstances",
      "GroupTerminatingInstances",
      "GroupTotalInstances",
    ]);
    expect(resourcesOf(document, "aws_iam_role").map(([, role]) => [role.name, role.description])).toEqual([
      ["Inventory-App-Release", "The app's release function: instance refreshes of its Auto Scaling group, pinned versions of its launch template"],
      ["Inventory-App-Role", "App servers: read the database secret, be reachable by SSM Session Manager"],
    ]);
    const [, secretPolicy] = resourcesOf(document, "aws_iam_role_policy").find(([, policy]) => policy.name === "read-database-secret")!;
    expect(JSON.parse(secretPolicy.policy).Statement.map((statement: any) => statement.Sid)).toEqual(["ReadTheDatabaseSecret"]);
    const named = synthAppTier({ appName: "Inventory" }).document;
    expect(onlyResource(named, "aws_launch_template")[1].description).toBe("Inventory app server: Amazon Linux 2023, httpd + PHP, the Inventory app");
  });

  describe("the patterns and checks the props go through, at their edges", () => {
    it("takes an AMI id or an SSM parameter EC2 resolves, and refuses the rest", () => {
      const taken = [
        "ami-0123abcd",
        "ami-0123456789abcdef0",
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        "resolve:ssm:/my/ami:12",
      ];
      const refused = [
        "ami-0123abc",
        "ami-0123456789abcdef01",
        "ami-0123ABCD",
        "xami-0123abcd",
        "ami-0123abcdx",
        "resolve:ssm:my/ami",
        "resolve:ssm:/my ami",
        "resolve:ssm:/my/ami:x",
        "resolve:ssm:/",
      ];
      expectPatternSplits(IMAGE_ID, taken, refused);
    });

    it("escapes a script's backslashes and double quotes for Terraform's base64encode, which would read them as its own", () => {
      const document = JSON.parse(Testing.synthScope((scope) => new TerraformOutput(scope, "script", { value: base64UserData('echo "a\\b"') })));
      expect(document.output.script.value).toBe('${base64encode("echo \\"a\\\\b\\"")}');
    });

    it("leaves an instance type known only at apply to AWS", () => {
      expect(instanceTypeProblems({ instanceType: Token.asString({ Ref: "type" }), imageId: "resolve:ssm:/my/images/arm64" })).toStrictEqual([]);
    });

    it("reads the image's architecture from its name only, and passes an image that names none", () => {
      expect(instanceTypeProblems({ instanceType: "t4g.micro", imageId: "ami-0123abcd" })).toStrictEqual([]);
      expect(instanceTypeProblems({ instanceType: "t4g.micro", imageId: "resolve:ssm:/my/images/arm64" })).toStrictEqual([]);
      expect(instanceTypeProblems({ instanceType: "t3.micro", imageId: "resolve:ssm:/my/images/arm64" })).toEqual([
        {
          prop: "instanceType",
          message:
            "t3.micro is an x86_64 type, but imageId resolve:ssm:/my/images/arm64 is an arm64 image; " +
            "choose an arm64 type or set imageId to an x86_64 image (resolve:ssm:/my/images/x86_64)",
        },
      ]);
    });

    it("keeps a refresh's percentages at most 100 apart, said only when each is in AWS's range", () => {
      const refresh = { ...APP_TIER_DEFAULTS.instanceRefresh };
      expect(instanceRefreshProblems({ ...refresh, minHealthyPercent: 100, maxHealthyPercent: 200, instanceWarmupSeconds: 0 })).toStrictEqual([]);
      expect(instanceRefreshProblems({ ...refresh, minHealthyPercent: 60, maxHealthyPercent: 160, instanceWarmupSeconds: 3600 })).toStrictEqual([]);
      expect(instanceRefreshProblems({ ...refresh, minHealthyPercent: 50, maxHealthyPercent: 201 })).toEqual([
        { prop: "instanceRefresh.maxHealthyPercent", message: "201 is not a whole number from 100 to 200" },
      ]);
    });

    it("checks the group's sizes in order, and asks room to scale only of a scaling policy", () => {
      const sizes = (minSize: number, desiredCapacity: number, maxSize: number, desiredCapacityFromScalingPolicy?: boolean) =>
        capacityProblems({ minSize, desiredCapacity, maxSize, desiredCapacityFromScalingPolicy });
      expect([sizes(0, 0, 0), sizes(2, 2, 2), sizes(2, 3, 4, true)]).toStrictEqual([[], [], []]);
      expect(sizes(1, 1, 2.5)).toStrictEqual([{ prop: "maxSize", message: "2.5 is not a whole number of at least 0" }]);
      expect(sizes(-1, 0.5, 2)).toEqual([
        { prop: "minSize", message: "-1 is not a whole number of at least 0" },
        { prop: "desiredCapacity", message: "0.5 is not a whole number of at least 0" },
      ]);
      expect(sizes(2, 2, 2, true)).toEqual([{ prop: "desiredCapacityFromScalingPolicy", message: "needs room to scale: maxSize 2 must be above minSize 2" }]);
      expect(sizes(3, 1, 2)).toEqual([{ prop: "minSize", message: "3 is above maxSize 2" }]);
    });

    it("takes the lab's names, and refuses each name AWS would, naming its setting", () => {
      expect(appTierNameProblems(LAB_APP_TIER_NAMES)).toStrictEqual([]);
      expect(
        appTierNameProblems({
          ...LAB_APP_TIER_NAMES,
          instanceRole: "app role",
          launchTemplatePrefix: "app template",
          autoScalingGroup: "",
          releaseFunction: "release.app",
        }),
      ).toEqual([
        { prop: "names.instanceRole", message: 'the IAM role name "app role" must use letters, digits and +=,.@_-' },
        { prop: "names.launchTemplatePrefix", message: 'the launch template name prefix "app template" must use letters, digits and ().-/_' },
        { prop: "names.autoScalingGroup", message: "the Auto Scaling group name is empty; give one of 1 to 255 characters" },
        { prop: "names.releaseFunction", message: 'the function name "release.app" must use letters, digits, - and _' },
      ]);
      expect(
        appTierNameProblems({
          ...LAB_APP_TIER_NAMES,
          instanceRole: "a+=,.@_-1",
          launchTemplatePrefix: "a().-/_1",
          autoScalingGroup: "any name / at all",
          releaseFunction: "a_-1",
        }),
      ).toStrictEqual([]);
    });
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<AppTierProps>, string]>([
      ["min above max", { minSize: 3, desiredCapacity: 3, maxSize: 2 }, "minSize: 3 is above maxSize 2"],
      ["desired below min", { minSize: 2, desiredCapacity: 1, maxSize: 4 }, "desiredCapacity: 1 is below minSize 2"],
      ["desired above max", { minSize: 1, desiredCapacity: 5, maxSize: 4 }, "desiredCapacity: 5 is above maxSize 4"],
      ["a fraction of a server", { minSize: 1.5 }, "minSize: 1.5 is not a whole number of at least 0"],
      ["a negative grace period", { healthCheckGracePeriodSeconds: -1 }, "healthCheckGracePeriodSeconds: -1 is not a whole number of at least 0"],
      ["no subnet", { subnetIds: [] }, "subnetIds: needs at least one subnet"],
      ["a region it does not know", { region: "eu-middle-1" }, 'region: "eu-middle-1" is not an AWS region this project knows'],
      ["a malformed instance type", { instanceType: "t3 micro" }, 'instanceType: "t3 micro" is not an EC2 instance type like t3.micro'],
      ["a misspelt instance type", { instanceType: "t3.mirco" }, 'instanceType: "t3.mirco" is not an EC2 instance type: t3 comes in nano, micro'],
      [
        "a Graviton type for the default x86_64 image",
        { instanceType: "t4g.micro" },
        "instanceType: t4g.micro is an arm64 type, but imageId resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 " +
          "is an x86_64 image; choose an x86_64 type or set imageId to an arm64 image " +
          "(resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64)",
      ],
      ["an image that is neither an AMI nor an SSM parameter", { imageId: "amazon-linux" }, 'imageId: "amazon-linux" is not an AMI id'],
      ["a root volume smaller than the AMI", { rootVolumeSizeGiB: 4 }, "rootVolumeSizeGiB: 4 is not a whole number from 8 to 16384"],
      [
        "more than all of the fleet kept in service",
        { instanceRefresh: { minHealthyPercent: 120 } },
        "instanceRefresh.minHealthyPercent: 120 is not a whole number from 50 to 100",
      ],
      [
        "fewer than half of the fleet kept in service",
        { instanceRefresh: { minHealthyPercent: 20 } },
        "instanceRefresh.minHealthyPercent: 20 is not a whole number from 50 to 100",
      ],
      [
        "more than twice the fleet at once",
        { instanceRefresh: { maxHealthyPercent: 250 } },
        "instanceRefresh.maxHealthyPercent: 250 is not a whole number from 100 to 200",
      ],
      [
        "percentages further apart than AWS allows",
        { instanceRefresh: { minHealthyPercent: 50, maxHealthyPercent: 200 } },
        "instanceRefresh.maxHealthyPercent: 200 is more than 100 above minHealthyPercent 50, which AWS refuses",
      ],
      [
        "an hour and more of warm-up",
        { instanceRefresh: { instanceWarmupSeconds: 3601 } },
        "instanceRefresh.instanceWarmupSeconds: 3601 is not a whole number from 0 to 3600",
      ],
      [
        "a role name longer than IAM allows",
        { names: { instanceRole: "Inventory-App-Role-".repeat(4) } },
        'names.instanceRole: the IAM role name "Inventory-App-Role-Inventory-App-Role-Inventory-App-Role-Inventory-App-Role-" is 76 characters; AWS allows 64',
      ],
      [
        "a group name with a colon",
        { names: { autoScalingGroup: "Inventory:ASG" } },
        'names.autoScalingGroup: the Auto Scaling group name "Inventory:ASG" must use any characters but a colon',
      ],
      [
        "a release function name with a space",
        { names: { releaseFunction: "Inventory App Release" } },
        'names.releaseFunction: the function name "Inventory App Release" must use letters, digits, - and _',
      ],
      [
        "a release log kept a number of days CloudWatch Logs does not offer",
        { releaseLogRetentionDays: 100 },
        "releaseLogRetentionDays: 100 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400",
      ],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthAppTier(overrides), "AppTier stack/app-tier", message);
    });
  });
});
