import type { DeploymentRequest, DeploymentState, EnvironmentRecord } from './types';

/** A change to one deployment record that follows a successful environment write. */
export interface RecordChange {
  readonly deploymentId: string;
  readonly state: DeploymentState;
  /** ISO time of the change. */
  readonly at: string;
  /** Present when the record may not exist yet: its fields are written if absent. */
  readonly request?: DeploymentRequest;
  readonly reason?: string;
  /** Further attributes to set (ECS deployment id, service events, ...). */
  readonly fields?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/**
 * The outcome of a pure ledger step: the environment record to write
 * (absent when nothing changes), the caller's result and the record changes.
 */
export interface Transition<T> {
  readonly next?: EnvironmentRecord;
  readonly result: T;
  readonly changes: readonly RecordChange[];
}
