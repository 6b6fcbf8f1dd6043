import { TerraformOutput, Testing } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { databaseMetric, loadBalancerMetric } from "../../src/aws/cloudwatch-metrics";
import { Dashboard, type DashboardProps } from "../../src/constructs/monitoring/dashboard";
import { onlyResource } from "../support/stacks";

const LB = "app/Inventory-LB/50dc6c495c0c9188";

function synthDashboard(overrides: Partial<DashboardProps> = {}) {
  const json = Testing.synthScope((scope) => {
    const dashboard = new Dashboard(scope, "dashboard", {
      name: "Inventory-HA",
      region: "us-west-2",
      widgets: [
        {
          kind: "alarm-status",
          title: "Alarms",
          alarmArns: ["arn:aws:cloudwatch:us-west-2:123456789012:alarm:a", "arn:aws:cloudwatch:us-west-2:123456789012:alarm:b"],
        },
        { kind: "graph", title: "Requests", unit: "requests / min", series: [loadBalancerMetric("RequestCount", "Sum", LB, { label: "requests" })] },
        {
          kind: "graph",
          title: "5xx",
          series: [
            {
              expression: "100 * FILL(errors, 0) / requests",
              label: "5xx %",
              using: { errors: loadBalancerMetric("HTTPCode_ELB_5XX_Count", "Sum", LB), requests: loadBalancerMetric("RequestCount", "Sum", LB) },
            },
            { expression: "errors", label: "5xx count", using: { errors: loadBalancerMetric("HTTPCode_ELB_5XX_Count", "Sum", LB) } },
          ],
        },
        { kind: "graph", title: "Database CPU", periodSeconds: 300, series: [databaseMetric("CPUUtilization", "Average", "inventory-db")] },
      ],
      ...overrides,
    });
    new TerraformOutput(scope, "url", { value: dashboard.url });
  });
  const document = JSON.parse(json);
  const [name, dashboard] = onlyResource(document, "aws_cloudwatch_dashboard");
  return { json, name, url: document.output.url.value, body: JSON.parse(dashboard.dashboard_body) };
}

describe("Dashboard", () => {
  const { json, name, url, body } = synthDashboard();

  it("is named, and its URL opens it in the CloudWatch console of its region", () => {
    expect(json).toHaveResourceWithProperties(CloudwatchDashboard, { dashboard_name: "Inventory-HA" });
    expect(url).toBe(
      `https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#dashboards/dashboard/\${aws_cloudwatch_dashboard.${name}.dashboard_name}`,
    );
  });

  it("lays the widgets out on the 24-column grid: the alarms across the top, then graphs two to a row", () => {
    expect(body.widgets.map((widget: any) => [widget.type, widget.x, widget.y, widget.width, widget.height])).toEqual([
      ["alarm", 0, 0, 24, 3],
      ["metric", 0, 3, 12, 6],
      ["metric", 12, 3, 12, 6],
      ["metric", 0, 9, 12, 6],
    ]);
    expect(body.widgets[0].properties).toEqual({
      title: "Alarms",
      alarms: ["arn:aws:cloudwatch:us-west-2:123456789012:alarm:a", "arn:aws:cloudwatch:us-west-2:123456789012:alarm:b"],
    });
  });

  it("renders a metric as one row with its dimensions and statistic, in its region, with the unit on the axis", () => {
    expect(body.widgets[1].properties).toEqual({
      title: "Requests",
      region: "us-west-2",
      view: "timeSeries",
      stacked: false,
      period: 60,
      metrics: [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB, { stat: "Sum", label: "requests" }]],
      yAxis: { left: { label: "requests / min", showUnits: false } },
    });
    expect(body.widgets[3].properties).toMatchObject({
      period: 300,
      metrics: [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "inventory-db", { stat: "Average" }]],
    });
  });

  it.each([
    ["cn-north-1", "https://cn-north-1.console.amazonaws.cn"],
    ["us-gov-west-1", "https://console.amazonaws-us-gov.com"],
  ])("opens in the console of its partition in %s", (region, origin) => {
    const other = synthDashboard({ region });
    expect(other.url).toBe(`${origin}/cloudwatch/home?region=${region}#dashboards/dashboard/\${aws_cloudwatch_dashboard.${other.name}.dashboard_name}`);
  });

  it("renames every use of a metric in an expression, not only the first", () => {
    const requests = loadBalancerMetric("RequestCount", "Sum", LB);
    const twice = synthDashboard({
      widgets: [{ kind: "graph", title: "Twice", series: [{ expression: "requests / requests", label: "one", using: { requests } }] }],
    });
    expect(twice.body.widgets[0].properties.metrics[0]).toStrictEqual([{ expression: "s0_requests / s0_requests", label: "one", id: "s0" }]);
  });

  it("renders metric math as the expression over hidden rows, with ids of its own so two expressions never share one", () => {
    expect(body.widgets[2].properties.metrics).toEqual([
      [{ expression: "100 * FILL(s0_errors, 0) / s0_requests", label: "5xx %", id: "s0" }],
      ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", LB, { stat: "Sum", id: "s0_errors", visible: false }],
      ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB, { stat: "Sum", id: "s0_requests", visible: false }],
      [{ expression: "s1_errors", label: "5xx count", id: "s1" }],
      ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", LB, { stat: "Sum", id: "s1_errors", visible: false }],
    ]);
  });

  it.each<[string, Partial<DashboardProps>, RegExp]>([
    ["a name CloudWatch refuses", { name: "Inventory HA" }, /^Dashboard [\w-]+\/dashboard: name: "Inventory HA" must be 1-255 letters, digits, - and _$/],
    ["no widgets", { widgets: [] }, /\/dashboard: widgets: a dashboard needs at least one widget$/],
  ])("refuses %s, naming the construct and the prop", (_what, overrides, message) => {
    expect(() => synthDashboard(overrides)).toThrow(message);
  });
});
