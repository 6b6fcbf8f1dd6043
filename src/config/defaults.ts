import type { HaSignal } from "../constructs/monitoring/availability-alarms";

/**
 * The lab's choices at the stack level: where an environment runs, which
 * optional parts the stack adds, and the CI section's defaults. No construct
 * has these as props with defaults; each construct's own defaults live beside
 * it (`DATABASE_DEFAULTS`, `NETWORK_DEFAULTS`, ...) and the settings schema
 * reads both.
 */
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
  scalingPolicy: "none",
  ci: {
    terraformCloudProject: "Default Project",
    separatePlanAndApplyRoles: true,
    deployBranch: "main",
  },
} as const;
