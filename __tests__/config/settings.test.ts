import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSettings, SettingsError } from "../../src/config/load";
import { AWS_REGIONS } from "../../src/aws/aws-regions";
import { GROUP_METRIC_SIGNALS, HA_SIGNALS } from "../../src/constructs/monitoring/availability-alarms";
import { synthesize } from "../../src/synthesize";
import { settingsFor, synthStack } from "../support/stacks";

let project: string;

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-bad-settings-"));
  fs.mkdirSync(path.join(project, "environments"));
});

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const CERTIFICATE = "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b";

/**
 * Synthesizes a project whose one environment file holds `raw` (or the text
 * `raw`); returns the lines of the message it stops with, one per problem,
 * after checking that nothing was written.
 */
function problemsWith(raw: Record<string, unknown> | string): string[] {
  const text = typeof raw === "string" ? raw : JSON.stringify({ state: { bucket: "test-state-bucket" }, ...raw });
  fs.writeFileSync(path.join(project, "environments", "broken.json"), text);
  const outdir = path.join(project, "cdktf.out");
  try {
    synthesize({ projectRoot: project, outdir, variables: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    const { message, problems } = error as SettingsError;
    expect(message).toBe(problems.join("\n"));
    expect(fs.existsSync(outdir)).toBe(false);
    return [...problems];
  }
  throw new Error("the settings were accepted");
}

/** The one-line message of settings with one problem. */
function problemWith(raw: Record<string, unknown> | string): string {
  const problems = problemsWith(raw);
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe("defaults are the lab's final state (docs/lab.md)", () => {
  const settings = settingsFor("default");

  it("places the environment in us-west-2 over two zones", () => {
    expect(settings.region).toBe("us-west-2");
    expect(settings.availabilityZones).toEqual(["us-west-2a", "us-west-2b"]);
  });

  it("lays out the lab's VPC and subnets", () => {
    expect(settings.network.vpcCidr).toBe("10.0.0.0/20");
    expect(settings.network.publicSubnetCidrs).toEqual(["10.0.0.0/24", "10.0.1.0/24"]);
    expect(settings.network.privateSubnetCidrs).toEqual(["10.0.2.0/23", "10.0.4.0/23"]);
    expect(settings.network.natStrategy).toBe("per-az");
  });

  it("keeps the lab's names", () => {
    expect(settings.namePrefix).toBe("");
    expect(settings.names).toEqual({
      vpc: "Lab VPC",
      loadBalancer: "Inventory-LB",
      app: "Inventory-App",
      autoScalingGroup: "Inventory-ASG",
      database: "Inventory-DB",
      instanceRole: "Inventory-App-Role",
      launchTemplate: "Lab-template-",
    });
  });

  it("sizes the app tier and its health check like the lab", () => {
    expect(settings.appTier).toMatchObject({ instanceType: "t3.micro", minSize: 2, desiredCapacity: 2, maxSize: 2 });
    expect(settings.loadBalancer.healthCheck).toMatchObject({ healthyThreshold: 2, intervalSeconds: 10 });
  });

  it("runs MySQL 8.4 Multi-AZ with doubled class and storage, applied immediately", () => {
    expect(settings.database).toMatchObject({
      engineVersion: "8.4",
      multiAz: true,
      instanceClass: "db.t3.small",
      allocatedStorageGiB: 40,
      applyImmediately: true,
      ingressFrom: "app-security-group",
      deletionProtection: true,
    });
  });

  it("turns on what needs no outside input: ALB access logs to a bucket of its own and Enhanced Monitoring", () => {
    expect(settings.loadBalancer.accessLogs).toEqual({ enabled: true, retentionDays: 90, forceDestroy: false });
    expect(settings.database.monitoringIntervalSeconds).toBe(60);
  });

  it("keeps the lab's IPv4-only network, with IPv6 clients from anywhere once IPv6 is turned on", () => {
    expect(settings.network.ipv6).toBe(false);
    expect(settings.loadBalancer.ingressIpv6Cidrs).toEqual(["::/0"]);
  });
});

describe("subnet CIDRs", () => {
  it("are computed from another VPC CIDR with the lab's proportions", () => {
    const settings = settingsFor("other", { network: { vpcCidr: "172.16.0.0/16" } });
    expect(settings.network.publicSubnetCidrs).toEqual(["172.16.0.0/20", "172.16.16.0/20"]);
    expect(settings.network.privateSubnetCidrs).toEqual(["172.16.32.0/19", "172.16.64.0/19"]);
  });

  it("may be given clear of the default public subnets, which then start after them", () => {
    const settings = settingsFor("other", { network: { privateSubnetCidrs: ["10.0.8.0/23", "10.0.10.0/23"] } });
    expect(settings.network.publicSubnetCidrs).toEqual(["10.0.12.0/24", "10.0.13.0/24"]);
  });

  it("may be given, and the computed ones then start after them", () => {
    const settings = settingsFor("other", { network: { publicSubnetCidrs: ["10.0.8.0/24", "10.0.9.0/24"] } });
    expect(settings.network.privateSubnetCidrs).toEqual(["10.0.10.0/23", "10.0.12.0/23"]);
  });

  it("follow the number of zones", () => {
    const settings = settingsFor("other", { availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"] });
    expect(settings.network.publicSubnetCidrs).toEqual(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]);
    expect(settings.network.privateSubnetCidrs).toEqual(["10.0.4.0/23", "10.0.6.0/23", "10.0.8.0/23"]);
  });
});

describe("regions", () => {
  it.each(AWS_REGIONS)("builds an environment in %s", (region) => {
    expect(settingsFor(region, { region, availabilityZones: [`${region}a`, `${region}b`] }).region).toBe(region);
  });

  it("knows the regions opened since August 2022, where ELB log delivery is a service principal", () => {
    for (const region of ["ap-southeast-5", "ap-southeast-7", "mx-central-1", "ca-west-1", "il-central-1"]) expect(AWS_REGIONS).toContain(region);
  });
});

describe("bad settings stop synthesis with one line naming the setting, and nothing written", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a malformed CIDR", { network: { vpcCidr: "10.0.0/20" } }, /^environments\/broken\.json: network\.vpcCidr: "10\.0\.0\/20" is not an IPv4 CIDR block/],
    ["a CIDR with host bits", { network: { vpcCidr: "10.0.1.0/20" } }, /network\.vpcCidr: .*host bits set/],
    [
      "an IPv4 CIDR for IPv6 clients",
      { network: { ipv6: true }, loadBalancer: { ingressIpv6Cidrs: ["0.0.0.0/0"] } },
      /^environments\/broken\.json: loadBalancer\.ingressIpv6Cidrs\.0: "0\.0\.0\.0\/0" is not an IPv6 CIDR block like 2001:db8::\/32$/,
    ],
    [
      "a subnet outside the VPC",
      { network: { publicSubnetCidrs: ["10.0.0.0/24", "10.1.0.0/24"] } },
      /network\.publicSubnetCidrs\.1: 10\.1\.0\.0\/24 is not inside the VPC CIDR 10\.0\.0\.0\/20/,
    ],
    [
      "overlapping subnets",
      { network: { publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"], privateSubnetCidrs: ["10.0.0.0/23", "10.0.4.0/23"] } },
      /network\.privateSubnetCidrs\.0: 10\.0\.0\.0\/23 overlaps 10\.0\.0\.0\/24 \(publicSubnetCidrs\.0\)/,
    ],
    [
      "private subnets over the default public ones",
      { network: { privateSubnetCidrs: ["10.0.0.0/23", "10.0.4.0/23"] } },
      new RegExp(
        "^environments/broken\\.json: network\\.privateSubnetCidrs\\.0: 10\\.0\\.0\\.0/23 overlaps the default public subnets " +
          "10\\.0\\.0\\.0/24 and 10\\.0\\.1\\.0/24; give publicSubnetCidrs as well, or a private CIDR outside 10\\.0\\.0\\.0/24 and 10\\.0\\.1\\.0/24$",
      ),
    ],
    ["a subnet per zone missing", { network: { privateSubnetCidrs: ["10.0.2.0/23"] } }, /network\.privateSubnetCidrs: has 1 CIDRs for 2 availability zones/],
    [
      "a VPC too small for the computed subnets",
      { network: { vpcCidr: "10.0.0.0/27" } },
      new RegExp(
        "^environments/broken\\.json: network\\.vpcCidr: 10\\.0\\.0\\.0/27 is too small to compute subnets from " +
          "\\(they would be /31, AWS subnets are /16 to /28\\)",
      ),
    ],
    [
      "given subnets that leave no room for the computed ones",
      { network: { vpcCidr: "10.0.0.0/24", publicSubnetCidrs: ["10.0.0.0/25", "10.0.0.128/25"] } },
      /network\.vpcCidr: 10\.0\.0\.0\/24 has no room for the computed subnets/,
    ],
    ["a VPC larger than AWS allows", { network: { vpcCidr: "10.0.0.0/8" } }, /network\.vpcCidr: 10\.0\.0\.0\/8 is a \/8; AWS VPCs are \/16 to \/28/],
    ["fewer than 2 zones", { availabilityZones: ["us-west-2a"] }, /availabilityZones: needs at least 2 zones/],
    ["a zone in another region", { availabilityZones: ["us-west-2a", "us-east-1b"] }, /availabilityZones\.1: "us-east-1b" is not in region us-west-2/],
    ["a zone listed twice", { availabilityZones: ["us-west-2a", "us-west-2a"] }, /availabilityZones\.1: "us-west-2a" is listed twice/],
    ["min above max", { appTier: { minSize: 3, desiredCapacity: 3, maxSize: 2 } }, /appTier\.minSize: 3 is above maxSize 2/],
    ["desired below min", { appTier: { minSize: 2, desiredCapacity: 1, maxSize: 4 } }, /appTier\.desiredCapacity: 1 is below minSize 2/],
    ["desired above max", { appTier: { minSize: 1, desiredCapacity: 5, maxSize: 4 } }, /appTier\.desiredCapacity: 5 is above maxSize 4/],
    [
      "an unknown key far from any known one",
      { network: { natStrategy: "per-az", natGateways: 2 } },
      new RegExp(
        "^environments/broken\\.json: network\\.natGateways: unknown setting; " +
          "the settings here are vpcCidr, publicSubnetCidrs, privateSubnetCidrs, natStrategy, ipv6, flowLogs$",
      ),
    ],
    ["an unknown top-level key", { regoin: "us-west-2" }, /^environments\/broken\.json: regoin: unknown setting; did you mean region\?$/],
    ["an unknown choice", { network: { natStrategy: "one-per-zone" } }, /network\.natStrategy: Invalid option: expected one of "single"\|"per-az"/],
    [
      "storage below the engine's minimum",
      { database: { allocatedStorageGiB: 10 } },
      /database\.allocatedStorageGiB: 10 GiB is below the 20 GiB minimum of gp3 storage for MySQL/,
    ],
    ["io1 storage below its minimum", { database: { storageType: "io1", allocatedStorageGiB: 50 } }, /below the 100 GiB minimum of io1/],
    ["a wrong type", { appTier: { maxSize: "2" } }, /appTier\.maxSize: Invalid input: expected number, received string/],
    ["a malformed instance type", { appTier: { instanceType: "t3 micro" } }, /appTier\.instanceType: must be an EC2 instance type/],
    [
      "a misspelt instance type",
      { appTier: { instanceType: "t3.mirco" } },
      new RegExp(
        '^environments/broken\\.json: appTier\\.instanceType: "t3\\.mirco" is not an EC2 instance type: ' +
          "t3 comes in nano, micro, small, medium, large, xlarge, 2xlarge; did you mean t3\\.micro\\?$",
      ),
    ],
    [
      "an arm64 instance type for the default x86_64 image",
      { appTier: { instanceType: "t4g.small" } },
      new RegExp(
        "^environments/broken\\.json: appTier\\.instanceType: t4g\\.small is an arm64 type, but imageId .*x86_64 is an x86_64 image; " +
          "choose an x86_64 type or set imageId to an arm64 image \\(.*-arm64\\)$",
      ),
    ],
    ["a non-8.4 MySQL", { database: { engineVersion: "8.0.35" } }, /database\.engineVersion: must be MySQL 8\.4/],
    [
      "a load balancer name too long",
      { names: { loadBalancer: "Inventory-Load-Balancer-For-Production" } },
      /names\.loadBalancer: the load balancer name "Inventory-Load-Balancer-For-Production" is 38 characters; AWS allows 32/,
    ],
    [
      "a load balancer name with a space",
      { names: { loadBalancer: "Inventory LB" } },
      /names\.loadBalancer: the load balancer name "Inventory LB" must use letters, digits and hyphens/,
    ],
    ["a prefix that breaks the DB identifier", { names: { database: "Inventory--DB" } }, /names\.database: the RDS identifier "inventory--db" must use/],
    ["a malformed prefix", { namePrefix: "lab start" }, /namePrefix: must be empty or letters, digits and hyphens ending in a hyphen/],
    [
      "a health check timeout not below its interval",
      { loadBalancer: { healthCheck: { timeoutSeconds: 10 } } },
      /loadBalancer\.healthCheck\.timeoutSeconds: 10 must be below intervalSeconds 10/,
    ],
    [
      "a certificate from another region",
      { loadBalancer: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b" } },
      /loadBalancer\.certificateArn: the certificate is in us-east-1, but the load balancer is in us-west-2/,
    ],
    [
      "a domain that is not a DNS name",
      { loadBalancer: { domain: { name: "*.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" } } },
      /^environments\/broken\.json: loadBalancer\.domain\.name: must be a DNS name like inventory\.example\.com/,
    ],
    [
      "a domain without its zone",
      { loadBalancer: { domain: { name: "inventory.example.com" } } },
      /^environments\/broken\.json: loadBalancer\.domain\.hostedZoneId: /,
    ],
    [
      "a hosted zone id with its path",
      { loadBalancer: { domain: { name: "inventory.example.com", hostedZoneId: "/hostedzone/Z0123456789EXAMPLE0AB" } } },
      /loadBalancer\.domain\.hostedZoneId: must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ$/,
    ],
    [
      "a release that may drop below no servers",
      { appTier: { instanceRefresh: { minHealthyPercent: 101 } } },
      /^environments\/broken\.json: appTier\.instanceRefresh\.minHealthyPercent: /,
    ],
    [
      "a release that may keep fewer than half of the servers",
      { appTier: { instanceRefresh: { minHealthyPercent: 20 } } },
      /^environments\/broken\.json: appTier\.instanceRefresh\.minHealthyPercent: .*50/,
    ],
    [
      "a release no alarm can stop",
      { appTier: { instanceRefresh: { alarms: [] } } },
      /^environments\/broken\.json: appTier\.instanceRefresh\.alarms: names no alarm: the release function refuses a release no alarm can stop/,
    ],
    [
      "refresh percentages further apart than AWS allows",
      { appTier: { instanceRefresh: { minHealthyPercent: 50, maxHealthyPercent: 200 } } },
      /^environments\/broken\.json: appTier\.instanceRefresh\.maxHealthyPercent: 200 is more than 100 above minHealthyPercent 50, which AWS refuses$/,
    ],
    [
      "a release alarm on the group's own metrics",
      { appTier: { instanceRefresh: { alarms: ["healthyHosts"] } } },
      /^environments\/broken\.json: appTier\.instanceRefresh\.alarms\.0: /,
    ],
    [
      "a release alarm listed twice",
      { appTier: { instanceRefresh: { alarms: ["target5xxPercent", "target5xxPercent"] } } },
      /appTier\.instanceRefresh\.alarms\.1: "target5xxPercent" is listed twice$/,
    ],
    [
      "more release alarms than an instance refresh takes",
      {
        appTier: {
          instanceRefresh: {
            // Every signal a release may name: eleven signals, thirteen alarms (one per NAT gateway for the NAT signals).
            alarms: HA_SIGNALS.filter((signal) => !GROUP_METRIC_SIGNALS.includes(signal)),
          },
        },
      },
      /^environments\/broken\.json: appTier\.instanceRefresh\.alarms: name 13 alarms; an instance refresh takes at most 10$/,
    ],
    ["a missing state bucket", { state: { bucket: undefined } }, /state\.bucket: missing: name the S3 bucket of the state here or in INVENTORY_STATE_BUCKET/],
    ["a bucket name S3 refuses", { state: { bucket: "Inventory_State" } }, /state\.bucket: "Inventory_State" is not a valid S3 bucket name/],
    [
      "an access log bucket name S3 refuses",
      { loadBalancer: { accessLogs: { bucketName: "logs..inventory" } } },
      /loadBalancer\.accessLogs\.bucketName: "logs\.\.inventory" has two adjacent dots/,
    ],
    ["a reserved tag key", { tags: { Environment: "prod" } }, /tags\.Environment: is set by the project itself/],
    ["Multi-AZ without backups", { database: { backupRetentionDays: 0 } }, /database\.backupRetentionDays: must be at least 1 when multiAz is on/],
    [
      "a region the project does not know",
      { region: "us-west-9", availabilityZones: ["us-west-9a", "us-west-9b"] },
      new RegExp(
        '^environments/broken\\.json: region: "us-west-9" is not an AWS region this project knows ' +
          "\\(like us-west-2; the list is src/aws/aws-regions\\.ts\\)$",
      ),
    ],
    [
      "a state bucket region the project does not know",
      { state: { bucket: "test-state-bucket", region: "eu-wast-1" } },
      /^environments\/broken\.json: state\.region: "eu-wast-1" is not an AWS region this project knows/,
    ],
    [
      "an instance class whose memory the alarms cannot know",
      { database: { instanceClass: "db.z9.huge" } },
      new RegExp(
        "^environments/broken\\.json: database\\.instanceClass: db\\.z9\\.huge is not a class whose memory the project knows .*; " +
          "use db\\.<family>\\.<size> of t3, t4g, m5",
      ),
    ],
    [
      "the AWS managed SNS key, which CloudWatch cannot use",
      { monitoring: { notifications: { kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:alias/aws/sns" } } },
      new RegExp(
        "^environments/broken\\.json: monitoring\\.notifications\\.kmsKeyArn: the AWS managed key alias/aws/sns cannot be used: " +
          "CloudWatch alarms cannot publish to a topic it encrypts$",
      ),
    ],
    [
      "a key that is not an ARN",
      { monitoring: { notifications: { kmsKeyArn: "my-key" } } },
      /monitoring\.notifications\.kmsKeyArn: "my-key" is not a KMS key or alias ARN/,
    ],
    [
      "a malformed email address",
      { monitoring: { notifications: { emailAddresses: ["ops at example.com"] } } },
      /monitoring\.notifications\.emailAddresses\.0: must be an email address$/,
    ],
    [
      "sign-in without HTTPS",
      { loadBalancer: { authentication: { provider: "cognito", cognito: { domainPrefix: "inventory-sign-in", callbackHosts: ["inventory.example.com"] } } } },
      new RegExp(
        "^environments/broken\\.json: loadBalancer\\.authentication\\.provider: cognito needs HTTPS: " +
          "set loadBalancer\\.domain or loadBalancer\\.certificateArn \\(the load balancer signs people in on its HTTPS listener only\\)$",
      ),
    ],
    [
      "OIDC sign-in without its provider",
      { loadBalancer: { certificateArn: CERTIFICATE, authentication: { provider: "oidc" } } },
      /loadBalancer\.authentication\.oidc: missing: provider oidc needs its settings here$/,
    ],
    [
      "an OIDC endpoint over plain HTTP",
      {
        loadBalancer: {
          certificateArn: CERTIFICATE,
          authentication: {
            provider: "oidc",
            oidc: {
              issuer: "https://id.example.com",
              authorizationEndpoint: "http://id.example.com/authorize",
              tokenEndpoint: "https://id.example.com/token",
              userInfoEndpoint: "https://id.example.com/userinfo",
              clientId: "inventory",
            },
          },
        },
      },
      /loadBalancer\.authentication\.oidc\.authorizationEndpoint: "http:\/\/id\.example\.com\/authorize" is not an https:\/\/ URL$/,
    ],
    [
      "a Cognito domain AWS reserves",
      {
        loadBalancer: {
          certificateArn: CERTIFICATE,
          authentication: { provider: "cognito", cognito: { domainPrefix: "my-cognito", callbackHosts: ["inventory.example.com"] } },
        },
      },
      new RegExp(
        'loadBalancer\\.authentication\\.cognito\\.domainPrefix: "my-cognito" must be lower-case letters, digits and hyphens, ' +
          "and may not hold aws, amazon or cognito$",
      ),
    ],
    [
      "a WAF rate limit below WAF's",
      { loadBalancer: { waf: { rateLimits: { writes: 5 } } } },
      /loadBalancer\.waf\.rateLimits\.writes: Too small: expected number to be >=10$/,
    ],
    [
      "a WAF window WAF does not count over",
      { loadBalancer: { waf: { rateLimits: { windowSeconds: 30 } } } },
      /loadBalancer\.waf\.rateLimits\.windowSeconds: /,
    ],
    [
      "an app user MySQL would refuse",
      { database: { appUser: { username: "app-user" } } },
      /database\.appUser\.username: must start with a letter and use letters, digits and _/,
    ],
    [
      "a rotation Secrets Manager refuses",
      { database: { appUser: { rotationDays: 0 } } },
      /database\.appUser\.rotationDays: Too small: expected number to be >=1$/,
    ],
    [
      "no recovery window for the app user's secret outside a lab",
      { database: { appUser: { secretRecoveryDays: 0 } } },
      /secretRecoveryDays: 0 deletes the secret with no recovery window; use 7 to 30, or set allowImmediateSecretDeletion \(a lab setting\)$/,
    ],
    [
      "a recovery window shorter than 7 days",
      { database: { appUser: { secretRecoveryDays: 3, allowImmediateSecretDeletion: true } } },
      /database\.appUser\.secretRecoveryDays: must be 7 to 30 \(or 0 with allowImmediateSecretDeletion\)$/,
    ],
    [
      "a TLS policy with CBC suites",
      { loadBalancer: { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" } },
      /loadBalancer\.sslPolicy: must be a TLS 1\.2\+ ELB security policy without CBC suites, like ELBSecurityPolicy-TLS13-1-2-Res-2021-06$/,
    ],
    [
      "a plain HTTP endpoint",
      { monitoring: { notifications: { httpsEndpoints: ["http://hooks.example.com/x"] } } },
      /monitoring\.notifications\.httpsEndpoints\.0: must be an https:\/\/ URL$/,
    ],
    [
      "an alarm period CloudWatch cannot evaluate",
      { monitoring: { alarms: { databaseCpu: { periodSeconds: 90 } } } },
      /monitoring\.alarms\.databaseCpu\.periodSeconds: must be a multiple of 60/,
    ],
    [
      "a percentage above 100",
      { monitoring: { alarms: { target5xxPercent: { threshold: 150 } } } },
      /monitoring\.alarms\.target5xxPercent\.threshold: Too big: expected number to be <=100/,
    ],
    [
      "a negative threshold",
      { monitoring: { alarms: { unhealthyHosts: { threshold: -1 } } } },
      /monitoring\.alarms\.unhealthyHosts\.threshold: Too small: expected number to be >=0/,
    ],
    [
      "an alarm looking back more than a day",
      { monitoring: { alarms: { databaseFreeStorage: { periodSeconds: 3600, evaluationPeriods: 25 } } } },
      new RegExp(
        "^environments/broken\\.json: monitoring\\.alarms\\.databaseFreeStorage\\.evaluationPeriods: 25 periods of 3600 s span more than a day, " +
          "the longest CloudWatch evaluates$",
      ),
    ],
    [
      "an unknown alarm",
      { monitoring: { alarms: { diskSpace: { threshold: 1 } } } },
      /^environments\/broken\.json: monitoring\.alarms\.diskSpace: unknown setting; the settings here are healthyHosts, unhealthyHosts, .*, natPacketsDropped$/,
    ],
    [
      "scaling without room to scale",
      { appTier: { scaling: { policy: "average-cpu" } } },
      /^environments\/broken\.json: appTier\.scaling\.policy: average-cpu needs room to scale: maxSize 2 must be above minSize 2$/,
    ],
    [
      "an unknown scaling policy",
      { appTier: { scaling: { policy: "step" } } },
      /appTier\.scaling\.policy: Invalid option: expected one of "none"\|"request-count-per-target"\|"average-cpu"/,
    ],
    [
      "a CPU target above 100%",
      { appTier: { maxSize: 4, scaling: { policy: "average-cpu", targetValue: 120 } } },
      /appTier\.scaling\.targetValue: 120 is a CPU percentage, at most 100$/,
    ],
    [
      "a target without a policy",
      { appTier: { scaling: { targetValue: 500 } } },
      /appTier\.scaling\.targetValue: has no effect without a scaling policy; set appTier\.scaling\.policy$/,
    ],
  ])("%s", (_kind, raw, message) => {
    expect(problemWith(raw)).toMatch(message);
  });

  it("refuses state settings that differ across environments (one bootstrap stack creates the bucket), writing nothing", () => {
    fs.writeFileSync(path.join(project, "environments", "other.json"), JSON.stringify({ namePrefix: "other-", state: { bucket: "other-state-bucket" } }));
    try {
      expect(problemWith({})).toBe(
        "other.json: state: bucket other-state-bucket in us-west-2 differs from broken.json's bucket test-state-bucket in us-west-2; " +
          "the inventory-state stack creates one state bucket and lock table for all environments",
      );
    } finally {
      fs.rmSync(path.join(project, "environments", "other.json"));
    }
  });

  it("takes any size of a current-generation family, Graviton with an arm64 image", () => {
    expect(settingsFor("m7i", { appTier: { instanceType: "m7i-flex.large" } }).appTier.instanceType).toBe("m7i-flex.large");
    const arm64 = { instanceType: "t4g.micro", imageId: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" };
    expect(settingsFor("t4g", { appTier: arm64 }).appTier).toMatchObject(arm64);
  });

  it("lists every problem, a line each", () => {
    expect(problemsWith({ appTier: { instanceType: "x" }, database: { instanceClass: "y" } })).toEqual([
      "environments/broken.json: appTier.instanceType: must be an EC2 instance type like t3.micro",
      "environments/broken.json: database.instanceClass: must be an RDS instance class like db.t3.small",
    ]);
  });

  it("lists the problems of every environment file", () => {
    fs.writeFileSync(
      path.join(project, "environments", "other.json"),
      JSON.stringify({ namePrefix: "other-", regoin: "us-west-2", state: { bucket: "test-state-bucket" } }),
    );
    try {
      expect(problemsWith({ database: { instanceClass: "y" } })).toEqual([
        "environments/broken.json: database.instanceClass: must be an RDS instance class like db.t3.small",
        "environments/other.json: regoin: unknown setting; did you mean region?",
      ]);
    } finally {
      fs.rmSync(path.join(project, "environments", "other.json"));
    }
  });

  it("says an empty name is empty, with the length AWS allows", () => {
    expect(problemWith({ names: { autoScalingGroup: "" } })).toBe(
      "environments/broken.json: names.autoScalingGroup: the Auto Scaling group name is empty; give one of 1 to 255 characters",
    );
    expect(problemsWith({ names: { app: "" } })).toEqual([
      "environments/broken.json: names.app: the security group name is empty; give one of 1 to 255 characters",
      "environments/broken.json: names.app: the target group name is empty; give one of 1 to 32 characters",
    ]);
    expect(problemWith({ names: { vpc: "" } })).toBe(
      "environments/broken.json: names.vpc: is empty; name the VPC (its Name tag), or leave the setting out for Lab VPC",
    );
  });

  it("names the closest known setting of a misspelt one, at any depth", () => {
    expect(problemsWith({ loadBalancer: { healthCheck: { paht: "/health" } }, appTier: { instanceTyp: "t3.micro" }, database: { multiAZ: true } })).toEqual([
      "environments/broken.json: loadBalancer.healthCheck.paht: unknown setting; did you mean loadBalancer.healthCheck.path?",
      "environments/broken.json: appTier.instanceTyp: unknown setting; did you mean appTier.instanceType?",
      "environments/broken.json: database.multiAZ: unknown setting; did you mean database.multiAz?",
    ]);
  });

  it.each([
    ["a trailing comma", '{\n  "region": "us-west-2",\n}\n', "line 3, column 1: Expected double-quoted property name"],
    ["a missing comma", '{\n  "region": "us-west-2"\n  "namePrefix": "x-"\n}\n', "line 3, column 3: Expected ',' or '}' after property value"],
    ["a misspelt literal", '{\n  "network": {\n    "ipv6": ture\n  }\n}\n', "line 3, column 14: Unexpected token 'u'"],
    ["a file cut short", '{\n  "region": "us-west-2",\n', "line 3, column 1: the file ends before its JSON does"],
  ])("places broken JSON (%s) at its line and column", (_, text, where) => {
    expect(problemWith(text)).toBe(`environments/broken.json: not valid JSON at ${where}`);
  });
});

describe("state.administratorArns: who administers the state's KMS key", () => {
  const state = { bucket: "acme-state" };
  const refusal = (message: string) => new SettingsError(message);

  it("unset by default (the stack then names IAM Identity Center's AdministratorAccess roles of the account); role and user patterns accepted", () => {
    expect(parseSettings("default", { state }).state.administratorArns).toBeUndefined();
    const administratorArns = ["arn:aws:iam::123456789012:role/platform/Admin*", "arn:aws:iam::123456789012:user/break-glass"];
    expect(parseSettings("default", { state: { ...state, administratorArns } }).state.administratorArns).toEqual(administratorArns);
  });

  it.each([
    [[], "default.json: state.administratorArns: is empty: a key nobody may administer cannot be changed or deleted"],
    [
      ["arn:aws:iam::123456789012:role/*"],
      'default.json: state.administratorArns.0: "arn:aws:iam::123456789012:role/*" matches every role of the account; name the administrators\' roles',
    ],
    [
      ["arn:aws:sts::123456789012:assumed-role/Admin/me"],
      'default.json: state.administratorArns.0: "arn:aws:sts::123456789012:assumed-role/Admin/me" is a session; ' +
        "name its role (arn:aws:iam::<account>:role/<name>): aws:PrincipalArn of a session is its role's",
    ],
    [
      ["arn:aws:iam::*:role/Admin"],
      'default.json: state.administratorArns.0: "arn:aws:iam::*:role/Admin" is not an IAM role or user ARN like ' +
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*",
    ],
    [
      ["arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::210987654321:role/Admin"],
      "default.json: state.administratorArns: name principals of one account, the state's (they name 123456789012, 210987654321)",
    ],
  ])("%j: %s", (administratorArns, message) => {
    expect(() => parseSettings("default", { state: { ...state, administratorArns } })).toThrow(refusal(message));
  });

  it("refuses an administrator of another account than the CI roles'", () => {
    const settings = {
      state: { ...state, administratorArns: ["arn:aws:iam::210987654321:role/Admin"] },
      ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } },
    };
    expect(() => parseSettings("default", settings)).toThrow(
      refusal("default.json: state.administratorArns.0: is in account 210987654321, but ci.accountId is 123456789012"),
    );
  });
});

describe("appTier.app: the app's own settings, which the boot script writes", () => {
  const state = { bucket: "acme-state" };
  it("keeps the app's defaults (8 hours, no instance headers) unless set; 1 to 168 hours and either header choice accepted", () => {
    expect(parseSettings("default", { state }).appTier.app).toEqual({ formTokenHours: 8, instanceHeaders: false });
    for (const formTokenHours of [1, 24, 168])
      expect(parseSettings("default", { state, appTier: { app: { formTokenHours } } }).appTier.app).toEqual({ formTokenHours, instanceHeaders: false });
    expect(parseSettings("default", { state, appTier: { app: { instanceHeaders: true } } }).appTier.app).toEqual({ formTokenHours: 8, instanceHeaders: true });
  });

  it("reaches the servers' settings file only when it differs from the app's default", () => {
    const script = (app: Record<string, unknown>) => {
      const userData = Object.values<any>(synthStack(settingsFor("default", { appTier: { app } })).document.resource.aws_launch_template)[0].user_data;
      return String(userData);
    };
    const defaults = script({});
    expect(script({ formTokenHours: 8, instanceHeaders: false })).toBe(defaults);
    expect(script({ formTokenHours: 24 })).not.toBe(defaults);
    expect(script({ instanceHeaders: true })).not.toBe(defaults);
  });

  it.each<[unknown, string]>([
    [{ formTokenHours: 0 }, "default.json: appTier.app.formTokenHours: must be at least 1 hour"],
    [{ formTokenHours: 169 }, "default.json: appTier.app.formTokenHours: must be at most 168 hours (a week): the app refuses more"],
    [{ formTokenHours: 2.5 }, "default.json: appTier.app.formTokenHours: must be a whole number of hours"],
    [{ formTokenHours: "8" }, "default.json: appTier.app.formTokenHours: must be a number of hours"],
    [{ instanceHeaders: "yes" }, "default.json: appTier.app.instanceHeaders: must be true or false"],
    [{ formTokenHour: 8 }, "default.json: appTier.app.formTokenHour: unknown setting; did you mean appTier.app.formTokenHours?"],
  ])("refuses %j", (app, message) => {
    expect(() => parseSettings("default", { state, appTier: { app } })).toThrow(new SettingsError(message));
  });
});
