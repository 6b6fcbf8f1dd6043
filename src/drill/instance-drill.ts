import { type AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type DrillStatus, type DrillRuntime, type Observation, appProblem, awsCaller, endOfPlan, watchDrill, watchPlanLines } from "./drill";
import type { AwsCaller } from "./throttling";
import { formatDuration } from "./timeline";

export interface InstanceDrillProps {
  readonly runtime: DrillRuntime;
  readonly autoScaling: AutoScalingClient;
  readonly loadBalancing: ElasticLoadBalancingV2Client;
  /** Stack output `autoscaling_group_name`. */
  readonly autoScalingGroupName: string;
  /** Stack output `target_group_arn`: the load balancer's view of the same servers. */
  readonly targetGroupArn: string;
}

/** An instance as the Auto Scaling group sees it. */
interface GroupInstance {
  readonly availabilityZone: string;
  /** `Pending`, `InService`, `Terminating` ... */
  readonly lifecycle: string;
  /** `Healthy` or `Unhealthy`, as the group judges it. */
  readonly health: string;
}

/** The app servers at one moment, from both sides: the group that runs them and the target group that sends them traffic. */
interface FleetSnapshot {
  readonly desired: number;
  readonly instances: ReadonlyMap<string, GroupInstance>;
  /** Instance ID -> target state (`initial`, `healthy`, `unhealthy`, `draining` ...). */
  readonly targets: ReadonlyMap<string, string>;
}

/**
 * Terminates one healthy app server (keeping the desired capacity, as the
 * lab does by hand) and watches the Auto Scaling group launch a replacement
 * and the load balancer start sending it traffic. Without `runtime.execute`
 * it stops after saying what it would do.
 */
export async function runInstanceDrill(props: InstanceDrillProps): Promise<DrillStatus> {
  const { runtime } = props;
  const out = runtime.console;
  const call = awsCaller(runtime, runtime.clock.now() + runtime.timeoutMs, (text) => out.line(text));
  const targetGroup = targetGroupName(props.targetGroupArn);

  const before = await lookAtFleet(call, props);
  const healthy = healthyInstances(before);
  out.line(`  Auto Scaling group ${props.autoScalingGroupName}: desired ${before.desired}, ${describeInstances(before)} (${listInstances(before)})`);
  out.line(`  Target group ${targetGroup}: ${healthy.length} of ${before.desired} healthy${describeOtherTargets(before)}`);
  const problems = fleetProblems(before, targetGroup);
  const app = await appProblem(runtime);
  if (app) problems.push(app);
  if (problems.length > 0) {
    out.line(`Refusing: the fleet is not healthy to begin with: ${problems.join("; ")}. Run the drill once it is.`);
    return "refused";
  }
  out.line(`  App ${runtime.appUrl}: answers 2xx`);

  const victim = healthy[0];
  const zone = before.instances.get(victim)?.availabilityZone;
  out.line();
  out.line(
    `${runtime.execute ? "Plan:" : "Would"} terminate ${victim} (${zone}) with TerminateInstanceInAutoScalingGroup, desired capacity stays ${before.desired};`,
  );
  out.line(
    `  then look at the group and the target group every ${formatDuration(runtime.pollIntervalMs)} until ${before.desired} targets are healthy again ` +
      `(timeout ${formatDuration(runtime.timeoutMs)}),`,
  );
  for (const line of watchPlanLines(runtime)) out.line(line);
  if (before.desired === 1) out.line(`  Note: desired capacity is 1, so the app is down until the replacement is healthy.`);
  const planned = endOfPlan(runtime, "it does not undo the termination");
  if (planned) return planned;

  let previous = before;
  let terminated = false;
  return watchDrill(runtime, {
    async act(awsCall, timeline) {
      await awsCall((abortSignal) =>
        props.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: false }), { abortSignal }),
      );
      terminated = true;
      timeline.add(`terminated ${victim} (${zone}); the group should launch a replacement`);
    },
    async observe(awsCall, timeline): Promise<Observation> {
      const now = await lookAtFleet(awsCall, props);
      for (const change of fleetChanges(previous, now, targetGroup)) timeline.add(change);
      previous = now;
      const serving = healthyInstances(now).filter((id) => id !== victim);
      // The terminated instance can still look healthy for a poll or two before draining starts; it does not count.
      const done = serving.length >= now.desired;
      if (done) timeline.add(`fleet healthy again: ${serving.length} of ${now.desired} targets healthy (${serving.join(", ")})`);
      return { done, summary: `group ${describeInstances(now)} | ${targetGroup} ${serving.length}/${now.desired} healthy${describeOtherTargets(now, victim)}` };
    },
    describeRecovery: (recoveryMs) =>
      `Recovered in ${formatDuration(recoveryMs)}: ${victim} was replaced and ${before.desired} targets are healthy in ${targetGroup}.`,
    get leftRunning() {
      return terminated
        ? `The Auto Scaling group goes on replacing ${victim} without the drill.`
        : `${victim} may not have been terminated; look at the group before running the drill again.`;
    },
  });
}

async function lookAtFleet(call: AwsCaller, props: InstanceDrillProps): Promise<FleetSnapshot> {
  const groups = await call((abortSignal) =>
    props.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [props.autoScalingGroupName] }), { abortSignal }),
  );
  const group = groups.AutoScalingGroups?.find((candidate) => candidate.AutoScalingGroupName === props.autoScalingGroupName);
  if (!group) throw new Error(`Auto Scaling group ${props.autoScalingGroupName} not found (stack outputs out of date, or another region?)`);
  const health = await call((abortSignal) =>
    props.loadBalancing.send(new DescribeTargetHealthCommand({ TargetGroupArn: props.targetGroupArn }), { abortSignal }),
  );
  const instances = new Map<string, GroupInstance>();
  for (const instance of group.Instances ?? []) {
    if (!instance.InstanceId) continue;
    instances.set(instance.InstanceId, {
      availabilityZone: instance.AvailabilityZone ?? "unknown AZ",
      lifecycle: instance.LifecycleState ?? "unknown",
      health: instance.HealthStatus ?? "unknown",
    });
  }
  const targets = new Map<string, string>();
  for (const description of health.TargetHealthDescriptions ?? []) {
    const id = description.Target?.Id;
    if (id) targets.set(id, description.TargetHealth?.State ?? "unknown");
  }
  return { desired: group.DesiredCapacity ?? 0, instances: sortedById(instances), targets: sortedById(targets) };
}

/** Instances in service that the load balancer also finds healthy: the ones really serving users. */
function healthyInstances(fleet: FleetSnapshot): string[] {
  return [...fleet.instances]
    .filter(([id, instance]) => instance.lifecycle === "InService" && instance.health === "Healthy" && fleet.targets.get(id) === "healthy")
    .map(([id]) => id);
}

function fleetProblems(fleet: FleetSnapshot, targetGroup: string): string[] {
  if (fleet.desired === 0) return ["its desired capacity is 0, so there is no app server to terminate"];
  const problems: string[] = [];
  const healthy = healthyInstances(fleet).length;
  if (healthy < fleet.desired) problems.push(`${healthy} of ${fleet.desired} app servers are healthy in ${targetGroup}`);
  for (const [id, instance] of fleet.instances) {
    if (instance.lifecycle !== "InService") problems.push(`${id} is ${instance.lifecycle}`);
    else if (instance.health !== "Healthy") problems.push(`${id} is ${instance.health}`);
  }
  return problems;
}

/** What changed between two looks, as timeline lines. */
function fleetChanges(before: FleetSnapshot, after: FleetSnapshot, targetGroup: string): string[] {
  const changes: string[] = [];
  if (after.desired !== before.desired) changes.push(`desired capacity ${before.desired} -> ${after.desired}`);
  for (const [id, instance] of after.instances) {
    const old = before.instances.get(id);
    if (!old) changes.push(`${id} launched in ${instance.availabilityZone} (${instance.lifecycle})`);
    else if (old.lifecycle !== instance.lifecycle) changes.push(`${id} ${old.lifecycle} -> ${instance.lifecycle}`);
    if (old && old.health !== instance.health) changes.push(`${id} marked ${instance.health} by the group`);
  }
  for (const id of before.instances.keys()) if (!after.instances.has(id)) changes.push(`${id} left the group`);
  for (const [id, state] of after.targets) {
    const old = before.targets.get(id);
    if (!old) changes.push(`${id} registered in ${targetGroup} (${state})`);
    else if (old !== state) changes.push(`${id} ${old} -> ${state} in ${targetGroup}`);
  }
  for (const id of before.targets.keys()) if (!after.targets.has(id)) changes.push(`${id} deregistered from ${targetGroup}`);
  return changes;
}

/** `1 InService, 1 Pending`: instances per lifecycle state. */
function describeInstances(fleet: FleetSnapshot): string {
  if (fleet.instances.size === 0) return "no instances";
  const counts = countBy([...fleet.instances.values()].map((instance) => instance.lifecycle));
  return [...counts].map(([state, count]) => `${count} ${state}`).join(", ");
}

/** `i-0a in us-west-2a, i-0b in us-west-2b`. */
function listInstances(fleet: FleetSnapshot): string {
  return [...fleet.instances].map(([id, instance]) => `${id} in ${instance.availabilityZone}`).join(", ");
}

/**
 * `, 1 draining, 1 initial`: the targets not counted as healthy, by state. The
 * terminated instance can still look healthy for a poll or two before it
 * starts draining; it is shown apart rather than counted.
 */
function describeOtherTargets(fleet: FleetSnapshot, victim?: string): string {
  const others = [...fleet.targets]
    .filter(([id, state]) => state !== "healthy" || id === victim)
    .map(([id, state]) => (id === victim && state === "healthy" ? "healthy but terminated" : state));
  return [...countBy(others)].map(([state, count]) => `, ${count} ${state}`).join("");
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of [...values].sort()) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function sortedById<T>(map: Map<string, T>): Map<string, T> {
  return new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
}

/** `Inventory-App` from `arn:aws:elasticloadbalancing:...:targetgroup/Inventory-App/0123456789abcdef`. */
function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}
