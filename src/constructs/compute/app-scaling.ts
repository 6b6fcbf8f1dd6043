import { Construct } from "constructs";
import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { type PropProblem, refuseProblems } from "../../props/prop-problems";

/** What target tracking keeps at its target value. */
export const SCALING_METRICS = ["request-count-per-target", "average-cpu"] as const;
export type ScalingMetric = (typeof SCALING_METRICS)[number];

/**
 * Default targets: 1000 requests per server per minute (about 17 a second,
 * well within what a t3.micro serves of the app's small pages) and 50%
 * average CPU (room for a server's share when one of two fails).
 */
export const DEFAULT_TARGET_VALUES: Readonly<Record<ScalingMetric, number>> = { "request-count-per-target": 1000, "average-cpu": 50 };

export interface AppScalingProps {
  /** Name of the scaling policy. */
  readonly name: string;
  /** The Auto Scaling group the policy resizes, between its min and max size. */
  readonly autoScalingGroupName: string;
  /** `request-count-per-target`: ALB requests per server per minute; `average-cpu`: the group's average CPU percent. */
  readonly metric: ScalingMetric;
  /** The value the policy keeps the metric at. @default DEFAULT_TARGET_VALUES[metric] */
  readonly targetValue?: number;
  /** `arn_suffix` of the load balancer and of the target group; required for `request-count-per-target`. @default none */
  readonly loadBalancer?: { readonly arnSuffix: string; readonly targetGroupArnSuffix: string };
}

/** Problems with the target: above 0, and a CPU target a percentage. */
export function appScalingProblems(props: Pick<AppScalingProps, "metric" | "targetValue">): PropProblem[] {
  const targetValue = props.targetValue ?? DEFAULT_TARGET_VALUES[props.metric];
  if (!(targetValue > 0)) return [{ prop: "targetValue", message: `${targetValue} must be above 0` }];
  if (props.metric === "average-cpu" && targetValue > 100) return [{ prop: "targetValue", message: `${targetValue} is a CPU percentage, at most 100` }];
  return [];
}

/**
 * Target tracking scaling for the app servers: AWS adds servers when the
 * metric is above its target and removes them when it is well below, within
 * the group's min and max size.
 */
export class AppScaling extends Construct {
  readonly policyArn: string;

  constructor(scope: Construct, id: string, props: AppScalingProps) {
    super(scope, id);
    const targetValue = props.targetValue ?? DEFAULT_TARGET_VALUES[props.metric];
    const fail = (prop: string, message: string) => refuseProblems(this, [{ prop, message }]);
    refuseProblems(this, appScalingProblems(props));
    if (props.metric === "request-count-per-target" && !props.loadBalancer)
      fail("loadBalancer", "request-count-per-target needs the load balancer and target group");

    const policy = new AutoscalingPolicy(this, "policy", {
      name: props.name,
      autoscalingGroupName: props.autoScalingGroupName,
      policyType: "TargetTrackingScaling",
      targetTrackingConfiguration: {
        targetValue,
        predefinedMetricSpecification:
          props.metric === "average-cpu"
            ? { predefinedMetricType: "ASGAverageCPUUtilization" }
            : {
                predefinedMetricType: "ALBRequestCountPerTarget",
                resourceLabel: `${props.loadBalancer!.arnSuffix}/${props.loadBalancer!.targetGroupArnSuffix}`,
              },
      },
    });
    this.policyArn = policy.arn;
  }
}
