/** An event as EventBridge delivers it to a target. */
export interface AwsEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** What an emulated service needs to emit events: the local bus implements it. */
export interface EventSink {
  /** Puts an event on the bus (fire and forget; delivery is asynchronous, as on AWS). */
  put(event: Omit<AwsEvent, 'version' | 'id' | 'time' | 'account' | 'region'> & Partial<Pick<AwsEvent, 'time'>>): void;
}

/** Account and region every emulated service reports. */
export const LOCAL_ACCOUNT = '000000000000';
/** Region every emulated service reports. */
export const LOCAL_REGION = 'us-east-1';
