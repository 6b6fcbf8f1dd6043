import { AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { APP_URL, GROUP_NAME, TARGET_GROUP_ARN, group, targets, throttlingError } from "./support/aws-answers";
import { type Harness, startHarness } from "./support/drill-harness";
import { HEALTHY_GROUP, HEALTHY_TARGETS, REPLACEMENT_OUTAGE, answerReplacement } from "./support/scenarios";

const autoScaling = mockClient(AutoScalingClient);
const loadBalancing = mockClient(ElasticLoadBalancingV2Client);

let harness: Harness;
beforeEach(async () => {
  autoScaling.reset();
  loadBalancing.reset();
  harness = await startHarness((n) => REPLACEMENT_OUTAGE[n] ?? 200);
});
afterEach(() => harness.close());

describe("instance drill with --yes", () => {
  test("terminates one in-service instance without lowering the desired capacity", async () => {
    answerReplacement(autoScaling, loadBalancing);
    const run = await harness.run(["instance", "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const terminations = autoScaling.commandCalls(TerminateInstanceInAutoScalingGroupCommand);
    expect(terminations).toHaveLength(1);
    expect(terminations[0].args[0].input).toEqual({ InstanceId: "i-0aaa", ShouldDecrementDesiredCapacity: false });
    expect(autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)[0].args[0].input).toEqual({ AutoScalingGroupNames: [GROUP_NAME] });
    expect(loadBalancing.commandCalls(DescribeTargetHealthCommand)[0].args[0].input).toEqual({ TargetGroupArn: TARGET_GROUP_ARN });
    expect(harness.probedUrls).toEqual([APP_URL]);
  });

  test("prints the timeline and the recovery time, and counts exactly the app's failed requests", async () => {
    answerReplacement(autoScaling, loadBalancing);
    const run = await harness.run(["instance", "--yes"]);
    expect(run.stdout).toContain("t+0s: terminated i-0aaa (us-west-2a); the group should launch a replacement\n");
    expect(run.stdout).toContain("t+5s: i-0ccc launched in us-west-2a (Pending)\n");
    expect(run.stdout).toContain("t+10s: i-0ccc Pending -> InService\n");
    expect(run.stdout).toContain("t+15s: i-0ccc initial -> healthy in Inventory-App\n");
    expect(run.stdout).toContain("t+15s: fleet healthy again: 2 of 2 targets healthy (i-0bbb, i-0ccc)\n");
    expect(run.stdout).toContain("Recovered in 15s: i-0aaa was replaced and 2 targets are healthy in Inventory-App.\n");
    // Requests at t+3 (503), t+4 (502), t+5 (connection dropped) failed; t+0..t+14 were made before recovery at t+15.
    expect(run.stdout).toContain(`App ${APP_URL}: 3 of 15 requests failed (1 HTTP 503, 1 HTTP 502, 1 connection reset), from t+3s to t+5s.\n`);
    expect(run.stdout).toContain("t+3s: app request failed: HTTP 503\n");
    expect(run.stdout).toContain("t+6s: app answers again (after 3 failed requests)\n");
  });

  test("a request the app never answers counts as failed once, as timed out", async () => {
    await harness.close();
    harness = await startHarness((n) => (n === 4 ? "hang" : 200), { probeTimeoutMs: 1000 });
    answerReplacement(autoScaling, loadBalancing);
    const run = await harness.run(["instance", "--yes"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("t+2s: app request failed: timed out\n");
    expect(run.stdout).toContain(`App ${APP_URL}: 1 of 15 requests failed (1 timed out), at t+2s.\n`);
  });
});

describe("instance drill safety", () => {
  test("without --yes it says what it would do and calls no mutating API", async () => {
    answerReplacement(autoScaling, loadBalancing);
    const run = await harness.run(["instance"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Instance drill: inventory-default in us-west-2 (dry run)\n");
    expect(run.stdout).toContain("Would terminate i-0aaa (us-west-2a) with TerminateInstanceInAutoScalingGroup, desired capacity stays 2;\n");
    expect(run.stdout).toContain("Dry run: nothing was changed. Add --yes to run the drill.\n");
    expect(autoScaling.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
    // Only the read-only look before the drill, and one request to check the app answers.
    expect(autoScaling.calls().map((call) => call.args[0].constructor.name)).toEqual(["DescribeAutoScalingGroupsCommand"]);
    expect(loadBalancing.calls().map((call) => call.args[0].constructor.name)).toEqual(["DescribeTargetHealthCommand"]);
    expect(harness.app.requests()).toBe(1);
  });

  test("refuses when the fleet is not healthy to begin with", async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(
      group(2, [
        ["i-0aaa", "us-west-2a", "InService"],
        ["i-0bbb", "us-west-2b", "Pending"],
      ]),
    );
    loadBalancing.on(DescribeTargetHealthCommand).resolves(
      targets([
        ["i-0aaa", "healthy"],
        ["i-0bbb", "initial"],
      ]),
    );
    const run = await harness.run(["instance", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "Refusing: the fleet is not healthy to begin with: 1 of 2 app servers are healthy in Inventory-App; i-0bbb is Pending. Run the drill once it is.\n",
    );
    expect(autoScaling.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
  });

  test("refuses when the app does not answer 2xx before the drill", async () => {
    await harness.close();
    harness = await startHarness(() => 502);
    answerReplacement(autoScaling, loadBalancing);
    const run = await harness.run(["instance", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`Refusing: the fleet is not healthy to begin with: the app at ${APP_URL} does not answer 2xx before the drill (HTTP 502)`);
    expect(autoScaling.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
  });

  test("a fleet that never heals times out with a non-zero exit", async () => {
    autoScaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce(HEALTHY_GROUP)
      .resolves(
        group(2, [
          ["i-0bbb", "us-west-2b", "InService"],
          ["i-0ccc", "us-west-2a", "InService"],
        ]),
      );
    loadBalancing
      .on(DescribeTargetHealthCommand)
      .resolvesOnce(HEALTHY_TARGETS)
      .resolves(
        targets([
          ["i-0bbb", "healthy"],
          ["i-0ccc", "unhealthy"],
        ]),
      );
    autoScaling.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    const run = await harness.run(["instance", "--yes", "--timeout", "60", "--interval", "10"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "Timed out after 60s, not recovered: group 2 InService | Inventory-App 1/2 healthy, 1 unhealthy. " +
        "The Auto Scaling group goes on replacing i-0aaa without the drill.\n",
    );
    // A look at t+0, 10 ... 60: the last one at the deadline.
    expect(autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1 + 7);
    expect(run.stdout).toContain(`App ${APP_URL}: 3 of 60 requests failed (1 HTTP 503, 1 HTTP 502, 1 connection reset), from t+3s to t+5s.\n`);
  });

  test("throttling is retried with backoff and the drill still completes", async () => {
    autoScaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce(HEALTHY_GROUP)
      .rejectsOnce(throttlingError("Throttling"))
      .resolvesOnce(
        group(2, [
          ["i-0bbb", "us-west-2b", "InService"],
          ["i-0ccc", "us-west-2a", "Pending"],
        ]),
      )
      .resolves(
        group(2, [
          ["i-0bbb", "us-west-2b", "InService"],
          ["i-0ccc", "us-west-2a", "InService"],
        ]),
      );
    loadBalancing
      .on(DescribeTargetHealthCommand)
      .resolvesOnce(HEALTHY_TARGETS)
      .resolvesOnce(
        targets([
          ["i-0aaa", "draining"],
          ["i-0bbb", "healthy"],
        ]),
      )
      .rejectsOnce(throttlingError("ThrottlingException"))
      .resolves(
        targets([
          ["i-0bbb", "healthy"],
          ["i-0ccc", "healthy"],
        ]),
      );
    autoScaling.on(TerminateInstanceInAutoScalingGroupCommand).rejectsOnce(throttlingError("RequestLimitExceeded")).resolves({});
    const run = await harness.run(["instance", "--yes"]);
    expect(run.code).toBe(0);
    expect(autoScaling.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(2);
    expect(run.stdout).toContain("t+0s: AWS throttled a request (RequestLimitExceeded); retrying in 1s\n");
    expect(run.stdout).toContain("t+1s: terminated i-0aaa (us-west-2a); the group should launch a replacement\n");
    expect(run.stdout).toContain("t+1s: AWS throttled a request (Throttling); retrying in 1s\n");
    expect(run.stdout).toContain("t+7s: AWS throttled a request (ThrottlingException); retrying in 1s\n");
    // Looks at t+1 (after the retried termination; throttled, retried at t+2) and t+7 (target health throttled, retried at t+8).
    expect(run.stdout).toContain("t+8s: fleet healthy again: 2 of 2 targets healthy (i-0bbb, i-0ccc)\n");
    expect(run.stdout).toContain("Recovered in 8s: i-0aaa was replaced and 2 targets are healthy in Inventory-App.\n");
  });

  test("throttling that lasts past the timeout ends the drill with a message, not a crash", async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolvesOnce(HEALTHY_GROUP).rejects(throttlingError("Throttling"));
    loadBalancing.on(DescribeTargetHealthCommand).resolves(HEALTHY_TARGETS);
    autoScaling.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    const run = await harness.run(["instance", "--yes", "--timeout", "30"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "Timed out after 30s: AWS kept throttling the drill's requests. The Auto Scaling group goes on replacing i-0aaa without the drill.\n",
    );
  });

  test("an AWS error while watching stops the drill with the error, after stopping the app requests", async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves(HEALTHY_GROUP);
    const denied = Object.assign(new Error("User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth"), { name: "AccessDenied" });
    loadBalancing.on(DescribeTargetHealthCommand).resolvesOnce(HEALTHY_TARGETS).resolvesOnce(HEALTHY_TARGETS).rejects(denied);
    autoScaling.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    const run = await harness.run(["instance", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "Stopped at t+5s: AccessDenied: User is not authorized to perform: elasticloadbalancing:DescribeTargetHealth. " +
        "The Auto Scaling group goes on replacing i-0aaa without the drill.\n",
    );
    const requests = harness.app.requests();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.app.requests()).toBe(requests);
  });

  test("a group that does not exist is a one-line error", async () => {
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const run = await harness.run(["instance", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("drill: Auto Scaling group Inventory-ASG not found (stack outputs out of date, or another region?)\n");
  });
});

describe("instance drill and Ctrl-C", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  test("stops polling and probing, prints what happened so far and exits 130", async () => {
    answerReplacement(autoScaling, loadBalancing);
    const interrupt = new AbortController();
    let looks = 0;
    // Ctrl-C arrives during the look at t+5.
    autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(() => {
      looks++;
      if (looks === 3) interrupt.abort();
      return looks === 1
        ? HEALTHY_GROUP
        : group(2, [
            ["i-0aaa", "us-west-2a", "Terminating"],
            ["i-0bbb", "us-west-2b", "InService"],
            ["i-0ccc", "us-west-2a", "Pending"],
          ]);
    });
    const run = await harness.run(["instance", "--yes"], { signal: interrupt.signal });
    expect(run.code).toBe(130);
    expect(run.stdout).toContain("t+0s: terminated i-0aaa (us-west-2a); the group should launch a replacement\n");
    expect(run.stdout).toContain(
      "Interrupted at t+5s before recovery: group 1 InService, 1 Pending, 1 Terminating | Inventory-App 1/2 healthy, 1 draining. " +
        "The Auto Scaling group goes on replacing i-0aaa without the drill.\n",
    );
    // Requests at t+0 .. t+4 were counted; the ones at t+3 .. t+5 failed, but t+5 was cut short by the Ctrl-C.
    expect(run.stdout).toContain(`App ${APP_URL}: 2 of 5 requests failed (1 HTTP 503, 1 HTTP 502), from t+3s to t+4s.\n`);
    expect(looks).toBe(3);
    const requests = harness.app.requests();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.app.requests()).toBe(requests);
    expect(autoScaling.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(3);
    expect(unhandled).toStrictEqual([]);
  });

  test("before anything changed, it says so and exits 130", async () => {
    const interrupt = new AbortController();
    autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(() => {
      interrupt.abort();
      throw Object.assign(new Error("Request aborted"), { name: "AbortError" });
    });
    const run = await harness.run(["instance", "--yes"], { signal: interrupt.signal });
    expect(run.code).toBe(130);
    expect(run.stderr).toBe("drill: interrupted before the drill changed anything\n");
    expect(autoScaling.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
    expect(unhandled).toStrictEqual([]);
  });
});

describe("instance drill and Ctrl-C during the checks", () => {
  test("a Ctrl-C while the app is being checked is an interruption, not a refusal, and nothing is terminated", async () => {
    const interrupt = new AbortController();
    await harness.close();
    harness = await startHarness(() => {
      interrupt.abort();
      return "hang";
    });
    answerReplacement(autoScaling, loadBalancing);
    const run = await harness.run(["instance", "--yes"], { signal: interrupt.signal });
    expect(run.code).toBe(130);
    expect(run.stdout).not.toContain("Refusing");
    expect(run.stderr).toBe("drill: interrupted before the drill changed anything\n");
    expect(autoScaling.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(0);
  });
});

describe("instance drill on a terminal", () => {
  test("rewrites one progress line with \\r instead of printing a line per look", async () => {
    answerReplacement(autoScaling, loadBalancing);
    const run = await harness.run(["instance", "--yes"], { tty: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("\rt+5s  group 1 InService, 1 Pending, 1 Terminating | Inventory-App 1/2 healthy, 1 draining | app 2/5 failed\x1b[K");
    expect(run.stdout).not.toContain("t+5s  group 1 InService, 1 Pending, 1 Terminating | Inventory-App 1/2 healthy, 1 draining | app 2/5 failed\n");
  });
});
