import type { AppTierProps } from "../../src/constructs/compute/app-tier";
import { APP_DIRECTORY, PROJECT_ROOT } from "./stacks";

export const SECRET_ARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-3f0d1c2b-aaaa-bbbb-cccc-0123456789ab-AbCdEf";
export const ARTIFACT_OBJECTS = "arn:aws:s3:::inventory-app-20260101123456789000000001/app/*";
export const ARTIFACT_SHA256 = "76e4f6268e3dc93334c4ccf3c2840d23cb649dc21f4d90584d92d0518ff807fa";

/**
 * The lab's app servers (docs/lab.md section 4), from the construct's
 * defaults: only where they run, what they connect to and the project's tags
 * are given.
 */
export function appTierProps(overrides: Partial<AppTierProps> = {}): AppTierProps {
  return {
    subnetIds: ["subnet-private1", "subnet-private2"],
    securityGroupId: "sg-app",
    targetGroupArn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/Inventory-App/0123456789abcdef",
    region: "us-west-2",
    accountId: "123456789012",
    boot: {
      appDirectory: APP_DIRECTORY,
      vpcCidr: "10.0.0.0/16",
      databaseHost: "inventory-db.abcdefghijkl.us-west-2.rds.amazonaws.com",
      databasePort: "3306",
      databaseName: "inventory",
      databaseSecretArn: SECRET_ARN,
      artifact: { bucket: "inventory-app-20260101123456789000000001", key: "app/inventory-app.tar", versionId: "v1-abc", sha256: ARTIFACT_SHA256 },
    },
    artifactObjectsArn: ARTIFACT_OBJECTS,
    instanceTags: { Project: "inventory-ha", Environment: "default", ManagedBy: "cdktf" },
    releaseCodeRoot: PROJECT_ROOT,
    ...overrides,
  };
}
