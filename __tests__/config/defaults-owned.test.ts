import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { settingsSchema } from "../../src/config/schema";
import { ACCESS_LOG_BUCKET_DEFAULTS } from "../../src/constructs/edge/access-log-bucket";
import { ALARM_TOPIC_DEFAULTS } from "../../src/constructs/monitoring/alarm-topic";
import { APP_ARTIFACT_DEFAULTS } from "../../src/constructs/compute/app-artifact";
import { APP_TIER_DEFAULTS } from "../../src/constructs/compute/app-tier";
import { DATABASE_APP_USER_DEFAULTS } from "../../src/constructs/data/database-app-user";
import { DATABASE_DEFAULTS } from "../../src/constructs/data/database";
import { LOAD_BALANCER_DEFAULTS } from "../../src/constructs/edge/load-balancer";
import { NETWORK_DEFAULTS } from "../../src/constructs/network/network";
import { SECURITY_GROUPS_DEFAULTS } from "../../src/constructs/network/security-groups";
import { SIGN_IN_DEFAULTS } from "../../src/constructs/edge/sign-in";
import { STATE_BACKEND_DEFAULTS } from "../../src/terraform/state-backend";
import { WEB_ACL_DEFAULTS } from "../../src/constructs/edge/web-acl";

/**
 * One owner per default: each construct exports its defaults and applies
 * them; the settings in src/config read them and state none themselves.
 */

/** Each construct's exported defaults and their keys, as written here. */
const CONSTRUCT_DEFAULTS: [string, object, string[]][] = [
  [
    "Database",
    DATABASE_DEFAULTS,
    [
      "engineVersion",
      "instanceClass",
      "storageType",
      "allocatedStorageGiB",
      "multiAz",
      "databaseName",
      "masterUsername",
      "backupRetentionDays",
      "deletionProtection",
      "skipFinalSnapshot",
      "applyImmediately",
      "logExports",
      "monitoringIntervalSeconds",
    ],
  ],
  [
    "DatabaseAppUser",
    DATABASE_APP_USER_DEFAULTS,
    ["username", "rotationDays", "secretRecoveryDays", "allowImmediateSecretDeletion", "logRetentionDays", "databasePort"],
  ],
  [
    "AppTier",
    APP_TIER_DEFAULTS,
    ["instanceType", "imageId", "minSize", "healthCheckGracePeriodSeconds", "rootVolumeSizeGiB", "instanceRefresh", "releaseLogRetentionDays"],
  ],
  ["AppArtifact", APP_ARTIFACT_DEFAULTS, ["bucketPrefix", "nameTag", "keptVersions", "noncurrentDays"]],
  ["Network", NETWORK_DEFAULTS, ["vpcCidr", "natStrategy", "ipv6", "flowLogs", "flowLogRetentionDays"]],
  ["SecurityGroups", SECURITY_GROUPS_DEFAULTS, ["clientCidrs", "appPort", "databasePort"]],
  [
    "LoadBalancer",
    LOAD_BALANCER_DEFAULTS,
    [
      "name",
      "targetGroupName",
      "targetType",
      "targetPort",
      "healthCheck",
      "deregistrationDelaySeconds",
      "sslPolicy",
      "deletionProtection",
      "idleTimeoutSeconds",
      "ipAddressType",
    ],
  ],
  ["WebAcl", WEB_ACL_DEFAULTS, ["rateLimits", "logRetentionDays"]],
  ["AccessLogBucket", ACCESS_LOG_BUCKET_DEFAULTS, ["bucketPrefix", "retentionDays", "forceDestroy", "nameTag"]],
  ["SignIn", SIGN_IN_DEFAULTS, ["sessionTimeoutSeconds", "userPoolName"]],
  ["AlarmTopic", ALARM_TOPIC_DEFAULTS, ["emailAddresses", "httpsEndpoints"]],
  ["state backend", STATE_BACKEND_DEFAULTS, ["backend", "keyPrefix", "useLockfile", "kmsKeyId", "hostname"]],
];

/**
 * Defaults that are one of a closed set of choices: the settings compare
 * against those choices (`natStrategy === "per-az"`), so their values may
 * appear in src/config; a `.default("...")` of them is still caught.
 */
const CHOICE_KEYS = ["storageType", "logExports", "natStrategy", "targetType", "ipAddressType", "backend"];

const CONFIG_FOLDER = path.join(__dirname, "../../src/config");
const configSources = readdirSync(CONFIG_FOLDER)
  .filter((file) => file.endsWith(".ts"))
  .sort()
  .map((file) => ({ file, source: readFileSync(path.join(CONFIG_FOLDER, file), "utf8") }));

/** The text between the parentheses of each `.<method>(` call in `source`. */
function callArguments(source: string, method: string): string[] {
  const found: string[] = [];
  const opening = `.${method}(`;
  for (let start = source.indexOf(opening); start >= 0; start = source.indexOf(opening, start + 1)) {
    let depth = 0;
    let index = start + opening.length - 1;
    do {
      const char = source[index];
      if (char === "(") depth++;
      else if (char === ")") depth--;
      index++;
    } while (depth > 0 && index < source.length);
    found.push(source.slice(start + opening.length, index - 1).trim());
  }
  return found;
}

/** A literal: no name in it once its strings are taken out (`"x"`, `2`, `["a"]`, `{}`), unlike `[...DEFAULTS.x]`. */
function isLiteral(argument: string): boolean {
  const withoutStrings = argument.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  return !/[A-Za-z_$](?<!\d[eE])/.test(withoutStrings.replace(/\b(true|false|null)\b/g, ""));
}

/** Every string a default holds, nested ones included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

describe("each default has one owner: the construct", () => {
  it("lists the constructs' exported defaults: 12 constructs, their keys as written here", () => {
    expect(CONSTRUCT_DEFAULTS).toHaveLength(12);
    for (const [construct, defaults, keys] of CONSTRUCT_DEFAULTS) expect([construct, Object.keys(defaults).sort()]).toEqual([construct, [...keys].sort()]);
  });

  it("scans the settings' source files: ci-settings, defaults, load, names, project-root, schema, settings-reference, tags", () => {
    expect(configSources.map(({ file }) => file)).toEqual([
      "ci-settings.ts",
      "defaults.ts",
      "load.ts",
      "names.ts",
      "project-root.ts",
      "schema.ts",
      "settings-reference.ts",
      "tags.ts",
    ]);
  });

  it("finds no default stated as a literal in src/config: every .default() and .prefault() reads an owner's value", () => {
    const defaults = configSources.flatMap(({ file, source }) => callArguments(source, "default").map((argument) => ({ file, argument })));
    const prefaults = configSources.flatMap(({ file, source }) => callArguments(source, "prefault").map((argument) => ({ file, argument })));
    // The scan sees every default of the settings (this many today), so an empty result means something.
    expect(defaults.length).toBeGreaterThanOrEqual(80);
    expect(prefaults.length).toBeGreaterThanOrEqual(20);
    expect(defaults.filter(({ argument }) => isLiteral(argument))).toStrictEqual([]);
    // An empty object only says "fill in the defaults of the fields".
    expect(prefaults.filter(({ argument }) => argument !== "{}" && isLiteral(argument))).toStrictEqual([]);
  });

  it("tells a literal from a read default", () => {
    expect(['"db.t3.small"', "2", "true", '["::/0"]', "{}", "-1", "1e3"].filter(isLiteral)).toHaveLength(7);
    expect(["DATABASE_DEFAULTS.instanceClass", "[...LAB_SETTINGS.availabilityZones]", "labNetworkNames().vpc"].filter(isLiteral)).toHaveLength(0);
  });

  it("finds none of the constructs' default strings written in src/config", () => {
    const owned = CONSTRUCT_DEFAULTS.flatMap(([construct, defaults]) =>
      Object.entries(defaults)
        .filter(([key]) => !CHOICE_KEYS.includes(key))
        .flatMap(([key, value]) => strings(value).map((text) => ({ construct, key, text }))),
    ).filter(({ text }) => text !== "");
    expect(owned.map(({ text }) => text)).toEqual(
      expect.arrayContaining(["8.4", "db.t3.small", "inventory", "admin", "t3.micro", "10.0.0.0/20", "/health", "inventory_app"]),
    );
    const stated = owned.flatMap(({ construct, key, text }) =>
      configSources
        .filter(({ source }) => [`"${text}"`, `'${text}'`, `\`${text}\``].some((quoted) => source.includes(quoted)))
        .map(({ file }) => `${file} states ${construct}'s ${key} "${text}"`),
    );
    expect(stated).toStrictEqual([]);
  });

  it("parses empty settings to the constructs' defaults", () => {
    // The state bucket has no default: it is the bootstrap stack's, named per account.
    const settings = settingsSchema.parse({ state: { bucket: "inventory-state-example" } });
    const { database: db, loadBalancer: lb, appTier, network, state } = settings;
    const pairs: [string, unknown, unknown][] = [
      ["database", Object.fromEntries(Object.keys(DATABASE_DEFAULTS).map((key) => [key, db[key as keyof typeof db]])), DATABASE_DEFAULTS],
      ["database.ingressFrom", db.ingressFrom, "app-security-group"],
      ["database.appUser", db.appUser, { ...DATABASE_APP_USER_DEFAULTS, logRetentionDays: undefined, databasePort: undefined }],
      [
        "network",
        { ...network, publicSubnetCidrs: undefined, privateSubnetCidrs: undefined },
        {
          vpcCidr: NETWORK_DEFAULTS.vpcCidr,
          natStrategy: NETWORK_DEFAULTS.natStrategy,
          ipv6: NETWORK_DEFAULTS.ipv6,
          flowLogs: { enabled: NETWORK_DEFAULTS.flowLogs, retentionDays: NETWORK_DEFAULTS.flowLogRetentionDays },
          publicSubnetCidrs: undefined,
          privateSubnetCidrs: undefined,
        },
      ],
      ["loadBalancer.ingressCidrs", lb.ingressCidrs, SECURITY_GROUPS_DEFAULTS.clientCidrs],
      ["loadBalancer.healthCheck", lb.healthCheck, LOAD_BALANCER_DEFAULTS.healthCheck],
      ["loadBalancer.sslPolicy", lb.sslPolicy, LOAD_BALANCER_DEFAULTS.sslPolicy],
      ["loadBalancer.deletionProtection", lb.deletionProtection, LOAD_BALANCER_DEFAULTS.deletionProtection],
      ["loadBalancer.idleTimeoutSeconds", lb.idleTimeoutSeconds, LOAD_BALANCER_DEFAULTS.idleTimeoutSeconds],
      ["loadBalancer.deregistrationDelaySeconds", lb.deregistrationDelaySeconds, LOAD_BALANCER_DEFAULTS.deregistrationDelaySeconds],
      ["names.loadBalancer", settings.names.loadBalancer, LOAD_BALANCER_DEFAULTS.name],
      ["loadBalancer.waf", { rateLimits: lb.waf.rateLimits, logRetentionDays: lb.waf.logRetentionDays }, WEB_ACL_DEFAULTS],
      [
        "loadBalancer.accessLogs",
        { retentionDays: lb.accessLogs.retentionDays, forceDestroy: lb.accessLogs.forceDestroy },
        {
          retentionDays: ACCESS_LOG_BUCKET_DEFAULTS.retentionDays,
          forceDestroy: ACCESS_LOG_BUCKET_DEFAULTS.forceDestroy,
        },
      ],
      ["loadBalancer.authentication.sessionTimeoutSeconds", lb.authentication.sessionTimeoutSeconds, SIGN_IN_DEFAULTS.sessionTimeoutSeconds],
      [
        "appTier",
        {
          instanceType: appTier.instanceType,
          imageId: appTier.imageId,
          minSize: appTier.minSize,
          healthCheckGracePeriodSeconds: appTier.healthCheckGracePeriodSeconds,
          rootVolumeSizeGiB: appTier.rootVolumeSizeGiB,
          instanceRefresh: { ...appTier.instanceRefresh, alarms: undefined },
        },
        { ...APP_TIER_DEFAULTS, instanceRefresh: { ...APP_TIER_DEFAULTS.instanceRefresh, alarms: undefined }, releaseLogRetentionDays: undefined },
      ],
      // At the lab's minSize the construct's desiredCapacity (minSize) and maxSize (the larger of minSize and 2) are 2 too.
      ["appTier sizes", [appTier.minSize, appTier.desiredCapacity, appTier.maxSize], [2, 2, 2]],
      ["monitoring.notifications", { ...settings.monitoring.notifications }, { ...ALARM_TOPIC_DEFAULTS }],
      [
        "state",
        { backend: state.backend, keyPrefix: state.keyPrefix, useLockfile: state.useLockfile, hostname: state.hostname },
        {
          ...STATE_BACKEND_DEFAULTS,
          kmsKeyId: undefined,
        },
      ],
    ];
    expect(pairs).toHaveLength(18);
    for (const [setting, parsed, owned] of pairs) expect([setting, parsed]).toEqual([setting, owned]);
  });
});
