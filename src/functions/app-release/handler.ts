import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { withoutSecrets } from "../error-facts";
import { release, type ReleaseApi, type ReleaseEvent, type ReleaseOutcome } from "./release";

/**
 * The release function's entry point: the release steps with the AWS SDK's
 * Auto Scaling and EC2 clients. Bundled by esbuild at synthesis
 * (src/aws/function-bundle.ts); Terraform invokes it with the version
 * to release whenever it makes a new launch template version.
 */

/** Instance refresh statuses that have not ended: AWS starts no other refresh of the group meanwhile. */
export const ACTIVE_REFRESH_STATUSES = ["Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking"];

/** EC2's answers for a launch template or version that does not exist. */
const TEMPLATE_NOT_FOUND = /^InvalidLaunchTemplate(Id|Name)\.(NotFound|NotFoundException|VersionNotFound|Malformed)$/;

/** Refusals that may only mean IAM has not yet spread a policy Terraform just changed (the template's ARN, on its replacement). */
const NOT_YET_ALLOWED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation)$/;
/** Waits between attempts of a refused call: 37 s in all, within the function's 60 s. */
export const PERMISSION_RETRY_DELAYS_MS = [2_000, 5_000, 10_000, 20_000];

/** `call`, tried again after each delay while it is refused for permissions; any other error at once. */
export async function patiently<T>(call: () => Promise<T>, delaysMs: readonly number[] = PERMISSION_RETRY_DELAYS_MS): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= delaysMs.length || !(error instanceof Error) || !NOT_YET_ALLOWED.test(error.name)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delaysMs[attempt]));
    }
  }
}

/**
 * The release's operations on the AWS SDK's clients; a call refused for permissions is tried again (`patiently`). A
 * call that fails gives an error with the operation, AWS's error name and the HTTP status only (`withoutSecrets`): the
 * SDK's message can echo the request, and the Lambda runtime logs what the function throws.
 */
export function sdkReleaseApi(autoScaling: AutoScalingClient, ec2: EC2Client, retryDelaysMs: readonly number[] = PERMISSION_RETRY_DELAYS_MS): ReleaseApi {
  const retrying = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await patiently(call, retryDelaysMs);
    } catch (error) {
      throw withoutSecrets(error, `${operation} failed`);
    }
  };
  const describeVersion = async (launchTemplateId: string, version: string, resolveAlias: boolean) => {
    try {
      const answer = await retrying("DescribeLaunchTemplateVersions", () =>
        ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: [version], ResolveAlias: resolveAlias })),
      );
      return answer.LaunchTemplateVersions?.[0];
    } catch (error) {
      if (error instanceof Error && TEMPLATE_NOT_FOUND.test(error.name)) return undefined;
      throw error;
    }
  };
  return {
    async groupTemplate(groupName) {
      const answer = await retrying("DescribeAutoScalingGroups", () =>
        autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] })),
      );
      const template = answer.AutoScalingGroups?.[0]?.LaunchTemplate;
      if (!template?.LaunchTemplateId || !template.Version) return undefined;
      return { launchTemplateId: template.LaunchTemplateId, version: template.Version };
    },
    async activeRefresh(groupName) {
      const answer = await retrying("DescribeInstanceRefreshes", () =>
        autoScaling.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groupName, MaxRecords: 10 })),
      );
      const active = (answer.InstanceRefreshes ?? []).find((refresh) => ACTIVE_REFRESH_STATUSES.includes(refresh.Status ?? ""));
      return active ? { id: active.InstanceRefreshId ?? "(no id)", status: active.Status ?? "" } : undefined;
    },
    async templateVersion(launchTemplateId, version) {
      const found = await describeVersion(launchTemplateId, version, false);
      const imageId = found?.LaunchTemplateData?.ImageId;
      return imageId ? { imageId, description: found.VersionDescription } : undefined;
    },
    async resolveImage(launchTemplateId, version) {
      const found = await describeVersion(launchTemplateId, version, true);
      return found?.LaunchTemplateData?.ImageId ?? "";
    },
    async createVersion(launchTemplateId, sourceVersion, imageId, description) {
      const answer = await retrying("CreateLaunchTemplateVersion", () =>
        ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: launchTemplateId,
            SourceVersion: sourceVersion,
            VersionDescription: description,
            LaunchTemplateData: { ImageId: imageId },
          }),
        ),
      );
      const number = answer.LaunchTemplateVersion?.VersionNumber;
      if (number === undefined) throw new Error(`CreateLaunchTemplateVersion of ${launchTemplateId} returned no version number`);
      return String(number);
    },
    async useVersion(groupName, launchTemplateId, version) {
      await retrying("UpdateAutoScalingGroup", () =>
        autoScaling.send(
          new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: version } }),
        ),
      );
    },
    async startRefresh(request) {
      const answer = await retrying("StartInstanceRefresh", () =>
        autoScaling.send(
          new StartInstanceRefreshCommand({
            AutoScalingGroupName: request.autoScalingGroupName,
            Strategy: "Rolling",
            DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: request.launchTemplateId, Version: request.launchTemplateVersion } },
            Preferences: {
              MinHealthyPercentage: request.minHealthyPercentage,
              MaxHealthyPercentage: request.maxHealthyPercentage,
              InstanceWarmup: request.instanceWarmupSeconds,
              // A server already on the new version (one a failed refresh left behind) is not replaced again.
              SkipMatching: true,
              AutoRollback: request.autoRollback,
              AlarmSpecification: request.alarmNames.length > 0 ? { Alarms: [...request.alarmNames] } : undefined,
            },
          }),
        ),
      );
      if (!answer.InstanceRefreshId) throw new Error(`StartInstanceRefresh of ${request.autoScalingGroupName} returned no refresh id`);
      return answer.InstanceRefreshId;
    },
  };
}

const api = sdkReleaseApi(new AutoScalingClient({}), new EC2Client({}));

export async function handler(event: ReleaseEvent): Promise<ReleaseOutcome> {
  return release(event, api, (message) => console.log(message));
}
