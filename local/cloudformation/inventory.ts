import type { Stack } from './model';

/** One row of the local account's inventory. */
export interface InventoryRow {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly status: string;
  /** `emulated`: an emulated service holds it; `recorded, not emulated`: only its ids and attributes exist. */
  readonly kind: 'emulated' | 'recorded, not emulated';
}

/**
 * Every resource of the live stacks, in creation order, with whether the
 * emulator runs it or only records it: what `wickedctl local resources` lists.
 *
 * @example
 * inventory(cloud.cloudformation.liveStacks()).filter((r) => r.kind !== 'emulated') // VPC, IAM, KMS, ALB, RDS, ...
 */
export function inventory(stacks: readonly Stack[]): InventoryRow[] {
  return stacks.flatMap((stack) => [...stack.resources.values()].map((r) => ({
    stack: stack.stackName, logicalId: r.logicalId, type: r.type, physicalId: r.physicalId, status: r.status,
    kind: r.emulated ? 'emulated' as const : 'recorded, not emulated' as const,
  })));
}
