/**
 * A release of the app servers: the instance refresh that rolls the Auto
 * Scaling group to the launch template version Terraform just made, started
 * with that version as its desired configuration so that AWS rolls the group
 * back by itself when the refresh fails or a named alarm goes into ALARM.
 *
 * AWS rolls back only to and from numbered versions whose image is an AMI id,
 * never an SSM parameter; the template's default image is one
 * (`resolve:ssm:`, the latest Amazon Linux 2023). So a release first pins the
 * image: a new version of the template, copied from Terraform's with the AMI
 * the parameter names at that moment, and marked `pinned from version N`.
 * The group runs pinned versions only, every release and every scale-out
 * boots the same AMI, and a rollback returns to exactly the previous one.
 */

/**
 * The least share of the fleet a release keeps in service. AWS accepts 0, and one release (or one invocation of the
 * function by hand) at 0 replaces every server at once: an outage if the new version does not come up.
 */
export const MIN_HEALTHY_PERCENT_FLOOR = 50;

/**
 * What a release accepts for an instance refresh, as [min, max]: AWS's ranges (the two percentages may be at most 100
 * apart), with the floor above for the healthy minimum and at least one alarm, so that AWS can stop and roll back a
 * release whose servers fail. The app tier's props and settings are checked against these, and the function checks
 * its event against them again.
 */
export const INSTANCE_REFRESH_LIMITS = {
  minHealthyPercent: [MIN_HEALTHY_PERCENT_FLOOR, 100],
  maxHealthyPercent: [100, 200],
  instanceWarmupSeconds: [0, 3600],
  alarms: [1, 10],
} as const;

/** What Terraform sends the function (the stack's `aws_lambda_invocation`). */
export interface ReleaseEvent {
  readonly autoScalingGroupName: string;
  readonly launchTemplateId: string;
  /** The template version Terraform made: a number, as text. */
  readonly launchTemplateVersion: string;
  readonly minHealthyPercentage: number;
  readonly maxHealthyPercentage: number;
  readonly instanceWarmupSeconds: number;
  /** CloudWatch alarms that fail the refresh (and so roll it back) when in ALARM. */
  readonly alarmNames: readonly string[];
  /**
   * `true` releases a version older than the one the group runs: a rollback on purpose. Terraform's releases never set
   * it (its versions only grow). @default false: an older version is refused
   */
  readonly rollback?: boolean;
}

/** A launch template version as EC2 describes it. */
export interface TemplateVersion {
  /** The image as the version gives it: an AMI id or `resolve:ssm:<parameter>`. */
  readonly imageId: string;
  readonly description?: string;
}

/** An instance refresh that has not ended. */
export interface ActiveRefresh {
  readonly id: string;
  readonly status: string;
}

/** What the release asks of AWS's instance refresh: the event's preferences, to the pinned version. */
export interface RefreshRequest extends ReleaseEvent {
  readonly autoRollback: boolean;
}

/** The Auto Scaling and EC2 operations of a release. */
export interface ReleaseApi {
  /** The group's launch template and version; undefined when it has none (or no such group). */
  groupTemplate(groupName: string): Promise<{ readonly launchTemplateId: string; readonly version: string } | undefined>;
  /** The group's refresh that is pending, running, being cancelled or rolled back, or baking. */
  activeRefresh(groupName: string): Promise<ActiveRefresh | undefined>;
  /** Undefined when there is no such template or version (one Terraform replaced). */
  templateVersion(launchTemplateId: string, version: string): Promise<TemplateVersion | undefined>;
  /** The AMI an SSM parameter names now (EC2's ResolveAlias). */
  resolveImage(launchTemplateId: string, version: string): Promise<string>;
  /** A new version from `sourceVersion` with this image; its number. */
  createVersion(launchTemplateId: string, sourceVersion: string, imageId: string, description: string): Promise<string>;
  /** Sets the group's version without replacing a server (they already run it). */
  useVersion(groupName: string, launchTemplateId: string, version: string): Promise<void>;
  startRefresh(request: RefreshRequest): Promise<string>;
}

export type ReleaseOutcome =
  | { readonly action: "current"; readonly version: string }
  | { readonly action: "pinned"; readonly version: string; readonly imageId: string }
  | {
      readonly action: "refresh";
      readonly refreshId: string;
      readonly version: string;
      readonly imageId: string;
      readonly autoRollback: boolean;
      readonly note?: string;
    };

const SSM_IMAGE = "resolve:ssm:";
const PINNED_FROM = /^pinned from version (\d+):/;

/** The description that marks a pinned copy of Terraform's version. */
export function pinnedDescription(sourceVersion: string, imageId: string, parameter: string): string {
  return `pinned from version ${sourceVersion}: ${imageId} (${parameter})`.slice(0, 255);
}

/** The Terraform version a pinned version was copied from; undefined for any other version. */
export function pinnedFrom(version: TemplateVersion): string | undefined {
  return PINNED_FROM.exec(version.description ?? "")?.[1];
}

/** Refuses an event that would make AWS refuse the refresh, or release something else than a numbered version. */
export function eventProblems(event: ReleaseEvent): string[] {
  const problems: string[] = [];
  for (const key of ["autoScalingGroupName", "launchTemplateId"] as const) {
    if (typeof event[key] !== "string" || event[key] === "") problems.push(`${key} is missing`);
  }
  if (!/^[1-9]\d*$/.test(String(event.launchTemplateVersion))) {
    problems.push(`launchTemplateVersion ${JSON.stringify(event.launchTemplateVersion)} is not a version number (AWS rolls back only numbered versions)`);
  }
  const range = (key: "minHealthyPercentage" | "maxHealthyPercentage" | "instanceWarmupSeconds", [min, max]: readonly [number, number]) => {
    const value = event[key];
    if (key === "minHealthyPercentage" && Number.isInteger(value) && value >= 0 && value < min) {
      problems.push(`${key} ${value} is below the floor of ${min}: a release keeps at least ${min}% of the fleet in service`);
    } else if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
    }
  };
  range("minHealthyPercentage", INSTANCE_REFRESH_LIMITS.minHealthyPercent);
  range("maxHealthyPercentage", INSTANCE_REFRESH_LIMITS.maxHealthyPercent);
  range("instanceWarmupSeconds", INSTANCE_REFRESH_LIMITS.instanceWarmupSeconds);
  const [fewestAlarms, mostAlarms] = INSTANCE_REFRESH_LIMITS.alarms;
  if (!Array.isArray(event.alarmNames) || event.alarmNames.some((name) => typeof name !== "string" || name === "")) {
    problems.push("alarmNames is not a list of alarm names");
  } else if (event.alarmNames.length < fewestAlarms) {
    problems.push("alarmNames is empty: a release needs an alarm that stops it, and has AWS roll it back, when its servers fail");
  } else if (event.alarmNames.length > mostAlarms) {
    problems.push(`${event.alarmNames.length} alarmNames; an instance refresh takes at most ${mostAlarms}`);
  }
  if (event.rollback !== undefined && typeof event.rollback !== "boolean") problems.push(`rollback ${JSON.stringify(event.rollback)} is not true or false`);
  return problems;
}

/**
 * Releases Terraform's launch template version to the group:
 * - a refresh still going stops the release (AWS runs one at a time, and cancelling it here would skip its rollback);
 * - the group already on that version (a new environment: the group was just made with it) only moves to its pinned copy;
 * - the group already on a pinned copy of it: nothing to do (Terraform invoked the release again);
 * - otherwise an instance refresh to the pinned copy, with automatic rollback whenever the group's current version allows it.
 */
export async function release(event: ReleaseEvent, api: ReleaseApi, log: (message: string) => void = () => undefined): Promise<ReleaseOutcome> {
  const problems = eventProblems(event);
  if (problems.length > 0) throw new Error(`release refused: ${problems.join("; ")}`);
  const group = event.autoScalingGroupName;
  const templateId = event.launchTemplateId;
  const wanted = String(event.launchTemplateVersion);

  const active = await api.activeRefresh(group);
  if (active) {
    throw new Error(
      `${group} has instance refresh ${active.id} ${active.status}: wait until it ends (aws autoscaling describe-instance-refreshes), then deploy again`,
    );
  }
  const current = await api.groupTemplate(group);
  if (!current) throw new Error(`${group} has no launch template: no such Auto Scaling group, or one of another kind`);
  const sameTemplate = current.launchTemplateId === templateId;
  const currentVersion = await api.templateVersion(current.launchTemplateId, current.version);
  if (sameTemplate && currentVersion && pinnedFrom(currentVersion) === wanted) {
    log(`${group} already runs version ${current.version}, pinned from version ${wanted}`);
    return { action: "current", version: current.version };
  }

  // Terraform's versions only grow: an older one is someone's invocation by hand, and a rollback only when it says so.
  const runs = sameTemplate && currentVersion ? Number(pinnedFrom(currentVersion) ?? current.version) : NaN;
  if (Number.isInteger(runs) && Number(wanted) < runs && event.rollback !== true) {
    const copy = String(runs) === current.version ? "" : ` (as its pinned copy ${current.version})`;
    throw new Error(
      `release refused: launchTemplateVersion ${wanted} is older than version ${runs}, which ${group} runs${copy}; ` +
        "set rollback to true in the event to release it on purpose",
    );
  }

  const target = await pinned(api, templateId, wanted);
  if (sameTemplate && current.version === wanted) {
    if (target.version === wanted) {
      log(`${group} already runs version ${wanted}`);
      return { action: "current", version: wanted };
    }
    await api.useVersion(group, templateId, target.version);
    log(`${group} now runs version ${target.version} (${target.imageId}), pinned from version ${wanted}, which its servers already run`);
    return { action: "pinned", version: target.version, imageId: target.imageId };
  }

  // AWS can return only to a numbered version whose image is an AMI id: a group on a version of an SSM-parameter
  // image (one the provider rolled before releases were pinned), on $Latest or $Default, or on a template that is
  // gone, is released once without rollback.
  const numbered = /^\d+$/.test(current.version);
  const rollbackFrom = numbered && currentVersion && !currentVersion.imageId.startsWith(SSM_IMAGE);
  const refreshId = await api.startRefresh({ ...event, launchTemplateVersion: target.version, autoRollback: Boolean(rollbackFrom) });
  const note = rollbackFrom
    ? undefined
    : `no automatic rollback for this release: the group's version ${current.version} of ${current.launchTemplateId} ${
        !numbered ? "is not a version number" : currentVersion ? "boots an SSM parameter's image" : "no longer exists"
      }, which AWS cannot return to`;
  const rollback = note ? `; ${note}` : ", rolled back by AWS if it fails";
  const onPurpose = event.rollback === true ? " (a rollback on purpose: the event's rollback is true)" : "";
  log(`${group}: instance refresh ${refreshId} to version ${target.version} (${target.imageId}) started${onPurpose}${rollback}`);
  return { action: "refresh", refreshId, version: target.version, imageId: target.imageId, autoRollback: Boolean(rollbackFrom), note };
}

/** Terraform's version itself when its image is an AMI id, else a new copy of it with the AMI its parameter names now. */
async function pinned(api: ReleaseApi, templateId: string, version: string): Promise<{ version: string; imageId: string }> {
  const source = await api.templateVersion(templateId, version);
  if (!source) throw new Error(`launch template ${templateId} has no version ${version}`);
  if (!source.imageId.startsWith(SSM_IMAGE)) return { version, imageId: source.imageId };
  const imageId = await api.resolveImage(templateId, version);
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw new Error(`${source.imageId} resolved to ${JSON.stringify(imageId)}, not an AMI id`);
  const parameter = source.imageId.slice(SSM_IMAGE.length);
  return { version: await api.createVersion(templateId, version, imageId, pinnedDescription(version, imageId, parameter)), imageId };
}
