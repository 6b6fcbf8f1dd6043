import { Testing } from "cdktf";
import { Monitoring } from "../../src/constructs/monitoring/monitoring";
import { onlyResource } from "../support/stacks";

// The Monitoring construct on its own: the alarm topic, an alarm per signal,
// and the dashboard it composes from them, widget by widget (title, unit and
// each series: namespace, metric, dimensions, statistic and label, or an
// expression and its label), in the order an operator reads it.

const WATCHED = {
  loadBalancer: { dimension: "app/Inventory-LB/0123456789abcdef", name: "Inventory-LB" },
  targetGroup: { dimension: "targetgroup/Inventory-App/0123456789abcdef", name: "Inventory-App" },
  autoScalingGroup: { dimension: "Inventory-ASG", name: "Inventory-ASG" },
  database: { dimension: "inventory-db", name: "Inventory-DB", instanceClass: "db.t3.small", allocatedStorageGiB: 40 },
  natGateways: [
    { dimension: "nat-0123456789abcdef0", name: "NAT 1" },
    { dimension: "nat-0123456789abcdef1", name: "NAT 2" },
  ],
};

const document = JSON.parse(
  Testing.synthScope((scope) => {
    new Monitoring(scope, "monitoring", {
      region: "us-west-2",
      names: { topic: "Inventory-Alarms", keyAlias: "inventory-alarms", dashboard: "Inventory-HA" },
      watched: WATCHED,
    });
  }),
);

/** A metric row as one line: its namespace, name, dimensions and options; an expression as its text and label. */
function rowLine(row: unknown[]): string {
  const options = row.at(-1) as { expression?: string; label?: string; stat?: string; visible?: boolean };
  if (options.expression !== undefined) return `= ${options.expression} (${options.label})`;
  const hidden = options.visible === false ? " hidden" : "";
  return `${row.slice(0, -1).join(" ")} ${options.stat}${options.label ? ` (${options.label})` : ""}${hidden}`;
}

describe("Monitoring", () => {
  const [, dashboard] = onlyResource(document, "aws_cloudwatch_dashboard");
  const widgets = JSON.parse(dashboard.dashboard_body).widgets as { type: string; properties: any }[];

  it("names the dashboard and the topic as given", () => {
    const [, topic] = onlyResource(document, "aws_sns_topic");
    expect([dashboard.dashboard_name, topic.name]).toStrictEqual(["Inventory-HA", "Inventory-Alarms"]);
  });

  it("puts every alarm's state first, one alarm per signal and per NAT gateway", () => {
    const alarms = Object.keys(document.resource.aws_cloudwatch_metric_alarm);
    expect(alarms).toHaveLength(15);
    expect(widgets[0]).toMatchObject({ type: "alarm", properties: { title: "Alarms" } });
    expect([...widgets[0].properties.alarms].sort()).toStrictEqual(alarms.map((name) => `\${aws_cloudwatch_metric_alarm.${name}.arn}`).sort());
  });

  it("graphs requests, errors, latency, the fleet, the database and each NAT gateway, each in its unit", () => {
    const graphs = widgets.slice(1).map((widget) => ({
      title: widget.properties.title,
      unit: widget.properties.yAxis.left.label,
      rows: (widget.properties.metrics as unknown[][]).map(rowLine),
    }));
    const LB = "LoadBalancer app/Inventory-LB/0123456789abcdef";
    const TG = "TargetGroup targetgroup/Inventory-App/0123456789abcdef";
    expect(graphs).toStrictEqual([
      { title: "Requests", unit: "requests / min", rows: [`AWS/ApplicationELB RequestCount ${LB} Sum (requests)`] },
      {
        title: "5xx responses",
        unit: "% of requests",
        rows: [
          "= 100 * FILL(s0_errors, 0) / s0_requests (load balancer 5xx, % of requests)",
          `AWS/ApplicationELB HTTPCode_ELB_5XX_Count ${LB} Sum hidden`,
          `AWS/ApplicationELB RequestCount ${LB} Sum hidden`,
          "= 100 * FILL(s1_errors, 0) / s1_requests (app 5xx, % of requests)",
          `AWS/ApplicationELB HTTPCode_Target_5XX_Count ${LB} Sum hidden`,
          `AWS/ApplicationELB RequestCount ${LB} Sum hidden`,
        ],
      },
      {
        title: "Response time",
        unit: "seconds",
        rows: ["p50", "p95", "p99"].map((statistic) => `AWS/ApplicationELB TargetResponseTime ${TG} ${LB} ${statistic} (${statistic})`),
      },
      {
        title: "Healthy hosts",
        unit: "targets",
        rows: [
          `AWS/ApplicationELB HealthyHostCount ${TG} ${LB} Minimum (healthy)`,
          `AWS/ApplicationELB UnHealthyHostCount ${TG} ${LB} Maximum (unhealthy)`,
          "AWS/AutoScaling GroupDesiredCapacity AutoScalingGroupName Inventory-ASG Maximum (desired)",
        ],
      },
      {
        title: "In-service instances",
        unit: "instances",
        rows: [
          "AWS/AutoScaling GroupInServiceInstances AutoScalingGroupName Inventory-ASG Minimum (in service)",
          "AWS/AutoScaling GroupPendingInstances AutoScalingGroupName Inventory-ASG Maximum (pending)",
          "AWS/AutoScaling GroupDesiredCapacity AutoScalingGroupName Inventory-ASG Maximum (desired)",
        ],
      },
      { title: "Database CPU", unit: "%", rows: ["AWS/RDS CPUUtilization DBInstanceIdentifier inventory-db Average (CPU)"] },
      { title: "Database connections", unit: "connections", rows: ["AWS/RDS DatabaseConnections DBInstanceIdentifier inventory-db Maximum (connections)"] },
      {
        title: "Database free storage",
        unit: "GiB",
        rows: ["= s0_free / 1073741824 (free storage)", "AWS/RDS FreeStorageSpace DBInstanceIdentifier inventory-db Minimum hidden"],
      },
      {
        title: "NAT gateway traffic",
        unit: "bytes / min",
        rows: [
          "AWS/NATGateway BytesOutToDestination NatGatewayId nat-0123456789abcdef0 Sum (NAT 1 out)",
          "AWS/NATGateway BytesInFromDestination NatGatewayId nat-0123456789abcdef0 Sum (NAT 1 in)",
          "AWS/NATGateway BytesOutToDestination NatGatewayId nat-0123456789abcdef1 Sum (NAT 2 out)",
          "AWS/NATGateway BytesInFromDestination NatGatewayId nat-0123456789abcdef1 Sum (NAT 2 in)",
        ],
      },
    ]);
  });
});
