import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { awsPartition } from "../../aws/iam-policy";
import { isExpression, type Metric, type MetricSeries } from "../../aws/cloudwatch-metrics";
import { refuseProblems } from "../../props/prop-problems";

/** A line graph of metric series. */
export interface GraphWidget {
  readonly kind: "graph";
  readonly title: string;
  readonly series: readonly MetricSeries[];
  /** Seconds per data point. @default 60 */
  readonly periodSeconds?: number;
  /** Label of the left axis. @default none */
  readonly unit?: string;
  /** Columns of the dashboard's 24 it spans. @default 12 */
  readonly width?: number;
}

/** The state of alarms, one tile each. */
export interface AlarmStatusWidget {
  readonly kind: "alarm-status";
  readonly title: string;
  readonly alarmArns: readonly string[];
  /** @default 24 */
  readonly width?: number;
}

export type DashboardWidget = GraphWidget | AlarmStatusWidget;

export interface DashboardProps {
  /** Name of the dashboard: letters, digits, - and _. */
  readonly name: string;
  /** Region the metrics live in (and of the console URL). */
  readonly region: string;
  /** Widgets, laid out left to right, top to bottom. */
  readonly widgets: readonly DashboardWidget[];
}

const COLUMNS = 24;
const GRAPH_HEIGHT = 6;
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * A CloudWatch dashboard built from typed widgets: each graph renders the
 * same metric values (and metric math) alarms are built from, with the
 * resources' Terraform references as dimensions, so the dashboard follows
 * the stack as it changes.
 */
export class Dashboard extends Construct {
  readonly dashboardName: string;
  /** The dashboard in the CloudWatch console. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    refuseProblems(this, [
      DASHBOARD_NAME.test(props.name) ? undefined : { prop: "name", message: `"${props.name}" must be 1-255 letters, digits, - and _` },
      props.widgets.length > 0 ? undefined : { prop: "widgets", message: "a dashboard needs at least one widget" },
    ]);

    const dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      // Indented like the policies: cdktf's HCL output writes it as a heredoc.
      dashboardBody: JSON.stringify({ widgets: layout(props.widgets, props.region) }, null, 2),
    });
    this.dashboardName = dashboard.dashboardName;
    this.url = `${consoleOrigin(props.region)}/cloudwatch/home?region=${props.region}#dashboards/dashboard/${dashboard.dashboardName}`;
  }
}

function consoleOrigin(region: string): string {
  const partition = awsPartition(region);
  if (partition === "aws-cn") return `https://${region}.console.amazonaws.cn`;
  if (partition === "aws-us-gov") return "https://console.amazonaws-us-gov.com";
  return `https://${region}.console.aws.amazon.com`;
}

/** Places the widgets on the 24-column grid, each row as high as its tallest widget. */
function layout(widgets: readonly DashboardWidget[], region: string): Record<string, unknown>[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((widget) => {
    const width = Math.min(widget.width ?? (widget.kind === "graph" ? 12 : COLUMNS), COLUMNS);
    const height = widget.kind === "graph" ? GRAPH_HEIGHT : 2 + Math.ceil(widget.alarmArns.length / 4);
    if (x + width > COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { type: widget.kind === "graph" ? "metric" : "alarm", x, y, width, height, properties: properties(widget, region) };
    x += width;
    rowHeight = Math.max(rowHeight, height);
    return placed;
  });
}

function properties(widget: DashboardWidget, region: string): Record<string, unknown> {
  if (widget.kind === "alarm-status") return { title: widget.title, alarms: [...widget.alarmArns] };
  return {
    title: widget.title,
    region,
    view: "timeSeries",
    stacked: false,
    period: widget.periodSeconds ?? 60,
    metrics: widget.series.flatMap((series, index) => metricRows(series, `s${index}`)),
    ...(widget.unit ? { yAxis: { left: { label: widget.unit, showUnits: false } } } : {}),
  };
}

/**
 * The dashboard's `metrics` rows of one series: a metric is one row
 * (`[namespace, name, dimension, value, ..., options]`); an expression is
 * its own row plus a hidden row per metric it uses, their ids prefixed so
 * two expressions of a graph never share one.
 */
function metricRows(series: MetricSeries, prefix: string): unknown[][] {
  const row = (metric: Metric, options: Record<string, unknown>) => [
    metric.namespace,
    metric.metricName,
    ...Object.entries(metric.dimensions).flat(),
    { stat: metric.statistic, ...options },
  ];
  if (!isExpression(series)) return [row(series, series.label ? { label: series.label } : {})];
  const ids = Object.keys(series.using);
  const expression = ids.reduce((text, name) => text.replace(new RegExp(`\\b${name}\\b`, "g"), `${prefix}_${name}`), series.expression);
  return [
    [{ expression, label: series.label, id: prefix }],
    ...Object.entries(series.using).map(([name, metric]) => row(metric, { id: `${prefix}_${name}`, visible: false })),
  ];
}
