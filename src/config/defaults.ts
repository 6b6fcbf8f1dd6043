import type { HaSignal } from "../constructs/monitoring/availability-alarms";

/**
 * The lab's choices at the stack level: where an environment runs, which
 * optional parts the stack adds, and the CI section's defaults. No construct
 * has these as props with defaults; each construct's own defaults live beside
 * it (`DATABASE_DEFAULTS`, `NETWORK_DEFAULTS`, ...) and the settings schema
 * reads both.
 */
/**
 * Where the database accepts MySQL connections from: the app servers' group, or the whole VPC (the lab's start).
 * The stack turns the choice into `database.allowFrom(app, ...)` or `database.allowFromCidr(vpcCidr, ...)`.
 */
export const DATABASE_SOURCES = ["app-security-group", "vpc-cidr"] as const;
export type DatabaseSource = (typeof DATABASE_SOURCES)[number];

export const LAB_SETTINGS = {
  /** Empty keeps the lab's names. */
  namePrefix: "",
  region: "us-west-2",
  availabilityZones: ["us-west-2a", "us-west-2b"],
  tags: {},
  /** Anywhere, once `network.ipv6` makes the load balancer dual-stack. */
  ingressIpv6Cidrs: ["::/0"],
  signInProvider: "none",
  webAcl: true,
  accessLogs: true,
  /** The 5xx alarms: what a bad release shows first. */
  refreshAlarms: ["elb5xxPercent", "target5xxPercent"] satisfies HaSignal[],
  /** The 5xx alarms again: they say users are harmed; losing a zone's servers fires the others by design. */
  rehearsalStopAlarms: ["elb5xxPercent", "target5xxPercent"] satisfies HaSignal[],
  scalingPolicy: "none",
  /** The app servers' group only: the lab's end state (lab-start's environment file lets the whole VPC in). */
  databaseIngressFrom: "app-security-group" satisfies DatabaseSource,
  ci: {
    terraformCloudProject: "Default Project",
    separatePlanAndApplyRoles: true,
    deployBranch: "main",
  },
} as const;
