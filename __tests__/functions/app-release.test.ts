import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  type StartInstanceRefreshCommandInput,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import * as util from "node:util";
import { mockClient } from "aws-sdk-client-mock";
import { patiently, sdkReleaseApi } from "../../src/functions/app-release/handler";
import { release, type ReleaseEvent } from "../../src/functions/app-release/release";

// The release function through the AWS SDK's clients, answered by a model of
// Auto Scaling and EC2 that keeps AWS's rules for an instance refresh: one at
// a time, and automatic rollback only with a desired configuration and only
// between numbered versions whose image is an AMI id, never an SSM parameter
// (the RollbackInstanceRefresh and StartInstanceRefresh references).

const GROUP = "Inventory-ASG";
const TEMPLATE = "lt-0123456789abcdef0";
const PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
const SSM_IMAGE = `resolve:ssm:${PARAMETER}`;

interface Version {
  imageId: string;
  description?: string;
}

/** Auto Scaling's group and refreshes and EC2's template versions, as the release sees them. */
class AwsModel {
  readonly versions = new Map<string, Version>();
  groupVersion: string;
  groupTemplate = TEMPLATE;
  readonly refreshes: { id: string; status: string; input?: StartInstanceRefreshCommandInput }[] = [];
  parameterImage = "ami-0a1b2c3d4e5f60001";
  readonly calls: string[] = [];
  /** How many StartInstanceRefresh calls are refused AccessDenied first (a policy IAM has not spread yet). */
  refusedRefreshes = 0;
  /** An error StartInstanceRefresh throws instead of starting one. */
  refreshFailure: Error | undefined;

  constructor(versions: Version[], groupVersion: string) {
    versions.forEach((version, index) => this.versions.set(String(index + 1), version));
    this.groupVersion = groupVersion;
  }

  attach(): { autoScaling: AutoScalingClient; ec2: EC2Client } {
    const autoScaling = new AutoScalingClient({ region: "us-west-2" });
    const ec2 = new EC2Client({ region: "us-west-2" });
    const asMock = mockClient(autoScaling);
    const ec2Mock = mockClient(ec2);
    asMock.on(DescribeAutoScalingGroupsCommand).callsFake((input) => {
      this.calls.push("DescribeAutoScalingGroups");
      if (!input.AutoScalingGroupNames?.includes(GROUP)) return { AutoScalingGroups: [] };
      return { AutoScalingGroups: [{ AutoScalingGroupName: GROUP, LaunchTemplate: { LaunchTemplateId: this.groupTemplate, Version: this.groupVersion } }] };
    });
    asMock.on(DescribeInstanceRefreshesCommand).callsFake(() => {
      this.calls.push("DescribeInstanceRefreshes");
      return { InstanceRefreshes: this.refreshes.map((refresh) => ({ InstanceRefreshId: refresh.id, Status: refresh.status })).reverse() };
    });
    asMock.on(UpdateAutoScalingGroupCommand).callsFake((input) => {
      this.calls.push(`UpdateAutoScalingGroup ${input.LaunchTemplate?.Version}`);
      this.groupVersion = this.numbered(input.LaunchTemplate?.Version);
      return {};
    });
    asMock.on(StartInstanceRefreshCommand).callsFake((input: StartInstanceRefreshCommandInput) => {
      this.calls.push(`StartInstanceRefresh ${input.DesiredConfiguration?.LaunchTemplate?.Version}`);
      if (this.refusedRefreshes-- > 0) throw named("AccessDenied", "User is not authorized to perform: autoscaling:StartInstanceRefresh");
      if (this.refreshFailure) throw this.refreshFailure;
      if (this.refreshes.some((refresh) => refresh.status === "InProgress"))
        throw named("InstanceRefreshInProgress", "An Instance Refresh is already in progress");
      const desired = input.DesiredConfiguration?.LaunchTemplate;
      if (input.Preferences?.AutoRollback) {
        if (!desired?.Version) throw named("ValidationError", "AutoRollback needs a desired configuration");
        const from = this.versions.get(this.groupVersion);
        const to = this.versions.get(this.numbered(desired.Version));
        if (!from || !to || from.imageId.startsWith("resolve:ssm:") || to.imageId.startsWith("resolve:ssm:")) {
          throw named("ValidationError", "Rollback is not supported for launch templates that use an SSM parameter for the AMI");
        }
      }
      const id = `refresh-${this.refreshes.length + 1}`;
      this.refreshes.push({ id, status: "InProgress", input });
      return { InstanceRefreshId: id };
    });
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input) => {
      this.calls.push(`DescribeLaunchTemplateVersions ${input.Versions?.join(",")}${input.ResolveAlias ? " resolved" : ""}`);
      if (input.LaunchTemplateId !== TEMPLATE) throw named("InvalidLaunchTemplateId.NotFound", "no such template");
      const number = this.numbered(input.Versions?.[0]);
      const version = this.versions.get(number);
      if (!version) throw named("InvalidLaunchTemplateId.VersionNotFound", `no version ${number}`);
      const imageId = input.ResolveAlias && version.imageId === SSM_IMAGE ? this.parameterImage : version.imageId;
      return { LaunchTemplateVersions: [{ VersionNumber: Number(number), VersionDescription: version.description, LaunchTemplateData: { ImageId: imageId } }] };
    });
    ec2Mock.on(CreateLaunchTemplateVersionCommand).callsFake((input) => {
      this.calls.push(`CreateLaunchTemplateVersion from ${input.SourceVersion}`);
      const source = this.versions.get(this.numbered(input.SourceVersion));
      if (!source) throw named("InvalidLaunchTemplateId.VersionNotFound", "no source version");
      const number = String(this.versions.size + 1);
      this.versions.set(number, { imageId: input.LaunchTemplateData?.ImageId ?? source.imageId, description: input.VersionDescription });
      return { LaunchTemplateVersion: { VersionNumber: Number(number) } };
    });
    return { autoScaling, ec2 };
  }

  /** `$Latest` and `$Default` name a number; the group and a rollback need the number itself. */
  private numbered(version: string | undefined): string {
    if (version === "$Latest") return String(this.versions.size);
    return String(version);
  }
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function event(version: string, overrides: Partial<ReleaseEvent> = {}): ReleaseEvent {
  return {
    autoScalingGroupName: GROUP,
    launchTemplateId: TEMPLATE,
    launchTemplateVersion: version,
    minHealthyPercentage: 100,
    maxHealthyPercentage: 200,
    instanceWarmupSeconds: 300,
    alarmNames: ["Inventory-LB-5xx", "Inventory-App-5xx"],
    ...overrides,
  };
}

function releaseWith(model: AwsModel, releaseEvent: ReleaseEvent) {
  const { autoScaling, ec2 } = model.attach();
  const log: string[] = [];
  return { outcome: release(releaseEvent, sdkReleaseApi(autoScaling, ec2, [0, 0, 0, 0]), (line) => log.push(line)), log };
}

describe("a new environment", () => {
  test("the group Terraform just made moves to a pinned copy of its version, with no refresh: its servers already run it", async () => {
    const model = new AwsModel([{ imageId: SSM_IMAGE }], "1");
    const { outcome, log } = releaseWith(model, event("1"));
    await expect(outcome).resolves.toEqual({ action: "pinned", version: "2", imageId: "ami-0a1b2c3d4e5f60001" });
    expect(model.versions.get("2")).toEqual({ imageId: "ami-0a1b2c3d4e5f60001", description: `pinned from version 1: ami-0a1b2c3d4e5f60001 (${PARAMETER})` });
    expect(model.groupVersion).toBe("2");
    expect(model.refreshes).toStrictEqual([]);
    expect(log.join("\n")).toContain("now runs version 2 (ami-0a1b2c3d4e5f60001), pinned from version 1");
  });

  test("invoked again for the same version, it changes nothing", async () => {
    const model = new AwsModel(
      [{ imageId: SSM_IMAGE }, { imageId: "ami-0a1b2c3d4e5f60001", description: `pinned from version 1: ami-0a1b2c3d4e5f60001 (${PARAMETER})` }],
      "2",
    );
    await expect(releaseWith(model, event("1")).outcome).resolves.toEqual({ action: "current", version: "2" });
    expect(model.calls.filter((call) => /^(Create|Update|Start)/.test(call))).toStrictEqual([]);
    expect(model.versions.size).toBe(2);
  });
});

describe("a release", () => {
  /** Terraform's first version, its pinned copy that the group runs, and the version a release of the app just made. */
  const released = () =>
    new AwsModel(
      [
        { imageId: SSM_IMAGE },
        { imageId: "ami-0a1b2c3d4e5f60001", description: `pinned from version 1: ami-0a1b2c3d4e5f60001 (${PARAMETER})` },
        { imageId: SSM_IMAGE },
      ],
      "2",
    );

  test("pins the new version's image and starts a refresh to it that AWS rolls back on failure or alarm", async () => {
    const model = released();
    model.parameterImage = "ami-0a1b2c3d4e5f60002";
    const { outcome, log } = releaseWith(model, event("3"));
    await expect(outcome).resolves.toEqual({ action: "refresh", refreshId: "refresh-1", version: "4", imageId: "ami-0a1b2c3d4e5f60002", autoRollback: true });
    expect(model.versions.get("4")?.description).toBe(`pinned from version 3: ami-0a1b2c3d4e5f60002 (${PARAMETER})`);
    expect(model.refreshes[0].input).toEqual({
      AutoScalingGroupName: GROUP,
      Strategy: "Rolling",
      DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: TEMPLATE, Version: "4" } },
      Preferences: {
        MinHealthyPercentage: 100,
        MaxHealthyPercentage: 200,
        InstanceWarmup: 300,
        SkipMatching: true,
        AutoRollback: true,
        AlarmSpecification: { Alarms: ["Inventory-LB-5xx", "Inventory-App-5xx"] },
      },
    });
    // AWS moves the group when the refresh succeeds, or leaves it where it was when it rolls back.
    expect(model.groupVersion).toBe("2");
    expect(log.join("\n")).toContain("instance refresh refresh-1 to version 4 (ami-0a1b2c3d4e5f60002) started, rolled back by AWS if it fails");
  });

  test("a refresh still going stops the release before anything is made", async () => {
    const model = released();
    model.refreshes.push({ id: "refresh-0", status: "RollbackInProgress" });
    await expect(releaseWith(model, event("3")).outcome).rejects.toThrow(
      "Inventory-ASG has instance refresh refresh-0 RollbackInProgress: wait until it ends (aws autoscaling describe-instance-refreshes), then deploy again",
    );
    expect(model.versions.size).toBe(3);
    expect(model.calls.filter((call) => /^(Create|Update|Start)/.test(call))).toStrictEqual([]);
  });

  test("a group on a version of the SSM parameter (rolled before releases were pinned) is released once without rollback, and says so", async () => {
    const model = new AwsModel([{ imageId: SSM_IMAGE }, { imageId: SSM_IMAGE }], "1");
    const { outcome } = releaseWith(model, event("2"));
    await expect(outcome).resolves.toMatchObject({
      action: "refresh",
      version: "3",
      autoRollback: false,
      note: `no automatic rollback for this release: the group's version 1 of ${TEMPLATE} boots an SSM parameter's image, which AWS cannot return to`,
    });
    // The next release starts from the pinned version 3: AWS can roll it back.
    model.groupVersion = "3";
    model.refreshes[0].status = "Successful";
    model.versions.set("4", { imageId: SSM_IMAGE });
    await expect(releaseWith(model, event("4")).outcome).resolves.toMatchObject({ action: "refresh", version: "5", autoRollback: true });
  });

  test("an image given as an AMI id is released as Terraform made it, with no pinned copy", async () => {
    const model = new AwsModel([{ imageId: "ami-0fedcba9876543210" }, { imageId: "ami-0fedcba9876543211" }], "1");
    await expect(releaseWith(model, event("1")).outcome).resolves.toEqual({ action: "current", version: "1" });
    await expect(releaseWith(model, event("2")).outcome).resolves.toMatchObject({ action: "refresh", version: "2", autoRollback: true });
    expect(model.calls.some((call) => call.startsWith("CreateLaunchTemplateVersion"))).toBe(false);
  });

  test("a group on $Latest is released without rollback: AWS returns only to numbered versions", async () => {
    const model = released();
    model.groupVersion = "$Latest";
    await expect(releaseWith(model, event("3")).outcome).resolves.toMatchObject({
      action: "refresh",
      autoRollback: false,
      note: `no automatic rollback for this release: the group's version $Latest of ${TEMPLATE} is not a version number, which AWS cannot return to`,
    });
  });

  test("a refresh refused for permissions (a policy IAM has not spread yet) is tried again, and goes ahead once allowed", async () => {
    const model = released();
    model.refusedRefreshes = 2;
    await expect(releaseWith(model, event("3")).outcome).resolves.toMatchObject({ action: "refresh", refreshId: "refresh-1", autoRollback: true });
    expect(model.calls.filter((call) => call.startsWith("StartInstanceRefresh"))).toHaveLength(3);
    // One pinned copy, however many attempts.
    expect(model.versions.size).toBe(4);
  });

  test("a group on a template Terraform replaced is released without rollback", async () => {
    const model = released();
    model.groupTemplate = "lt-0aaaaaaaaaaaaaaa0";
    await expect(releaseWith(model, event("3")).outcome).resolves.toMatchObject({
      action: "refresh",
      autoRollback: false,
      note: "no automatic rollback for this release: the group's version 2 of lt-0aaaaaaaaaaaaaaa0 no longer exists, which AWS cannot return to",
    });
  });
});

describe("refused before any change", () => {
  test.each<[string, Partial<ReleaseEvent>, string]>([
    ["$Latest", {}, 'launchTemplateVersion "$Latest" is not a version number (AWS rolls back only numbered versions)'],
    ["3", { minHealthyPercentage: 120 }, "minHealthyPercentage 120 is not a whole number from 50 to 100"],
    ["3", { minHealthyPercentage: 20 }, "minHealthyPercentage 20 is below the floor of 50: a release keeps at least 50% of the fleet in service"],
    ["3", { minHealthyPercentage: 0 }, "minHealthyPercentage 0 is below the floor of 50"],
    ["3", { alarmNames: [] }, "alarmNames is empty: a release needs an alarm that stops it, and has AWS roll it back, when its servers fail"],
    ["3", { rollback: "yes" as unknown as boolean }, 'rollback "yes" is not true or false'],
    ["3", { instanceWarmupSeconds: -1 }, "instanceWarmupSeconds -1 is not a whole number from 0 to 3600"],
    ["3", { alarmNames: Array.from({ length: 11 }, (_, index) => `alarm-${index}`) }, "11 alarmNames; an instance refresh takes at most 10"],
    ["3", { autoScalingGroupName: "" }, "autoScalingGroupName is missing"],
  ])("version %s with %j", async (version, overrides, message) => {
    const model = new AwsModel([{ imageId: SSM_IMAGE }], "1");
    await expect(releaseWith(model, event(version, overrides)).outcome).rejects.toThrow(`release refused: ${message}`);
    expect(model.calls).toStrictEqual([]);
  });

  test("a group that does not exist", async () => {
    const model = new AwsModel([{ imageId: SSM_IMAGE }], "1");
    await expect(releaseWith(model, event("1", { autoScalingGroupName: "Other-ASG" })).outcome).rejects.toThrow(
      "Other-ASG has no launch template: no such Auto Scaling group, or one of another kind",
    );
  });

  test("a version Terraform did not make", async () => {
    const model = new AwsModel([{ imageId: SSM_IMAGE }], "1");
    await expect(releaseWith(model, event("7")).outcome).rejects.toThrow(`launch template ${TEMPLATE} has no version 7`);
    expect(model.calls.filter((call) => /^(Create|Update|Start)/.test(call))).toStrictEqual([]);
  });
});

describe("an older version than the group runs", () => {
  /** Terraform's versions 1 and 3 and their pinned copies 2 and 4; the group runs 4. */
  const releasedTwice = () =>
    new AwsModel(
      [
        { imageId: SSM_IMAGE },
        { imageId: "ami-0a1b2c3d4e5f60001", description: `pinned from version 1: ami-0a1b2c3d4e5f60001 (${PARAMETER})` },
        { imageId: SSM_IMAGE },
        { imageId: "ami-0a1b2c3d4e5f60003", description: `pinned from version 3: ami-0a1b2c3d4e5f60003 (${PARAMETER})` },
      ],
      "4",
    );

  test("is refused without the rollback flag, naming the field, before anything is made", async () => {
    const model = releasedTwice();
    await expect(releaseWith(model, event("1")).outcome).rejects.toThrow(
      "release refused: launchTemplateVersion 1 is older than version 3, which Inventory-ASG runs (as its pinned copy 4); " +
        "set rollback to true in the event to release it on purpose",
    );
    await expect(releaseWith(model, event("1", { rollback: false })).outcome).rejects.toThrow(/^release refused: launchTemplateVersion 1 is older/);
    expect(model.calls.filter((call) => /^(Create|Update|Start)/.test(call))).toStrictEqual([]);
    expect(model.versions.size).toBe(4);
  });

  test("is refused against a group on a version of its own AMI too", async () => {
    const model = new AwsModel([{ imageId: "ami-0fedcba9876543210" }, { imageId: "ami-0fedcba9876543211" }], "2");
    await expect(releaseWith(model, event("1")).outcome).rejects.toThrow(
      "release refused: launchTemplateVersion 1 is older than version 2, which Inventory-ASG runs; set rollback to true",
    );
    expect(model.refreshes).toStrictEqual([]);
  });

  test("is released with the rollback flag: a rollback on purpose, itself rolled back by AWS if it fails", async () => {
    const model = releasedTwice();
    const { outcome, log } = releaseWith(model, event("1", { rollback: true }));
    await expect(outcome).resolves.toMatchObject({ action: "refresh", version: "5", autoRollback: true });
    expect(log.join("\n")).toContain("(a rollback on purpose: the event's rollback is true)");
  });
});

describe("an AWS error", () => {
  test("is thrown as the operation, AWS's error name and the HTTP status: not its message or fields, which can echo the request", async () => {
    const model = new AwsModel([{ imageId: "ami-0fedcba9876543210" }, { imageId: "ami-0fedcba9876543211" }], "1");
    const echo = "Inventory-LB-5xx-echoed-by-aws";
    model.refreshFailure = Object.assign(named("ValidationError", `1 validation error: alarm ${echo} does not exist`), {
      $metadata: { httpStatusCode: 400, requestId: "req-1" },
      $fault: "client",
      input: { alarms: [echo] },
    });
    const { outcome, log } = releaseWith(model, event("2", { alarmNames: [echo] }));
    const thrown = await outcome.then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(thrown?.message).toBe("StartInstanceRefresh failed (name ValidationError, HTTP status 400)");
    expect(thrown?.name).toBe("ValidationError");
    // What the Lambda runtime would log of it, and what the function logged.
    const logged = [util.inspect(thrown, { depth: null, showHidden: true }), JSON.stringify(thrown), String(thrown?.stack), ...log].join("\n");
    expect(logged).not.toContain(echo);
    expect(logged).not.toContain("validation error");
  });
});

describe("patiently", () => {
  const refusal = (name: string) => named(name, "refused");

  test("tries a call refused for permissions again after each delay, then gives the refusal", async () => {
    let calls = 0;
    const refused = patiently(() => {
      calls++;
      return Promise.reject(refusal("AccessDeniedException"));
    }, [0, 0, 0]);
    await expect(refused).rejects.toThrow("refused");
    expect(calls).toBe(4);
  });

  test("gives any other error at once", async () => {
    let calls = 0;
    const failed = patiently(() => {
      calls++;
      return Promise.reject(refusal("ValidationError"));
    }, [0, 0, 0]);
    await expect(failed).rejects.toThrow("refused");
    expect(calls).toBe(1);
  });

  test("answers as soon as the call is allowed", async () => {
    let calls = 0;
    await expect(patiently(() => (++calls < 3 ? Promise.reject(refusal("UnauthorizedOperation")) : Promise.resolve("done")), [0, 0, 0])).resolves.toBe("done");
    expect(calls).toBe(3);
  });
});
