import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { BlueGreenEndpoint } from './blue-green-endpoint';

/** What `BlueGreenEndpoint.addToDashboard` draws. */
export interface EndpointDashboardOptions {
  /**
   * Period of the graphs and of the per-minute decision counts. SageMaker publishes per-minute metrics (every 10 s
   * with `fastMetrics`).
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/** Properties of a rollout dashboard. */
export interface RolloutDashboardProps {
  /**
   * Endpoints drawn on the dashboard, one block of rows each, in this order.
   *
   * @default - none: add them with `addEndpoint`
   */
  readonly endpoints?: BlueGreenEndpoint[];

  /**
   * Name of the CloudWatch dashboard.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * Time range the dashboard opens with.
   *
   * @default Duration.hours(3) - a rollout with its revert window
   */
  readonly defaultInterval?: Duration;

  /**
   * Period of the graphs.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/**
 * A CloudWatch dashboard of rollouts: for each endpoint, per-slot invocations, traffic share, 5xx rate and p99
 * latency, what each guard's alarms see against their thresholds, the guard alarms' states, and the controller's
 * decisions with the judge's evidence (Logs Insights over the controller's logs). To add an endpoint to a dashboard
 * you already have, use `BlueGreenEndpoint.addToDashboard` instead.
 */
export class RolloutDashboard extends Construct {
  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly period?: Duration;

  constructor(scope: Construct, id: string, props: RolloutDashboardProps = {}) {
    super(scope, id);
    this.period = props.period;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: props.defaultInterval ?? Duration.hours(3),
    });
    for (const endpoint of props.endpoints ?? []) this.addEndpoint(endpoint);
  }

  /** Adds the rows of one endpoint below the ones already there. */
  public addEndpoint(endpoint: BlueGreenEndpoint): void {
    endpoint.addToDashboard(this.dashboard, { period: this.period });
  }
}
