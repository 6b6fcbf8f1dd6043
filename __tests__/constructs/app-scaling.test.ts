import { Testing } from "cdktf";
import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { AppScaling, type AppScalingProps } from "../../src/constructs/compute/app-scaling";

const LOAD_BALANCER = { arnSuffix: "app/Inventory-LB/50dc6c495c0c9188", targetGroupArnSuffix: "targetgroup/Inventory-App/73e2d6bc24d8a067" };

function synthScaling(overrides: Partial<AppScalingProps> = {}) {
  return Testing.synthScope(
    (scope) =>
      new AppScaling(scope, "scaling", {
        name: "Inventory-ASG target tracking",
        autoScalingGroupName: "Inventory-ASG",
        metric: "request-count-per-target",
        loadBalancer: LOAD_BALANCER,
        ...overrides,
      }),
  );
}

describe("AppScaling", () => {
  it("tracks the load balancer's requests per server, 1000 a minute by default, for the group's target group", () => {
    expect(synthScaling()).toHaveResourceWithProperties(AutoscalingPolicy, {
      name: "Inventory-ASG target tracking",
      autoscaling_group_name: "Inventory-ASG",
      policy_type: "TargetTrackingScaling",
      target_tracking_configuration: {
        target_value: 1000,
        predefined_metric_specification: {
          predefined_metric_type: "ALBRequestCountPerTarget",
          resource_label: "app/Inventory-LB/50dc6c495c0c9188/targetgroup/Inventory-App/73e2d6bc24d8a067",
        },
      },
    });
  });

  it("tracks the group's average CPU, 50% by default, or the target given", () => {
    expect(synthScaling({ metric: "average-cpu", loadBalancer: undefined })).toHaveResourceWithProperties(AutoscalingPolicy, {
      target_tracking_configuration: { target_value: 50, predefined_metric_specification: { predefined_metric_type: "ASGAverageCPUUtilization" } },
    });
    expect(synthScaling({ metric: "average-cpu", targetValue: 65 })).toHaveResourceWithProperties(AutoscalingPolicy, {
      target_tracking_configuration: { target_value: 65, predefined_metric_specification: { predefined_metric_type: "ASGAverageCPUUtilization" } },
    });
  });

  it("takes a CPU target of exactly 100%, the highest there is", () => {
    expect(synthScaling({ metric: "average-cpu", targetValue: 100 })).toHaveResourceWithProperties(AutoscalingPolicy, {
      target_tracking_configuration: { target_value: 100, predefined_metric_specification: { predefined_metric_type: "ASGAverageCPUUtilization" } },
    });
  });

  it.each<[string, Partial<AppScalingProps>, RegExp]>([
    ["a CPU target above 100%", { metric: "average-cpu", targetValue: 120 }, /^AppScaling [\w-]+\/scaling: targetValue: 120 is a CPU percentage, at most 100$/],
    ["a target of 0", { targetValue: 0 }, /\/scaling: targetValue: 0 must be above 0$/],
    [
      "request tracking without the load balancer",
      { loadBalancer: undefined },
      /\/scaling: loadBalancer: request-count-per-target needs the load balancer and target group$/,
    ],
  ])("refuses %s, naming the construct and the prop", (_what, overrides, message) => {
    expect(() => synthScaling(overrides)).toThrow(message);
  });
});
