import { OIDC_SIGN_IN, settingsFor } from "./stacks";

// Settings variants more than one suite synthesizes.

export const ACCOUNT = "123456789012";
export const CERTIFICATE = `arn:aws:acm:us-west-2:${ACCOUNT}:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b`;

/** Every optional part on, with a GitHub repository's CI roles: every type CI deploys. */
export const everything = () =>
  settingsFor("everything", {
    state: { bucket: "acme-state", lockTable: "acme-locks" },
    ci: { accountId: ACCOUNT, githubActions: { repository: "acme/inventory-ha" } },
    network: { ipv6: true, flowLogs: { enabled: true } },
    loadBalancer: {
      certificateArn: CERTIFICATE,
      domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" },
      // Cognito is refused with CI access (its types are notDeployedByCi): the policy suite's variants synthesize it.
      authentication: OIDC_SIGN_IN,
      waf: { enabled: true },
      accessLogs: { enabled: true, forceDestroy: true },
    },
    appTier: { minSize: 2, maxSize: 6, scaling: { policy: "request-count-per-target" } },
    database: { monitoringIntervalSeconds: 60, maxAllocatedStorageGiB: 100 },
    monitoring: { notifications: { emailAddresses: ["ops@example.com"], httpsEndpoints: ["https://hooks.example.com/alarms"] } },
  });

/** Terraform Cloud with the single run role, which a team must ask for: its plans hold deploy permissions. */
export const terraformCloudRun = () =>
  settingsFor("cloud", {
    namePrefix: "cloud-",
    state: { backend: "cloud", organization: "acme" },
    ci: { accountId: ACCOUNT, terraformCloud: { project: "Inventory", separatePlanAndApplyRoles: false } },
  });

/** Terraform Cloud's default: a plan role and an apply role. */
export const terraformCloudSplit = () =>
  settingsFor("split", {
    namePrefix: "split-",
    state: { backend: "cloud", organization: "acme", workspace: "inventory-split" },
    ci: { accountId: ACCOUNT, terraformCloud: { project: "Inventory" } },
  });

/** An environment in another region (us-east-1) under Terraform Cloud, with CI access: providers per region. */
export const eastRegion = () =>
  settingsFor("east", {
    namePrefix: "east-",
    region: "us-east-1",
    availabilityZones: ["us-east-1a", "us-east-1b"],
    state: { backend: "cloud", organization: "acme" },
    ci: { accountId: ACCOUNT, terraformCloud: { project: "Inventory" } },
  });
