import * as z from '../zod';
import { InvalidOptionsError } from './errors';

/**
 * Parses options against a strict schema (unknown keys rejected) and turns a
 * failure into one {@link InvalidOptionsError} naming every problem.
 */
export function parseOptions<T extends z.ZodMiniType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidOptionsError(what, z.prettifyError(result.error).replace(/\n/g, ' '));
  return result.data;
}
