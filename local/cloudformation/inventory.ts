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

/** Name of the inventory file the local cloud keeps in its state directory. */
export const INVENTORY_FILE = 'inventory.json';

/**
 * The inventory as lines of a table (stack, logical id, type, kind, physical
 * id), then one count line: what `wickedctl local resources` prints.
 *
 * @example
 * inventoryLines(rows) // ['STACK  LOGICAL ID  TYPE  KIND  PHYSICAL ID', ..., '12 emulated, 40 recorded, not emulated']
 */
export function inventoryLines(rows: readonly InventoryRow[]): string[] {
  const header = { stack: 'STACK', logicalId: 'LOGICAL ID', type: 'TYPE', kind: 'KIND', physicalId: 'PHYSICAL ID' };
  const all = [header, ...rows];
  const width = (key: keyof typeof header) => Math.max(...all.map((row) => row[key].length));
  const line = (row: typeof header) => [row.stack.padEnd(width('stack')), row.logicalId.padEnd(width('logicalId')), row.type.padEnd(width('type')), row.kind.padEnd(width('kind')), row.physicalId].join('  ');
  const emulated = rows.filter((row) => row.kind === 'emulated').length;
  return [...all.map(line), `${emulated} emulated, ${rows.length - emulated} recorded, not emulated`];
}
