import type { Control, Finding, Target } from "../control";
import {
  type Block,
  blockList,
  isFalse,
  type PolicyStatement,
  pointsAt,
  readPolicy,
  referencedBlock,
  resources,
  show,
  type TerraformDocument,
} from "../../terraform/document";

/**
 * The monitoring controls: the alarm topic is encrypted (checkov's
 * CKV_AWS_26), every HA signal of every resource has an alarm that notifies
 * someone, and those notifications can be delivered at all. Like the other
 * controls they read the synthesized document only, and know the HA signals
 * on their own: an alarm the stack stops creating is a finding here, not a
 * signal quietly dropped from a shared list.
 */

/** A metric that must be watched for each resource of a type: the dimension that names the resource, and the attribute it takes. */
interface RequiredSignal {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimension: string;
  readonly attribute: string;
  /** What the signal means, for a finding. */
  readonly what: string;
}

const ALB = "AWS/ApplicationELB";
const REQUIRED_SIGNALS: Readonly<Record<string, readonly RequiredSignal[]>> = {
  aws_lb_target_group: [
    { namespace: ALB, metricName: "HealthyHostCount", dimension: "TargetGroup", attribute: "arn_suffix", what: "healthy targets" },
    { namespace: ALB, metricName: "UnHealthyHostCount", dimension: "TargetGroup", attribute: "arn_suffix", what: "unhealthy targets" },
  ],
  aws_autoscaling_group: [
    { namespace: "AWS/AutoScaling", metricName: "GroupInServiceInstances", dimension: "AutoScalingGroupName", attribute: "name", what: "in-service instances" },
  ],
  aws_lb: [
    { namespace: ALB, metricName: "HTTPCode_ELB_5XX_Count", dimension: "LoadBalancer", attribute: "arn_suffix", what: "load balancer 5xx responses" },
    { namespace: ALB, metricName: "HTTPCode_Target_5XX_Count", dimension: "LoadBalancer", attribute: "arn_suffix", what: "app 5xx responses" },
    { namespace: ALB, metricName: "TargetResponseTime", dimension: "LoadBalancer", attribute: "arn_suffix", what: "response time" },
    { namespace: ALB, metricName: "RejectedConnectionCount", dimension: "LoadBalancer", attribute: "arn_suffix", what: "rejected connections" },
  ],
  aws_db_instance: [
    { namespace: "AWS/RDS", metricName: "CPUUtilization", dimension: "DBInstanceIdentifier", attribute: "identifier", what: "CPU" },
    { namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimension: "DBInstanceIdentifier", attribute: "identifier", what: "free storage" },
    { namespace: "AWS/RDS", metricName: "FreeableMemory", dimension: "DBInstanceIdentifier", attribute: "identifier", what: "freeable memory" },
    { namespace: "AWS/RDS", metricName: "DatabaseConnections", dimension: "DBInstanceIdentifier", attribute: "identifier", what: "connections" },
  ],
  aws_nat_gateway: [
    { namespace: "AWS/NATGateway", metricName: "ErrorPortAllocation", dimension: "NatGatewayId", attribute: "id", what: "port allocation errors" },
    { namespace: "AWS/NATGateway", metricName: "PacketsDropCount", dimension: "NatGatewayId", attribute: "id", what: "dropped packets" },
  ],
};

/** A metric an alarm reads: its own, or one of its metric math queries'. */
interface AlarmMetric {
  readonly namespace: unknown;
  readonly metricName: unknown;
  readonly dimensions: Record<string, unknown>;
}

function alarmMetrics(alarm: Block): AlarmMetric[] {
  const own =
    alarm.config.metric_name === undefined
      ? []
      : [{ namespace: alarm.config.namespace, metricName: alarm.config.metric_name, dimensions: alarm.config.dimensions ?? {} }];
  const queried = blockList(alarm.config.metric_query).flatMap((query) =>
    blockList(query.metric).map((metric) => ({ namespace: metric.namespace, metricName: metric.metric_name, dimensions: metric.dimensions ?? {} })),
  );
  return [...own, ...queried];
}

const topics = (document: TerraformDocument) => resources(document, "aws_sns_topic");

/** Why an alarm notifies nobody, or undefined: it needs enabled actions, one of them an SNS topic. */
function silenceOf(document: TerraformDocument, alarm: Block): string | undefined {
  if (isFalse(alarm.config.actions_enabled)) return `${alarm.address} has its actions disabled`;
  const actions = blockList(alarm.config.alarm_actions).map(String);
  const notifies = actions.some((action) => topics(document).some((topic) => pointsAt(document, action, topic)) || /^arn:aws[a-z-]*:sns:/.test(action));
  return notifies ? undefined : `${alarm.address} notifies no SNS topic (alarm_actions ${show(alarm.config.alarm_actions)})`;
}

/** Every HA signal of every resource that has one, each with an alarm that notifies a topic. */
function haSignalFindings(document: TerraformDocument): Finding[] {
  const alarms = resources(document, "aws_cloudwatch_metric_alarm");
  const findings: Finding[] = [];
  for (const [type, signals] of Object.entries(REQUIRED_SIGNALS)) {
    const watched =
      type === "aws_lb"
        ? resources(document, type).filter((lb) => (lb.config.load_balancer_type ?? "application") === "application")
        : resources(document, type);
    for (const resource of watched) {
      for (const signal of signals) {
        const watching = alarms.filter((alarm) =>
          alarmMetrics(alarm).some(
            (metric) =>
              metric.namespace === signal.namespace &&
              metric.metricName === signal.metricName &&
              metric.dimensions[signal.dimension] === `\${${resource.address}.${signal.attribute}}`,
          ),
        );
        const silences = watching.map((alarm) => silenceOf(document, alarm));
        if (watching.length === 0)
          findings.push({
            address: resource.address,
            problem: `no alarm watches its ${signal.what} (${signal.namespace} ${signal.metricName} by ${signal.dimension})`,
          });
        else if (silences.every((silence) => silence !== undefined))
          findings.push({ address: resource.address, problem: `no alarm on its ${signal.what} notifies anyone: ${silences.join("; ")}` });
      }
    }
  }
  // An alarm on a group metric the group does not collect never sees a data point.
  for (const alarm of alarms) {
    for (const metric of alarmMetrics(alarm).filter((candidate) => candidate.namespace === "AWS/AutoScaling")) {
      const group = referencedBlock(document, metric.dimensions.AutoScalingGroupName);
      if (group?.type === "aws_autoscaling_group" && !blockList(group.config.enabled_metrics).includes(metric.metricName))
        findings.push({ address: alarm.address, problem: `watches ${show(metric.metricName)}, which ${group.address} does not collect (enabled_metrics)` });
    }
  }
  return findings;
}

// ---------------------------------------------------------------- delivery

const CLOUDWATCH = "cloudwatch.amazonaws.com";
const isCloudWatch = (statement: PolicyStatement) =>
  statement.principals.some((principal) => principal.type === "Service" && principal.identifiers.includes(CLOUDWATCH));
/** Whether `statement` names `action`, or a pattern ending in `*` that covers it (`*` alone covers every action). */
const allows = (statement: PolicyStatement, action: string) =>
  statement.actions.some((candidate) => candidate === action || (candidate.endsWith("*") && action.startsWith(candidate.slice(0, -1))));
const sourceConditioned = (statement: PolicyStatement) =>
  statement.conditions.some((condition) => ["aws:sourceaccount", "aws:sourcearn"].includes(condition.variable.toLowerCase()));

/** What keeps a topic the alarms notify from receiving or keeping their notifications safe. */
function deliveryProblems(document: TerraformDocument, topic: Block): string[] {
  const problems: string[] = [];
  const policies = resources(document, "aws_sns_topic_policy").filter((policy) => pointsAt(document, policy.config.arn, topic));
  const statements = policies.flatMap((policy) => {
    const reading = readPolicy(policy.config.policy);
    if ("problem" in reading) problems.push(`${policy.address}: ${reading.problem}`);
    return "statements" in reading ? reading.statements : [];
  });
  const publishers = statements.filter((statement) => statement.effect === "Allow" && allows(statement, "sns:Publish"));
  if (!publishers.some((statement) => isCloudWatch(statement) && sourceConditioned(statement)))
    problems.push("no topic policy lets CloudWatch alarms of the account publish (cloudwatch.amazonaws.com with aws:SourceAccount or aws:SourceArn)");
  for (const statement of publishers.filter((candidate) => !isCloudWatch(candidate)))
    problems.push(`its topic policy also lets ${statement.principals.map((principal) => principal.identifiers.join(", ")).join(", ") || "anyone"} publish`);
  const tlsOnly = statements.some(
    (statement) =>
      statement.effect === "Deny" &&
      allows(statement, "sns:Publish") &&
      statement.conditions.some((condition) => condition.test === "Bool" && condition.variable === "aws:SecureTransport" && condition.values.includes("false")),
  );
  if (!tlsOnly) problems.push("its topic policy does not deny publishing without TLS (aws:SecureTransport false)");

  const keyId = topic.config.kms_master_key_id;
  if (typeof keyId === "string" && /(^|:)alias\/aws\/sns$/.test(keyId)) {
    problems.push("is encrypted with the AWS managed key alias/aws/sns, whose policy cannot let CloudWatch publish");
  } else if (typeof keyId === "string") {
    const key = referencedBlock(document, keyId);
    if (key?.type !== "aws_kms_key") problems.push(`its key ${show(keyId)} is not a key of this configuration, so its policy cannot be checked`);
    else {
      const keyPolicies = [
        key.config.policy,
        ...resources(document, "aws_kms_key_policy")
          .filter((policy) => pointsAt(document, policy.config.key_id, key))
          .map((policy) => policy.config.policy),
      ];
      const usable = keyPolicies
        .filter((policy) => policy !== undefined)
        .map(readPolicy)
        .some(
          (reading) =>
            "statements" in reading &&
            reading.statements.some(
              (statement) =>
                statement.effect === "Allow" && isCloudWatch(statement) && allows(statement, "kms:Decrypt") && allows(statement, "kms:GenerateDataKey"),
            ),
        );
      if (!usable)
        problems.push(`no policy of its key ${key.address} lets CloudWatch use it (kms:Decrypt and kms:GenerateDataKey* for cloudwatch.amazonaws.com)`);
    }
  }
  return problems;
}

/** The topics some alarm notifies. */
function alarmTopics(document: TerraformDocument): Block[] {
  const actions = resources(document, "aws_cloudwatch_metric_alarm").flatMap((alarm) => [
    ...blockList(alarm.config.alarm_actions),
    ...blockList(alarm.config.ok_actions),
  ]);
  return topics(document).filter((topic) => actions.some((action) => pointsAt(document, action, topic)));
}

export const monitoringControls: Control[] = [
  {
    id: "CKV_AWS_26",
    aliases: ["SNS.1"],
    title: "SNS topics are encrypted at rest with KMS",
    scopes: ["inventory"],
    check: ({ document }: Target) =>
      topics(document).flatMap((topic) =>
        typeof topic.config.kms_master_key_id === "string" && topic.config.kms_master_key_id !== ""
          ? []
          : [{ address: topic.address, problem: `kms_master_key_id is ${show(topic.config.kms_master_key_id)}` }],
      ),
  },
  {
    id: "INV-MON-1",
    aliases: [],
    title: "Every HA signal has an alarm with an action",
    scopes: ["inventory"],
    check: ({ document }: Target) => haSignalFindings(document),
  },
  {
    id: "INV-MON-2",
    aliases: [],
    title: "Alarm notifications can be delivered: CloudWatch alarms of the account may publish, over TLS only, with a key CloudWatch may use",
    scopes: ["inventory"],
    check: ({ document }: Target) => {
      const notified = alarmTopics(document);
      if (notified.length === 0 && resources(document, "aws_cloudwatch_metric_alarm").length > 0)
        return [{ address: "(configuration)", problem: "no alarm notifies an SNS topic of this configuration" }];
      return notified.flatMap((topic) => deliveryProblems(document, topic).map((problem) => ({ address: topic.address, problem })));
    },
  },
];
