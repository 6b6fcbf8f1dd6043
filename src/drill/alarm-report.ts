import { type AlarmHistoryItem, type CloudWatchClient, DescribeAlarmHistoryCommand } from "@aws-sdk/client-cloudwatch";
import type { AwsCaller } from "./throttling";
import { formatElapsed } from "./timeline";

/** The environment's alarms, as the drill reports them: the names from stack output `alarm_names`, and the client to read their history. */
export interface AlarmWatch {
  readonly cloudWatch: CloudWatchClient;
  readonly alarmNames: readonly string[];
}

/** One state change of one alarm. */
export interface AlarmChange {
  readonly alarmName: string;
  readonly at: Date;
  readonly from: string;
  readonly to: string;
}

/** More pages than a drill's window of one environment's alarms ever holds; a safety stop, not a limit anyone should meet. */
const MAX_PAGES = 20;

/**
 * The state changes of the watched alarms between `start` and `end`, oldest
 * first, from CloudWatch's alarm history (DescribeAlarmHistory, state
 * updates of metric alarms). The history of every alarm of the region is
 * read and the environment's kept: one call per page instead of one per
 * alarm.
 */
export async function readAlarmChanges(watch: AlarmWatch, call: AwsCaller, start: Date, end: Date): Promise<AlarmChange[]> {
  const names = new Set(watch.alarmNames);
  const items: AlarmHistoryItem[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await call((abortSignal) =>
      watch.cloudWatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmTypes: ["MetricAlarm"],
          HistoryItemType: "StateUpdate",
          StartDate: start,
          EndDate: end,
          ScanBy: "TimestampAscending",
          MaxRecords: 100,
          NextToken: nextToken,
        }),
        { abortSignal },
      ),
    );
    items.push(...(answer.AlarmHistoryItems ?? []));
    nextToken = answer.NextToken;
    if (!nextToken) break;
  }
  return items
    .filter((item) => item.AlarmName !== undefined && names.has(item.AlarmName) && item.Timestamp !== undefined)
    .map((item) => ({ alarmName: item.AlarmName!, at: item.Timestamp!, ...states(item) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The part of a state update's HistoryData the report reads. */
interface StateUpdateData {
  readonly oldState?: { readonly stateValue?: unknown };
  readonly newState?: { readonly stateValue?: unknown };
}

/** From and to states of a state update: HistoryData's JSON, else the summary ("Alarm updated from OK to ALARM"). */
function states(item: AlarmHistoryItem): { from: string; to: string } {
  try {
    const data = JSON.parse(item.HistoryData ?? "") as StateUpdateData | null;
    const from = data?.oldState?.stateValue;
    const to = data?.newState?.stateValue;
    if (typeof from === "string" && from && typeof to === "string" && to) return { from, to };
  } catch {
    // Not JSON: the summary says it too.
  }
  const summary = /from (\w+) to (\w+)/.exec(item.HistorySummary ?? "");
  return summary ? { from: summary[1], to: summary[2] } : { from: "?", to: "?" };
}

/**
 * The report's lines: each change at its time since t+0, then the alarms
 * the drill leaves in ALARM. CloudWatch judges minutes of data, so a
 * recovery faster than an alarm's evaluation periods may change nothing:
 * the report says so rather than call it a failure.
 */
export function alarmReport(changes: readonly AlarmChange[], watched: number, startedAt: Date, endedAt: Date): string[] {
  const window = `t+0s to ${formatElapsed(endedAt.getTime() - startedAt.getTime())}`;
  if (changes.length === 0) {
    return [
      `Alarms: none of the environment's ${watched} alarms changed state from ${window} (CloudWatch alarm history).`,
      `  Alarms judge minutes of data: a recovery within an alarm's evaluation periods stays below it.`,
    ];
  }
  const lines = [`Alarms that changed state from ${window} (CloudWatch alarm history, ${watched} alarms watched):`];
  for (const change of changes) lines.push(`  ${formatElapsed(change.at.getTime() - startedAt.getTime())}: ${change.alarmName} ${change.from} -> ${change.to}`);
  const last = new Map(changes.map((change) => [change.alarmName, change.to]));
  const fired = (name: string) => changes.some((change) => change.alarmName === name && change.to === "ALARM");
  const recovered = [...last].filter(([name, state]) => state === "OK" && fired(name));
  const firing = [...last].filter(([, state]) => state === "ALARM").map(([name]) => name);
  if (recovered.length > 0) lines.push(`  ${recovered.length} fired and recovered during the drill.`);
  if (firing.length > 0)
    lines.push(`  Still in ALARM at the end: ${firing.join(", ")}; an alarm returns to OK once its metric is back for its evaluation periods.`);
  return lines;
}
