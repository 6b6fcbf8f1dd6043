import type { ITerraformDependable } from "cdktf";

// What constructs hand each other instead of ids, ARNs and names as loose
// strings: each handle is implemented by the construct that owns the
// resource and taken as a prop by those that act on it.

/** A CloudWatch alarm as others act on it (a release that rolls back on it, a dashboard that shows it): Terraform references. */
export interface AlarmHandle {
  /** The name as a Terraform reference (`${aws_cloudwatch_metric_alarm.x.alarm_name}`): whatever names it waits for the alarm. */
  readonly name: string;
  readonly arn: string;
}

/** A launch template as a release needs it: Terraform references to the template and its newest version. */
export interface LaunchTemplateHandle {
  readonly id: string;
  readonly arn: string;
  /** The version Terraform made last (`latest_version`): each new one is a release. */
  readonly latestVersion: string;
}

/**
 * An Auto Scaling group as others act on it: its name and ARN (Terraform
 * references), its launch template, and the group itself to wait for.
 */
export interface AutoScalingGroupHandle extends ITerraformDependable {
  readonly name: string;
  readonly arn: string;
  readonly launchTemplate: LaunchTemplateHandle;
}
