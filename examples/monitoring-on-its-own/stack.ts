import type { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack, TerraformVariable, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { autoScalingGroupMetric, databaseMetric, loadBalancerMetric } from "../../src/aws/cloudwatch-metrics";
import { AlarmTopic } from "../../src/constructs/monitoring/alarm-topic";
import { AvailabilityAlarms } from "../../src/constructs/monitoring/availability-alarms";
import { Dashboard } from "../../src/constructs/monitoring/dashboard";
import { addStateBackend } from "../../src/terraform/state-backend";

export interface MonitoringOnItsOwnProps {
  /** Region of the watched resources. @default "eu-central-1" */
  readonly region?: string;
  /** Class of the watched database: its thresholds are proportional to its memory. @default "db.t3.small" */
  readonly databaseInstanceClass?: string;
  /** Storage of the watched database in GiB. @default 40 */
  readonly databaseStorageGiB?: number;
  /** Where alarms are mailed; the address confirms by the link AWS sends it. @default "ops@example.com" */
  readonly alertEmail?: string;
}

/**
 * The monitoring constructs alone, on resources that already exist: the load
 * balancer, its target group, the Auto Scaling group, the database and the
 * NAT gateways come in as Terraform variables. An alarm topic (its own KMS
 * key, an email subscription), every availability alarm with its default
 * threshold, and a dashboard of the alarms and the traffic.
 */
export class MonitoringOnItsOwnExample extends TerraformStack {
  constructor(scope: Construct, id: string, props: MonitoringOnItsOwnProps = {}) {
    super(scope, id);
    const region = props.region ?? "eu-central-1";
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: { Example: id } }] });
    // State in a file beside cdktf.json; addStateBackend takes S3 or Terraform Cloud settings as well.
    addStateBackend(this, { backend: "local", environment: id });

    const variable = (name: string, description: string) => new TerraformVariable(this, name, { type: "string", description }).stringValue;
    const loadBalancer = variable("load_balancer_arn_suffix", "The load balancer's ARN suffix (aws_lb.arn_suffix: app/NAME/ID)");
    const targetGroup = variable("target_group_arn_suffix", "Its target group's ARN suffix (aws_lb_target_group.arn_suffix: targetgroup/NAME/ID)");
    const group = variable("auto_scaling_group_name", "The Auto Scaling group behind it, collecting its group metrics");
    const database = variable("database_identifier", "The RDS instance's identifier");
    const natGateways = new TerraformVariable(this, "nat_gateway_ids", {
      type: "list(string)",
      description: "The two NAT gateways, one per zone, each watched on its own",
      validation: [{ condition: "${length(var.nat_gateway_ids) == 2}", errorMessage: "Give the two NAT gateways, one per zone." }],
    });

    const topic = new AlarmTopic(this, "topic", { name: "example-alarms", region, emailAddresses: [props.alertEmail ?? "ops@example.com"] });
    const { alarms } = new AvailabilityAlarms(this, "alarms", {
      topicArn: topic.topicArn,
      loadBalancer: { dimension: loadBalancer, name: "example-lb" },
      targetGroup: { dimension: targetGroup, name: "example-app" },
      autoScalingGroup: { dimension: group, name: "example-asg" },
      database: {
        dimension: database,
        name: "example-db",
        instanceClass: props.databaseInstanceClass ?? "db.t3.small",
        allocatedStorageGiB: props.databaseStorageGiB ?? 40,
      },
      natGateways: [0, 1].map((index) => ({ dimension: Token.asString(Fn.element(natGateways.listValue, index)), name: `example-nat-${index + 1}` })),
    });
    const dashboard = new Dashboard(this, "dashboard", {
      name: "example-availability",
      region,
      widgets: [
        { kind: "alarm-status", title: "Alarms", alarmArns: alarms.map(({ alarm }) => alarm.arn) },
        { kind: "graph", title: "Requests", unit: "requests / min", series: [loadBalancerMetric("RequestCount", "Sum", loadBalancer, { label: "requests" })] },
        {
          kind: "graph",
          title: "Healthy hosts",
          unit: "targets",
          series: [
            loadBalancerMetric("HealthyHostCount", "Minimum", loadBalancer, { targetGroupArnSuffix: targetGroup, label: "healthy" }),
            autoScalingGroupMetric("GroupDesiredCapacity", "Maximum", group, "desired"),
          ],
        },
        { kind: "graph", title: "Database CPU", unit: "%", series: [databaseMetric("CPUUtilization", "Average", database, "CPU")] },
      ],
    });

    new TerraformOutput(this, "topic_arn", { value: topic.topicArn, description: "The topic the alarms notify; subscribe more endpoints to it" });
    new TerraformOutput(this, "alarm_names", { value: alarms.map(({ alarm }) => alarm.name), description: "Every availability alarm" });
    new TerraformOutput(this, "dashboard_url", { value: dashboard.url, description: "The dashboard in the CloudWatch console" });
  }
}
